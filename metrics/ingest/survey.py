"""What a CSV file is, before it is read: its dialect from its first lines, and from one pass over
its bytes whether it is whole, how many lines it has and whether its line ends are uniform.

The dialect is the header's: its line end (LF or CRLF), its delimiter (the most frequent of
`, ; tab |` in it) and an Excel `sep=X` line before it. The pass checks a gzip stream to its end
(CRC and length), so a truncated or corrupt `.csv.gz` fails the run naming the file instead of
loading garbled rows; it counts the lines, so that read.py can prove DuckDB read every line as one
row or rejected it; and it tells whether every line ends as the header does, which DuckDB's strict
reader needs (a stray CR or a CRLF line in an LF file would make it give up on the whole file).
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from metrics.errors import VendorboardError

DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 24
HEAD = 1 << 16  # the dialect is read from this much of the file's start
SEP_LINE = re.compile(r'"?sep=(.)"?\s*', re.IGNORECASE)  # Excel's first line naming the delimiter
BOM = "\ufeff"


@dataclass(frozen=True)
class Survey:
    names: tuple[str, ...]  # the header's column names, as written
    delim: str
    new_line: str  # "\n" or "\r\n", as the header line ends
    skip: int  # lines before the header (1 after a `sep=` line)
    lines: int  # lines up to the last one that is not empty
    uniform: bool  # every line ends as the header does (no stray CR, no mix of LF and CRLF)
    empty: str | None  # why the file holds no rows ("empty file", "header only"), else None

    @property
    def header_line(self) -> int:
        return self.skip + 1


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_bytes(path: Path):
    """The file's bytes, unpacked when it is gzip (whose errors surface while reading)."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def unreadable(shown: str, path: Path, exc: Exception) -> VendorboardError:
    """The one-line error for a file that cannot be read through: missing, no permission, or a
    gzip stream that is truncated or fails its check."""
    if isinstance(exc, OSError) and not isinstance(exc, gzip.BadGzipFile) and exc.strerror:
        return VendorboardError(f"{shown}: cannot read the file ({exc.strerror})")
    what = "truncated" if isinstance(exc, EOFError) else f"corrupt ({str(exc) or type(exc).__name__})"
    return VendorboardError(f"{shown}: the gzip file is {what}; nothing changed")


def survey(path: Path, shown: str) -> Survey:
    """One pass over the file (see the module's docstring); raises VendorboardError naming it."""
    import numpy as np  # here, not above: only an ingest counts bytes, and numpy takes a while to import

    newlines = returns = tail_newlines = 0
    head = b""
    seen = False
    try:
        with open_bytes(path) as f:
            while chunk := f.read(CHUNK):
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                raw = np.frombuffer(chunk, np.uint8)
                newlines += int(np.count_nonzero(raw == 10))
                returns += int(np.count_nonzero(raw == 13)) if chunk.find(b"\r") >= 0 else 0
                body = chunk.rstrip(b"\r\n")  # empty lines at the end of the file are no lines
                run = chunk[len(body) :].count(b"\n")
                tail_newlines = tail_newlines + run if not body else run
                seen = seen or bool(body.strip())
    except (OSError, EOFError, zlib.error) as exc:
        raise unreadable(shown, path, exc) from None
    lines = newlines - tail_newlines + 1 if seen else 0
    text = head.decode("utf-8", "replace").removeprefix(BOM)
    first, *rest = text.split("\n", 2)
    skip = 0
    sep = SEP_LINE.fullmatch(first)
    if sep:
        skip, first = 1, (rest[0] if rest else "")
    header = first.removesuffix("\r")
    delim = sep.group(1) if sep else max(DELIMITERS, key=lambda d: (header.count(d), d == ","))
    names = tuple(name.strip() for name in next(csv.reader([header], delimiter=delim), []))
    crlf = first.endswith("\r")
    uniform = returns == (newlines if crlf else 0)
    empty = "empty file" if not seen or not any(names) else "header only" if lines <= skip + 1 else None
    return Survey(names, delim, "\r\n" if crlf else "\n", skip, lines, uniform, empty)
