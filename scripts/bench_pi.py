"""Benchmark of the pi kernels, side by side in one run.

  1. samples/s per core of the seed kernel and the fast kernel (serial runs,
     5e7 and 5e8 samples: runs of about the same length);
  2. speedup over serial of threads and processes, 2 .. core-count workers,
     for both kernels;
  3. peak resident memory of a worker process for 1e9 samples (fast kernel).

Each measured run is a fresh target process started by gilviz's runner with
the sampler off; its time is the wall time from the workers' release to the
last worker's stop. Runs are interleaved: every repetition runs each
configuration once, each repetition starting one configuration later, so
that the machine's drift hits all of them alike, and a warm-up repetition
comes first and is not counted. Ratios pair the i-th
runs of the two sides and print the median and the spread (min-max).

Before each run of the seed kernel, which holds all its samples in memory,
the benchmark touches and frees as much memory as the run will need. On the
VM this was written on, memory freed for a few seconds is handed back to
the host (virtio-balloon free page reporting), and touching it again cost
the kernel up to 10x its own computing time, in system time: without the
warming, whichever run came after a small one paid for it, and a serial run
followed by a threaded one made threads look faster than the cores allow.
--cold-memory turns the warming off.

Run it under the benchmark lock, on a machine as quiet as you can get:

    python scripts/bench_pi.py
    python scripts/bench_pi.py --repeat 3 --samples 2e7 --rss-samples 1e8
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from gilviz.analysis import compare_walls, wall_ns  # noqa: E402  (path set just above)
from gilviz.api.options import SEED_KERNEL_BYTES_PER_SAMPLE  # noqa: E402
from gilviz.cli.flags import Parser, repeat_count, sample_count  # noqa: E402
from gilviz.log import RunSpec  # noqa: E402
from gilviz.measure.runner import run_target  # noqa: E402

KERNELS = ("seed", "fast")
GOAL_PER_CORE = 3.0
GOAL_SPEEDUP = 1.8
GOAL_RSS_BYTES = 200e6
SEED = 20240


def spec(kernel, backend, workers, samples):
    params = {"variant": kernel}
    if kernel == "fast":
        params["seed"] = SEED
    return RunSpec(kernel="pi", backend=backend, workers=workers, work=samples, probe=False,
                   python=sys.executable, sample_hz=0.0, params=params)


def configurations(cores, backends):
    """(kernel, backend, workers) to time, serial first for each kernel."""
    configs = []
    for kernel in KERNELS:
        configs.append((kernel, "serial", 1))
        for backend in backends:
            configs += [(kernel, backend, workers) for workers in range(2, cores + 1)]
    return configs


def warm_memory(nbytes):
    """Touch `nbytes` of fresh memory and free it, for the next process to reuse."""
    block = np.ones(int(nbytes), dtype=np.uint8)
    del block


def busy_share(run):
    """The workers' CPU time over workers x wall time: 1 when every worker
    had a CPU all along; less when they waited (a lock, other load)."""
    return sum(w.cpu_ns for w in run.workers) / (len(run.workers) * wall_ns(run))


def measure(configs, samples, repeat, warm, log):
    # `samples` maps each kernel to the samples of its runs.
    """({config: [wall_ns, ...]}, {config: [busy_share, ...]}) over `repeat`
    interleaved rounds after a warm-up."""
    walls = {config: [] for config in configs}
    busy = {config: [] for config in configs}
    for round_number in range(repeat + 1):
        # Each round starts one configuration later, so that none always
        # follows the same one.
        shift = round_number % len(configs)
        for config in configs[shift:] + configs[:shift]:
            if warm and config[0] == "seed":
                warm_memory(SEED_KERNEL_BYTES_PER_SAMPLE * samples["seed"])
            run = run_target(spec(*config, samples[config[0]]))
            failed = [w.error for w in run.workers if w.error]
            if failed:
                raise SystemExit("bench_pi: %s failed: %s" % (config, failed[0]))
            label = "warm-up" if round_number == 0 else "round %d/%d" % (round_number, repeat)
            log("%s: %s %s x%d: %.3f s, busy %.0f%%" % (label, *config, wall_ns(run) / 1e9,
                                                      100 * busy_share(run)))
            if round_number:
                walls[config].append(wall_ns(run))
                busy[config].append(busy_share(run))
    return walls, busy


def spread(comparison):
    return "%.2fx (%.2f-%.2fx, %d pairs)" % (comparison.ratio, comparison.low, comparison.high,
                                            comparison.pairs)


def peak_rss(samples, cores, log):
    """Peak RSS of each worker process of the fast kernel: serial and processes."""
    found = {}
    for backend, workers in (("serial", 1), ("processes", cores)):
        run = run_target(spec("fast", backend, workers, samples))
        log("rss: fast %s x%d, %s samples: %.1f s" % (backend, workers, format(samples, ","),
                                                     wall_ns(run) / 1e9))
        found[(backend, workers)] = [w.result["max_rss_bytes"] for w in run.workers]
    return found


def main(argv=None):
    parser = Parser(prog="bench_pi.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=repeat_count, default=5,
                        help="measured rounds (default: 5), after one warm-up round")
    parser.add_argument("--samples", type=sample_count, default=5 * 10**7,
                        help="samples of each timed run of the seed kernel (default: 5e7; it "
                             "holds ~33 bytes a sample)")
    parser.add_argument("--fast-samples", type=sample_count, default=5 * 10**8,
                        help="samples of each timed run of the fast kernel (default: 5e8, about "
                             "as long a run as the seed kernel's)")
    parser.add_argument("--rss-samples", type=sample_count, default=10**9,
                        help="samples of the peak-memory runs (default: 1e9)")
    parser.add_argument("--backends", default="threads,processes",
                        help="backends to time against serial (default: threads,processes)")
    parser.add_argument("--cold-memory", action="store_true",
                        help="do not warm memory before seed-kernel runs (see above)")
    args = parser.parse_args(argv)
    backends = [name for name in args.backends.split(",") if name]
    cores = len(os.sched_getaffinity(0))

    def log(line):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    configs = configurations(cores, backends)
    samples = {"seed": args.samples, "fast": args.fast_samples}
    walls, busy = measure(configs, samples, args.repeat, not args.cold_memory, log)
    rss = peak_rss(args.rss_samples, cores, log)

    python = run_target(spec("fast", "serial", 1, 1)).interpreter
    print("pi kernels · %s %s · %d cores · %s (seed kernel) and %s (fast kernel) samples a run · "
          "%d rounds after a warm-up · memory %s before seed-kernel runs" % (
              python.implementation, python.version, cores, format(args.samples, ","),
              format(args.fast_samples, ","), args.repeat,
              "not warmed" if args.cold_memory else "warmed"))
    print()
    serial = {kernel: walls[(kernel, "serial", 1)] for kernel in KERNELS}
    for kernel in KERNELS:
        rates = sorted(samples[kernel] * 1e9 / wall for wall in serial[kernel])
        print("%s kernel, serial: %.1f M samples/s per core (median; %.1f-%.1f)" % (
            kernel, rates[(len(rates) - 1) // 2] / 1e6, rates[0] / 1e6, rates[-1] / 1e6))
    # Rates paired by round: the seed run's wall scaled to the fast kernel's
    # samples, over the fast run's wall.
    scale = samples["fast"] / samples["seed"]
    per_core = compare_walls([wall * scale for wall in serial["seed"]], serial["fast"])
    print("fast / seed, samples/s per core: %s" % spread(per_core))
    print()
    print("speedup over serial (serial wall / wall, paired by round); busy: the workers' CPU "
          "time over workers x wall (median), below 100% when they waited for a lock or a CPU")
    speedups = {}
    for kernel, backend, workers in configs:
        if backend == "serial":
            continue
        speedups[(kernel, backend, workers)] = compare_walls(
            serial[kernel], walls[(kernel, backend, workers)])
        print("  %-4s kernel  %-9s x%d  %s  busy %.0f%%" % (
            kernel, backend, workers, spread(speedups[(kernel, backend, workers)]),
            100 * float(np.median(busy[(kernel, backend, workers)]))))
    print()
    print("peak resident memory of a worker process, fast kernel, %s samples:"
          % format(args.rss_samples, ","))
    for (backend, workers), peaks in rss.items():
        print("  %-9s x%d  %s" % (backend, workers,
                                  ", ".join("%.0f MB" % (peak / 1e6) for peak in peaks)))
    print()
    print("goals (this machine, this run):")
    print("  fast >= %.1fx seed per core: %.2fx, %s" % (
        GOAL_PER_CORE, per_core.ratio, "met" if per_core.ratio >= GOAL_PER_CORE else "NOT met"))
    full = (cores,) if cores >= 2 else ()
    for kernel, backend, workers in sorted(speedups):
        if workers not in full:
            continue
        value = speedups[(kernel, backend, workers)].ratio
        wanted = not (kernel == "seed" and backend == "threads")
        verdict = (value >= GOAL_SPEEDUP) == wanted
        print("  %s kernel, %s x%d %s %.1fx: %.2fx, %s" % (
            kernel, backend, workers, ">=" if wanted else "below", GOAL_SPEEDUP, value,
            "met" if verdict else "NOT met"))
    worst = max(peak for peaks in rss.values() for peak in peaks)
    print("  peak RSS < %.0f MB a worker process at %s samples: %.0f MB, %s" % (
        GOAL_RSS_BYTES / 1e6, format(args.rss_samples, ","), worst / 1e6,
        "met" if worst < GOAL_RSS_BYTES else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
