"""Starts a child that keeps every inherited descriptor open, then exits."""

import subprocess
import sys

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], close_fds=False)
