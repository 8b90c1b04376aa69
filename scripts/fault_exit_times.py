"""How long gilviz takes to exit after a fault injected into its run.

    python scripts/fault_exit_times.py [SCENARIO ...]

Each scenario starts `python -m gilviz countdown --processes 4 --count 4e8
--no-baseline --repeat 1 --out DIR`, waits 3 s, injects the fault, and prints
the seconds from the fault to gilviz's exit, its exit status, its last line,
and the processes of the run still alive a second later (there should be none).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

import psutil

COMMAND = ["-m", "gilviz", "countdown", "--processes", "4", "--count", "4e8",
           "--no-baseline", "--repeat", "1"]
SETTLE_S = 3.0
LIMIT_S = 60.0


def target_and_workers(gilviz):
    children = gilviz.children()
    target = children[0] if children else None
    return target, (target.children() if target else [])


def kill_target(gilviz, target, workers):
    target.send_signal(signal.SIGKILL)


def stop_target(gilviz, target, workers):
    target.send_signal(signal.SIGSTOP)


def stop_worker(gilviz, target, workers):
    workers[1].send_signal(signal.SIGSTOP)


def kill_worker(gilviz, target, workers):
    workers[1].send_signal(signal.SIGKILL)


def kill_gilviz(gilviz, target, workers):
    gilviz.send_signal(signal.SIGKILL)


def term_gilviz(gilviz, target, workers):
    gilviz.send_signal(signal.SIGTERM)


def int_gilviz(gilviz, target, workers):
    gilviz.send_signal(signal.SIGINT)


SCENARIOS = {f.__name__: f for f in (kill_target, stop_target, stop_worker, kill_worker,
                                     kill_gilviz, term_gilviz, int_gilviz)}


def run(name):
    out = tempfile.mkdtemp()
    process = subprocess.Popen([sys.executable] + COMMAND + ["--out", out],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    gilviz = psutil.Process(process.pid)
    time.sleep(SETTLE_S)
    target, workers = target_and_workers(gilviz)
    family = [target] + workers
    SCENARIOS[name](gilviz, target, workers)
    began = time.monotonic()
    try:
        output, _ = process.communicate(timeout=LIMIT_S)
        took = "%.2f s" % (time.monotonic() - began)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        took = "over %d s" % LIMIT_S
    time.sleep(1.0)
    left = [p.pid for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    last = output.decode(errors="replace").strip().splitlines()[-1:] or [""]
    print("%-12s exit after %-9s status %-4s left %-6s %s"
          % (name, took, process.returncode, left or "none", last[0][:110]))


if __name__ == "__main__":
    for name in sys.argv[1:] or list(SCENARIOS):
        run(name)
