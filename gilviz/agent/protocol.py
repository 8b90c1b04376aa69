"""Every name that crosses the process boundary between the orchestrator and the agent.

Both sides import these names from here: the agent relatively, the
orchestrator as gilviz.agent.protocol. Stdlib only (it imports nothing), and
in the syntax common to Python 2.7 and 3.x, as the countdown path of the agent.

    orchestrator                      agent
    CONFIG_KEYS, one JSON line  --->  (stdin)
                                <---  READY   (report fd)
    GO                          --->  (stdin)
                                <---  DONE or ERROR
"""

# Messages: each report is one JSON line {"event": <name>, ...}.
EVENT = "event"
READY = "ready"
"""The workers are started and wait; with "interpreter", "probe", "workers"."""
DONE = "done"
"""All workers collected; with "release_ns", "end_ns", "workers" (their records)."""
ERROR = "error"
"""The agent failed; with "message", one line."""
GO = "go"
"""The orchestrator's one command after the config: release the workers."""

# The config line's keys.
CONFIG_KEYS = ("kernel", "backend", "workers", "work", "probe", "chunk_target_ns",
               "old_gil_chunk_target_ns", "gap_ns", "switch_interval_s", "check_interval",
               "cores", "params")

# A worker record's keys, as the agent sends them in DONE.
RECORD_KEYS = ("index", "pid", "tid", "work", "start_ns", "stop_ns", "cpu_ns", "sleeps",
               "error", "result", "holds", "marks")
WORK_DONE = "work_done"
"""A kernel that stopped before its share was done returns {WORK_DONE: n, ...}."""

# Mark kinds: [t_ns, kind, value] events a kernel records in context["marks"].
REQUEST = "request"
"""io: a round trip to the echo server; t_ns when sent, value the time to the reply."""
SLEEP = "sleep"
"""io: a time.sleep standing in for a request; value how long it slept."""
ROUND_TRIP = "round-trip"
"""convoy: a request as the client timed it; t_ns sent, value until answered."""
SERVED = "served"
"""convoy: the moment the I/O thread had a request in hand; no value."""
NATIVE = "native"
"""A kernel enters compiled code that may release the GIL (pi: numpy)."""
NATIVE_END = "native_end"
"""It leaves it again; value what it counted there (pi: samples)."""
SHARING_CALL = "share"
"""pi: a worker reported its running count through the sharing mechanism;
t_ns when the call began, value how long it took (ns), lock wait included."""
LOCK_WAIT = "lock-wait"
"""pi, inside a report: the wait for the shared value's lock; t_ns when it
was asked for, value the ns until it was held."""
SHARING_COLLECTED = "share-collected"
"""After the workers ended, what the mechanism delivered to the agent: value
the count collected for that worker; a mechanism with one cell for all
(value) marks the total on worker 0."""

# How the io kernel's tasks wait: params["via"].
ECHO = "echo"
"""A round trip to the echo server on the loopback interface."""
VIA_SLEEP = SLEEP
"""time.sleep(wait_s) instead, without the network stack."""
IO_MODES = (ECHO, VIA_SLEEP)

# Kernel params that the orchestrator sets and the agent reads.
IO_PARAMS = ("wait_s", "via")
"""io: the wait a task (s), and how it waits; the agent adds "port" and "fallback"."""
CONVOY_PARAMS = ("requests", "size", "pause_s", "time_limit_s")
PI_PARAMS = ("variant", "seed", "chunk", "share")
PI_VARIANTS = ("fast", "seed")

PROCESS_BACKENDS = ("processes", "pool")
"""Backends whose workers are processes of their own (each with its own GIL)."""
PI_DEFAULT_CHUNK = 1 << 18
"""Samples a chunk of the fast kernel: 4.5 MB of buffers; larger chunks were
no faster here."""

# How pi's workers share their running counts: params["share"].
RETURN = "return"
"""Each worker's count comes back with its result, as Pool and Process return it."""
SHARING_MECHANISMS = (RETURN, "queue", "pipe", "manager", "value", "array")
"""queue: queue.Queue between threads, multiprocessing.Queue between processes;
pipe: a multiprocessing.Pipe a worker; manager: a Manager's dict, through its
server process; value: one shared ctypes total, array: a slot a worker, each
updated under one multiprocessing.Lock."""
SHARING_BACKENDS = {
    RETURN: ("serial", "threads", "processes", "pool", "dummy-pool"),
    "queue": ("serial", "threads", "processes"),
    "pipe": ("processes",),
    "manager": ("serial", "threads", "processes"),
    "value": ("serial", "threads", "processes"),
    "array": ("serial", "threads", "processes"),
}
"""The backends each mechanism applies to. A Pool's tasks are pickled, and
queues, pipes and shared ctypes may only pass to a process it inherits; a
pipe is a thing between processes."""

CONVOY_IO_WORKER = 0
"""In a convoy run, worker 0 is the I/O thread; the CPU-bound threads follow."""

# A program's run (agent/program.py): gilviz run script.py / -m module.
PROGRAM_KEYS = ("mode", "target", "args")
"""The config line of a program's run: mode SCRIPT or MODULE, the script's
path or the module's name, and the program's arguments."""
SCRIPT = "script"
MODULE = "module"
RELEASED = "released"
"""The program starts now; with "release_ns" and the main thread's "pid",
"tid", "name"."""
THREAD = "thread"
"""A thread started (threading.Thread.start); with "pid", "tid" (its native
id) and "name". Also sent in READY ("own_threads": the agent's own, not to
be sampled) and in DONE ("threads": every thread alive at the end, named
as they were then)."""
