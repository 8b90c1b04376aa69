"""Measuring from outside: start the target, sample its threads through /proc
and psutil, and collect what the agent reports into log.Run records."""
