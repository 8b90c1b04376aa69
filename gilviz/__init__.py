"""gilviz: see CPython's Global Interpreter Lock at work.

This module is imported by the measured interpreter too (through gilviz.agent),
so it stays stdlib-only and free of anything newer than Python 3.8.
"""

__version__ = "0.1.0"
