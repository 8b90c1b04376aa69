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

__version__ = "0.2.0"

_API = ("run", "speedup", "compare", "convoy", "share", "load")

__all__ = list(_API) + ["__version__"]


def __getattr__(name):
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
