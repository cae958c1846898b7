"""`python -m metrics.cli` is the `vendorboard` command."""

from metrics.cli import main

main()
