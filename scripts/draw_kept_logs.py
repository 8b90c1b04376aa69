"""Draws every log kept in tests/logs (one of each kind of job) as gilviz
draws it: what `save` writes (the log again, the chart, the trace), the
summary's text and the chart in the dark and talk themes, a directory a log;
with --against, compares them with those drawn before, byte by byte.

A change meant to leave behaviour alone (a refactoring) is checked this way:
draw before it, draw after it, compare.

    python scripts/draw_kept_logs.py OUT [--against BEFORE]
"""

import argparse
import filecmp
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import gilviz  # noqa: E402

LOGS = os.path.join(HERE, os.pardir, "tests", "logs")
THEMES = ("dark", "talk")
"""Beside the default (light) chart that `save` draws."""


def draw(log_path, out):
    """Everything drawn from one kept log, into its own directory under `out`;
    the paths written, relative to `out`."""
    name = os.path.splitext(os.path.basename(log_path))[0]
    result = gilviz.load(log_path)
    result.run_dir = os.path.join(out, name)
    os.makedirs(result.run_dir, exist_ok=True)
    result.save()
    with open(os.path.join(result.run_dir, "summary.txt"), "w") as stream:
        stream.write("\n".join(result.lines()) + "\n")
    if result.has_figure():
        for theme in THEMES:
            result.render(os.path.join(result.run_dir, theme + ".png"), "png", theme=theme)
    return [os.path.join(name, file) for file in sorted(os.listdir(result.run_dir))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the directory to draw into (made if missing)")
    parser.add_argument("--against", metavar="BEFORE",
                        help="a directory drawn before: compare, and exit 1 on a difference")
    args = parser.parse_args(argv)
    if args.against and not os.path.isdir(args.against):
        parser.error("--against %s: no such directory" % args.against)
    os.makedirs(args.out, exist_ok=True)
    names = []
    for log_path in sorted(glob.glob(os.path.join(LOGS, "*.json"))):
        names += draw(log_path, args.out)
    print("%d files from %d logs in %s" % (len(names), len(glob.glob(os.path.join(LOGS, "*.json"))),
                                           args.out))
    if not args.against:
        return 0
    before = {os.path.relpath(path, args.against)
              for path in glob.glob(os.path.join(args.against, "*", "*"))}
    same, differ, errors = filecmp.cmpfiles(args.against, args.out, sorted(before | set(names)),
                                            shallow=False)
    for name in differ:
        print("differs: %s" % name)
    for name in errors:
        print("only in one: %s" % name)
    print("%d of %d files byte-identical" % (len(same), len(same) + len(differ) + len(errors)))
    return 1 if differ or errors else 0


if __name__ == "__main__":
    sys.exit(main())
