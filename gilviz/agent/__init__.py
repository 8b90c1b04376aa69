"""The agent: everything that runs inside the measured (target) interpreter.

Stdlib only, and no import of the rest of gilviz: the orchestrator loads
this package by file path into any interpreter the user names, so it must
not pull in numpy, matplotlib or the orchestrator's site-packages. Its
modules import each other relatively.

The countdown's path (main, backends, kernels, probe, lifeline, protocol,
compat) is written in the syntax common to Python 2.7 and 3.x, so that the
old GIL is measured by the very worker body and probe that measure the new
one; compat.py supplies what 2.7-3.7 lack. The other kernels (io, pi,
convoy and its echo client) are loaded only when asked for, and use 3.8.
"""
