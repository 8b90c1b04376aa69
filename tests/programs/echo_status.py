"""Echoes stdin reversed, its arguments, then exits with status 3."""

import sys

print(sys.stdin.readline().strip()[::-1], " ".join(sys.argv[1:]))
sys.exit(3)
