"""The command line: parse (cli.parser), then hand over to the api and print
(cli.commands). `gilviz` and `python -m gilviz` both call main()."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the command in `argv` (default: sys.argv[1:]); the exit status."""
    from .commands import HANDLERS
    from .parser import build_parser
    from .status import EXIT_INTERRUPTED
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        return HANDLERS[args.handler](args, out, err)
    except KeyboardInterrupt:
        err.write("gilviz: interrupted\n")
        return EXIT_INTERRUPTED
