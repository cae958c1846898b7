"""Errors a user can act on: the CLI prints the message (never a traceback) and exits non-zero."""


class VendorboardError(Exception):
    """Bad input or a refused operation; the message names the file, row, column or argument."""
