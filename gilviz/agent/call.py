"""A user's function as a kernel: `gilviz run --threads 4 module:function`.

Each worker calls the function once per unit of its share: with N workers
each calls it once, and the serial baseline calls it N times in a row, the
same work. The function is looked up in the session (before any worker
starts), so that a module that fails to import fails the run at once.
"""

import contextlib
import importlib
import os
import sys

FUNCTION_PARAM = "function"
"""params["function"]: "module:function", the function's dotted path after the colon."""


def resolve(target):
    """The callable named by "module:qualified.name"; ValueError if it is not one."""
    module_name, _, path = target.partition(":")
    found = importlib.import_module(module_name)
    for part in path.split("."):
        found = getattr(found, part)
    if not callable(found):
        raise ValueError("%s is not callable" % target)
    return found


RESOLVED = {}
"""Functions looked up by the session, by their "module:function": workers
(threads, or processes forked after it) find them here, so that no import
or lookup falls inside their measured window."""


@contextlib.contextmanager
def call_session(params, workers, work):
    if os.getcwd() not in sys.path:  # as python -c and -m do: the current directory first
        sys.path.insert(0, os.getcwd())
    target = params[FUNCTION_PARAM]
    RESOLVED[target] = resolve(target)
    yield params


def run_call(work, probe, context):
    function = RESOLVED[context["params"][FUNCTION_PARAM]]
    for _ in range(work):
        function()
    return None
