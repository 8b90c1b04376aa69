"""Progress on stderr while gilviz works: a line as each run starts, then
how long it has taken against how long it should take, and the frames of an
animation as they are drawn.

On a terminal the running figures rewrite one status line in place (every
second), which is cleared before anything else is written; elsewhere (a
file, a CI log) they are a line of their own every TICK_S, so that a log
shows a long run alive without a line a second.

    run_specs --Progress--> RunProgress.__call__: the run's line, clock started
                            RunProgress's thread: every tick, running_line()
    animate --(done, total)--> FrameProgress.__call__: frames_line(), throttled
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ..api.workloads import round_of
from ..report.progress import frames_line, progress_line, running_line

if TYPE_CHECKING:
    from ..api.session import Progress

TICK_S = 10.0
"""Between two lines of a run's progress where stderr is no terminal."""
TERMINAL_TICK_S = 1.0
"""Between two rewrites of the status line on a terminal."""
TERMINAL_FRAME_S = 0.2


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class StatusLine:
    """Text on `err` that the next one replaces: on a terminal a line
    rewritten in place, elsewhere a line each."""

    def __init__(self, err: TextIO, terminal: bool | None = None) -> None:
        self.err = err
        self.terminal = is_terminal(err) if terminal is None else terminal
        self.shown = 0
        """The width of the status line on the terminal now; 0 for none."""

    def show(self, text: str) -> None:
        if self.terminal:
            self.err.write("\r%s%s" % (text, " " * max(0, self.shown - len(text))))
            self.shown = len(text)
        else:
            self.err.write(text + "\n")
        self.err.flush()

    def clear(self) -> None:
        """Take the status line off the terminal, so that a line written
        next starts at its left edge."""
        if self.shown:
            self.err.write("\r%s\r" % (" " * self.shown))
            self.err.flush()
            self.shown = 0


class RunProgress:
    """The progress callback of a job (api's progress=): a line as each run
    starts, and while it runs, from a thread of its own, how long it has
    taken. close() (or the end of a with block) stops the thread and clears
    the status line; call it before writing anything else to `err`."""

    def __init__(self, err: TextIO, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 terminal: bool | None = None) -> None:
        self.status = StatusLine(err, terminal)
        self.every_s = every_s or (TERMINAL_TICK_S if self.status.terminal else TICK_S)
        self.clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: tuple[Progress, float] | None = None
        """(Progress, the clock when it came) of the run under way."""

    def __call__(self, progress: Progress) -> None:
        number = None if progress.sweep is None else round_of(progress.index, progress.sweep)
        with self._lock:
            self.status.clear()
            self.status.err.write(progress_line(progress, number) + "\n")
            self.status.err.flush()
            self._current = (progress, self.clock())
            if self._thread is None:
                self._thread = threading.Thread(target=self._tick, name="gilviz-progress",
                                                daemon=True)
                self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.every_s):
            with self._lock:
                if self._current is not None and not self._stop.is_set():
                    progress, began = self._current
                    self.status.show(running_line(progress, self.clock() - began))

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self.status.clear()

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FrameProgress:
    """The progress callback of an animation (done, total): the frames drawn
    so far, at most every TERMINAL_FRAME_S on a terminal, else every TICK_S
    / 3 (a GIF takes ~10 s), and the last frame always."""

    def __init__(self, err: TextIO, clock: Callable[[], float] = time.monotonic,
                 terminal: bool | None = None, every_s: float | None = None) -> None:
        self.status = StatusLine(err, terminal)
        self.every_s = every_s or (TERMINAL_FRAME_S if self.status.terminal else TICK_S / 3)
        self.clock = clock
        self.began = clock()
        self.shown_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and self.shown_at is not None and now - self.shown_at < self.every_s:
            return
        if done < total and self.shown_at is None and now - self.began < self.every_s:
            return  # a short animation says nothing
        self.shown_at = now
        self.status.show(frames_line(done, total, now - self.began))

    def close(self) -> None:
        self.status.clear()
