"""`python -m qualcode`: the CLI run in this process, never handed to a worker (useful under a
debugger or a profiler)."""

from qualcode.cli import main

main()
