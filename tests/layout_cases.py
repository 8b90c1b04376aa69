"""Charts of every kind, hand-built, with any number of warnings and
workers, and the check that their text can be read: no two texts (legends
included) overlap, none leaves the canvas, none is smaller than its theme's
smallest type. Used by test_layout.py."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

from gilviz.analysis import caveats
from gilviz.analysis.load import LoadSeries
from gilviz.log import Role
from gilviz.api.comparisons import CompareResult, ConvoyResult
from gilviz.api.program import ProgramResult
from gilviz.api.results import RunResult, SpeedupResult
from gilviz.api.sharing import SharingResult
from gilviz.log import CoreSamples, SweepPlan, new_log
from gilviz.render.themes import theme_named

from helpers import MS, hand_built_convoy, make_run, samples_table, sharing_run, timed_run

LONG_ERROR = ("ZeroDivisionError: division by zero, raised in work() at line 12 of the "
              "worker's module after 41,200 iterations")

WARNINGS = (
    caveats.UnexplainedSpeedup(speedup=1.42, parallelism=1.08, baseline_cpu_share=0.78,
                               baseline_cpu_ratio=1.21, workers=4),
    caveats.OtherLoad(mean_cores=1.0, peak_cores=1.3, steal_cores=0.1, during="run"),
    caveats.SamplerBehind(achieved_hz=611.0, requested_hz=1000.0, longest_pause_ns=48 * MS,
                          waited_for_cpu_ns=120 * MS, round_cpu_ns=700_000, raised=False),
    caveats.WorkerFailed(worker=2, error=LONG_ERROR),
    caveats.SpeedChange(kernel="countdown", low_ns=25.0, high_ns=41.0, runs=3, role="baseline"),
    caveats.LateStart(worker=3, late_ns=12 * MS, cpu_wait_ns=9 * MS),
)
"""Six warnings of the longest kinds, the longest first."""
NOTES = (caveats.UnexplainedPauses(count=5, total_ns=700_000),)
SWEEP_WARNINGS = (
    caveats.IncompleteSweep(runs_done=8, runs_planned=25, rounds_done=1, rounds_planned=5),
    caveats.DisturbedRuns(points=(("threads", 2, 1), ("processes", 4, 2), ("threads", 64, 1)),
                          baselines=2, baselines_run=5),
) + WARNINGS[:4]


def warnings(count):
    return WARNINGS[:count]


# Runs --------------------------------------------------------------------

TURN_NS = 5 * MS
HANDOFF_NS = 50_000


def turns(workers, count=None, lanes=1):
    """Holds of `workers` taking turns of TURN_NS, `lanes` at once (processes
    run side by side), `count` turns in all (by default three a worker, at
    least 12)."""
    count = count or max(12, 3 * workers)
    rows = []
    for number in range(count):
        start = (number // lanes) * (TURN_NS + HANDOFF_NS)
        rows.append((number % workers, start, start + TURN_NS, 0))
    return rows


def cpu_cores(wall_ns, cores=2):
    """Each core's utilisation in 50 ms windows (the first row NaN, as logged)."""
    t = np.arange(0, wall_ns + 50 * MS, 50 * MS, dtype=np.int64)
    percent = np.tile(np.asarray([100.0, 80.0, 95.0, 60.0][:cores]), (len(t), 1))
    percent[0] = np.nan
    return CoreSamples(t, percent)


def sampled_rows(workers, wall_ms, every_ms=1):
    """Samples of `workers` threads: each on a CPU in its turn, waiting for
    the GIL (a timed futex wait) otherwise."""
    rows, waits = [], ""
    for t in range(0, wall_ms, every_ms):
        turn = (t * MS) // (TURN_NS + HANDOFF_NS)
        for worker in range(workers):
            running = turn % workers == worker
            rows.append((t * MS, worker, "R" if running else "S"))
            waits += "-" if running else "t"
    return rows, waits


def timeline_run(kind, workers):
    """A run of `kind`: "threads" and "processes" probed, "sampled" without
    the probe, "program" a script's threads, named."""
    holds = turns(workers, lanes=2 if kind == "processes" else 1)
    wall = max(stop for _, _, stop, _ in holds)
    wall_ms = wall // MS
    if kind in ("threads", "processes"):
        pids = list(range(100, 100 + workers)) if kind == "processes" else None
        rows, _ = sampled_rows(workers, wall_ms, every_ms=2)
        run = make_run([(0, wall)] * workers, holds, samples=rows, backend=kind, pids=pids)
    else:
        rows, waits = sampled_rows(workers, wall_ms)
        run = make_run([(0, wall)] * workers, probe=False)
        run = run._replace(threads=samples_table(rows, wait=waits))
    run = run._replace(cores=cpu_cores(wall))
    if kind == "program":
        names = ["MainThread"] + ["ThreadPoolExecutor-0_%d" % i for i in range(workers - 1)]
        run = run._replace(
            spec=run.spec._replace(kernel="script", work=0,
                                   params={"target": "examples/hash_and_serve.py",
                                           "args": ["--files", "40"]}),
            workers=tuple(w._replace(name=name) for w, name in zip(run.workers, names)))
    return run


