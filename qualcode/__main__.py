"""`python -m qualcode`: the same CLI as the `qualcode` console script."""

from qualcode.cli import main

main()
