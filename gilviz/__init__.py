"""gilviz: see CPython's Global Interpreter Lock at work.

From Python (a notebook shows a result's chart inline):

    import gilviz
    result = gilviz.run("countdown", threads=4)
    print(result.report())
    result.figure()

run, speedup, compare, convoy, share and load are those of gilviz.api; they load
on first use, so that `import gilviz` stays light. The stages, in the order
data flows: agent (inside the measured interpreter) -> measure -> log ->
analysis -> report / render; api is the application layer over them, cli the
command line over api. Targets run on CPython 2.7 or 3.6+ for the countdown,
3.8+ for the other kernels, free-threaded builds included; gilviz itself
needs 3.9 or newer.
"""

# This file stays Python 2.7 syntax (a type comment, no annotations): a 2.7
# interpreter that imports gilviz.agent as a package (scripts/bench_probe.py's
# callgrind runs) reads it first.

__version__ = "0.2.0"

_API = ("run", "speedup", "compare", "convoy", "share", "load")

__all__ = list(_API) + ["__version__"]

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing (~2 ms): type checkers take
any TYPE_CHECKING as true, so that they see the names __getattr__ loads."""
if TYPE_CHECKING:
    from .api import compare as compare, convoy as convoy, load as load, run as run
    from .api import share as share, speedup as speedup


def __getattr__(name):
    # type: (str) -> object
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