def baseline_of(run):
    serial = timed_run("serial", 1, "baseline", wall_s=0.9 * run.end_ns / 1e9)
    return serial._replace(spec=serial.spec._replace(kernel=run.spec.kernel))


TIMELINE_KINDS = ("threads", "processes", "sampled", "program")


@functools.lru_cache(maxsize=None)
def timeline_result(kind, workers, partial=False):
    run = timeline_run(kind, workers)
    if kind == "program":
        return ProgramResult(new_log([run]))
    runs = [baseline_of(run), run, baseline_of(run), run]
    incomplete = "interrupted after 2 of 6 runs" if partial else None
    result = RunResult(new_log(runs[:2] if partial else runs, incomplete=incomplete))
    result.summary  # analysed once, shared by every theme and number of warnings
    return result


def with_caveats(stats, count, notes=True):
    return stats._replace(warnings=warnings(count), notes=NOTES if notes and count else ())


def other_load(view, wall_ns):
    """Other processes' CPU use drawn on the CPU panel, as where it made a caveat."""
    edges = np.arange(0, wall_ns + 50 * MS, 50 * MS, dtype=np.int64)
    return view._replace(other_load=LoadSeries(edges, np.full(len(edges) - 1, 1.0)))


def timeline_with(kind, workers, count, partial=False):
    """A result of `kind` whose chart shows `count` warnings (and a note),
    other processes' load where it warns."""
    base = timeline_result(kind, workers, partial)
    result = type(base)(base.log)
    summary = base.summary
    view = summary.view
    if count:
        view = other_load(view, summary.stats.wall_ns)
    result.__dict__["summary"] = summary._replace(
        stats=with_caveats(summary.stats, count), view=view)
    return result


# Sweeps ------------------------------------------------------------------

def worker_counts(top):
    counts, n = [], 1
    while n < top:
        counts.append(n)
        n *= 2
    return counts + [top]


@functools.lru_cache(maxsize=None)
def sweep_result(top_workers, rounds=2):
    counts = worker_counts(top_workers)
    runs = [timed_run("serial", 1, "warmup", wall_s=1.0)]
    for number in range(rounds):
        runs.append(timed_run("serial", 1, "baseline", wall_s=1.0 + 0.02 * number))
        for backend in ("threads", "processes"):
            for n in counts:
                speedup = 1.0 if backend == "threads" else min(n, 2) * 0.95
                runs.append(timed_run(backend, n, wall_s=(1.0 + 0.03 * number) / speedup,
                                      cpu_share=min(1.0, 2.0 / n)))
    plan = SweepPlan(backends=["threads", "processes"], worker_counts=counts, repeat=rounds,
                     warmup=1)
    result = SpeedupResult(new_log(runs, sweep=plan))
    result.summary
    return result


def speedup_with(top_workers, count):
    base = sweep_result(top_workers)
    result = SpeedupResult(base.log)
    result.__dict__["summary"] = base.summary._replace(warnings=SWEEP_WARNINGS[:count])
    return result


# Comparisons -------------------------------------------------------------

INTERPRETERS = (("2.7.18", True, False), ("3.11.7", True, False), ("3.13.5", False, True),
                ("3.15.0", True, False))
"""(version, GIL on, free-threaded build) of each side: old GIL, new GIL, no GIL, 3.15."""


@functools.lru_cache(maxsize=None)
def compare_result(sides, workers):
    """A comparison of `sides` interpreters, each against its own serial runs."""
    runs = []
    for number, role in enumerate("abcd"[:sides]):
        version, gil, free = INTERPRETERS[number]
        python = "/usr/bin/python" + version
        run = timeline_run("threads", workers)
        interpreter = run.interpreter._replace(
            executable=python, version=version, gil_enabled=gil, free_threaded=free,
            switch_interval_s=None if version.startswith("2.") else 0.005,
            check_interval=100 if version.startswith("2.") else None)
        run = run._replace(spec=run.spec._replace(role=role, python=python),
                           interpreter=interpreter)
        serial = baseline_of(run)
        serial = serial._replace(spec=serial.spec._replace(python=python),
                                 interpreter=interpreter)
        runs += [serial, run]
    result = CompareResult(new_log(runs))
    result.summary
    return result


def compare_with(sides, workers, count):
    """A comparison whose sides have `count` warnings between them: each
    side its share, the first side the rest."""
    base = compare_result(sides, workers)
    result = CompareResult(base.log)
    compared = base.summary.compared
    mine = [[] for _ in range(sides)]
    for number, caveat in enumerate(warnings(count)):
        mine[number % sides].append(caveat)
    new_sides = tuple(side._replace(stats=side.stats._replace(
        warnings=tuple(mine[number]), notes=NOTES if count and number == 0 else ()))
        for number, side in enumerate(compared.sides))
    result.__dict__["summary"] = base.summary._replace(
        compared=compared._replace(sides=new_sides))
    return result


