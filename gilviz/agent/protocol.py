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
CONFIG_KEYS = ("kernel", "backend", "workers", "work", "probe", "chunk_target_ns", "gap_ns",
               "switch_interval_s", "check_interval", "cores", "params")

# A worker record's keys, as the agent sends them in DONE.
RECORD_KEYS = ("index", "pid", "tid", "work", "start_ns", "stop_ns", "cpu_ns", "error",
               "result", "holds", "marks")
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
PI_PARAMS = ("variant", "seed", "chunk")
PI_VARIANTS = ("fast", "seed")

CONVOY_IO_WORKER = 0
"""In a convoy run, worker 0 is the I/O thread; the CPU-bound threads follow."""
