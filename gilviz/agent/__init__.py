"""The agent: everything that runs inside the measured (target) interpreter.

Stdlib only, Python 3.8+ syntax, and no import of the rest of gilviz: the
orchestrator loads this package by file path into any interpreter the user
names, so it must not pull in numpy, matplotlib or the orchestrator's
site-packages. Its modules import each other relatively.
"""