# The convoy, the share chart ---------------------------------------------

@functools.lru_cache(maxsize=None)
def convoy_result():
    result = ConvoyResult(hand_built_convoy())
    result.summary
    return result


def convoy_with(count):
    base = convoy_result()
    result = ConvoyResult(base.log)
    convoy = base.summary
    alone = convoy.alone._replace(stats=with_caveats(convoy.alone.stats, count // 2, False))
    beside = convoy.beside._replace(stats=with_caveats(convoy.beside.stats, count - count // 2))
    result.__dict__["summary"] = convoy._replace(alone=alone, beside=beside)
    return result


SHARED = (("return", "threads", 100), ("return", "processes", 150), ("queue", "threads", 900),
          ("queue", "processes", 20_000), ("pipe", "processes", 15_000),
          ("manager", "threads", 150_000), ("manager", "processes", 200_000),
          ("value", "threads", 800), ("value", "processes", 900),
          ("array", "threads", 850), ("array", "processes", 950))


def share_with(count):
    """A share job of every mechanism, the first `count` of them losing reports."""
    runs = []
    for number, (mechanism, backend, report_ns) in enumerate(SHARED):
        collected = [(0, 10)] if number < count else None
        for _ in range(2):
            runs.append(sharing_run(mechanism, backend, report_ns=report_ns, role=Role.SHARING,
                                  collected=collected))
    return SharingResult(new_log(runs))


# The check ---------------------------------------------------------------

def drawn_texts(figure, renderer):
    """Every Text the figure draws with something in it: tick labels only
    of the ticks an axis draws."""
    every_tick = {label for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)
                  for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                  for label in (tick.label1, tick.label2)}
    drawn_ticks = {label for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)
                   for tick in axis._update_ticks() for label in (tick.label1, tick.label2)
                   if label.get_visible()}
    texts = []
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        if text in every_tick and text not in drawn_ticks:
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        texts.append(text)
    return texts


def legends_of(figure):
    return [artist for artist in figure.findobj(Legend) if artist.get_visible()]


TOLERANCE = 0.5
"""Pixels two boxes may share (antialiasing), and a box may pass the edge by."""


def meet(a, b):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE
            and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE)


def pixels_at_1920(points, figure):
    """Pixels that `points` of type take in `figure` drawn 1920 pixels wide."""
    return points * figure.dpi / 72 * 1920 / figure.bbox.width


def layout_problems(figure, theme, smallest=None):
    """What keeps `figure`'s text from being read, in words: texts that meet
    (a legend counts as one box), texts past the canvas's edge, type smaller
    than the theme's smallest (or `smallest` points of the 16-inch figure,
    compared in pixels at 1920 wide: 120 dpi), a panel lower than a line of
    that type."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    least = smallest if smallest is not None else theme_named(theme).smallest_type
    problems = []
    for ax in figure.axes:
        low = ax.get_window_extent(renderer).height
        if ax.get_visible() and low < least * figure.dpi / 72:
            problems.append("a panel %.0f pixels high: %r" % (low, ax.get_title(loc="left")[:40]))
    texts = drawn_texts(figure, renderer)
    legends = legends_of(figure)
    owner = {text: legend for legend in legends for text in legend.get_texts()}
    owner.update({legend.get_title(): legend for legend in legends})
    boxes = []  # (name, box, legend it belongs to or None)
    for text in texts:
        box = text.get_window_extent(renderer)
        name = repr(text.get_text()[:50])
        boxes.append((name, box, owner.get(text)))
        if box.x0 < -TOLERANCE or box.y0 < -TOLERANCE or box.x1 > width + TOLERANCE \
                or box.y1 > height + TOLERANCE:
            problems.append("off the canvas: %s" % name)
        if pixels_at_1920(text.get_fontsize(), figure) < least * 120 / 72 - 0.01:
            problems.append("%.1f pt at 1920 wide, under %g: %s" % (
                pixels_at_1920(text.get_fontsize(), figure) * 72 / 120, least, name))
    for legend in legends:
        box = legend.get_window_extent(renderer)
        boxes.append(("legend " + repr([t.get_text()[:20] for t in legend.get_texts()][:2]),
                      box, legend))
        if box.x0 < -TOLERANCE or box.y0 < -TOLERANCE or box.x1 > width + TOLERANCE \
                or box.y1 > height + TOLERANCE:
            problems.append("legend off the canvas")
    for i, (name, box, legend) in enumerate(boxes):
        for other, other_box, other_legend in boxes[i + 1:]:
            if legend is not None and legend is other_legend:
                continue  # a legend's own texts: the legend lays them out
            if meet(box, other_box):
                problems.append("%s meets %s" % (name, other))
    return problems
