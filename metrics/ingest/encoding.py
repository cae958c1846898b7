"""Text encodings: UTF-8 (with or without BOM), GBK/GB18030 and UTF-16 (Excel's "Unicode text").

DuckDB reads UTF-8 only (its other encodings need an extension that cannot be downloaded here), so
a file in another encoding is transcoded, streamed in chunks, into a UTF-8 copy in a scratch
folder; the copy keeps the file's name for messages and quarantine rows. The encoding is told by
its byte-order mark, else by whether a sample decodes as UTF-8, else by charset-normalizer among
the encodings vendorboard reads; a file none of them reads is refused with one message naming it.

A sample that is UTF-8 but on a few of its lines (at most one in twenty) is a UTF-8 file with
damaged lines, read as UTF-8: the reader quarantines those lines (`malformed_line`, "not UTF-8
text"), where reading the file as GB18030 would silently garble every other non-ASCII character.
"""

from __future__ import annotations

import codecs
import io
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from charset_normalizer import from_bytes

from metrics.errors import VendorboardError
from metrics.ingest.read import File
from metrics.ingest.survey import is_gzip, open_bytes, unreadable

SAMPLE = 1 << 16  # bytes looked at to tell the encoding
CHUNK = 1 << 20  # characters transcoded at a time
CANDIDATES = ("utf_8", "gb18030", "utf_16")  # gb18030 is a superset of GBK and GB2312
BOMS = ((codecs.BOM_UTF8, "utf_8"), (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16"))
DAMAGED_SHARE = 0.05  # of a UTF-8 sample's lines, at most this share may hold bytes that are not UTF-8


def _sample(path: Path) -> bytes:
    try:
        with open_bytes(path) as f:
            return f.read(SAMPLE)
    except (OSError, EOFError, zlib.error):
        return b""  # the reader names what is wrong with the file


def detect(shown: str, sample: bytes) -> str:
    """The Python codec of a file whose first bytes are `sample` ('utf_8' for plain ASCII)."""
    for bom, codec in BOMS:
        if sample.startswith(bom):
            return codec
    if _is_utf8(sample) or _damaged_utf8(sample):
        return "utf_8"
    best = from_bytes(sample, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        raise VendorboardError(
            f"{shown}: cannot read the file's text encoding (vendorboard reads UTF-8, GBK/GB18030 and UTF-16)"
        )
    return codecs.lookup(best.encoding).name.replace("-", "_")


def _is_utf8(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf_8")().decode(data)  # a cut multi-byte character at the end is fine
        return True
    except UnicodeDecodeError:
        return False


def _damaged_utf8(sample: bytes) -> bool:
    """Whether a sample that is not all UTF-8 is UTF-8 on all but DAMAGED_SHARE of its lines (see the
    module docstring). Only such samples are split into lines: a clean file costs nothing more."""
    lines = sample.split(b"\n")
    return sum(not _is_utf8(line) for line in lines) <= len(lines) * DAMAGED_SHARE


def transcode(source: Path, codec: str, target: Path, shown: str) -> None:
    """Write `source` (gzip or plain) in `codec` to `target` as UTF-8 without BOM, a chunk at a time."""
    encoding = "utf_8_sig" if codec == "utf_8" else codec  # drop a BOM, whichever
    try:
        with (
            io.TextIOWrapper(open_bytes(source), encoding=encoding, newline="") as src,
            open(target, "w", encoding="utf-8") as out,
        ):
            while chunk := src.read(CHUNK):
                out.write(chunk)
    except UnicodeDecodeError as exc:
        raise VendorboardError(f"{shown}: not readable as {codec} at byte {exc.start}: {exc.reason}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise unreadable(shown, source, exc) from None


def as_utf8(files: Sequence[File], scratch: Path, plain: bool = False) -> list[File]:
    """`files` as DuckDB can read them: UTF-8 files as they are, others as UTF-8 copies in
    `scratch` (which must outlive the read); with `plain`, gzip files are written out uncompressed
    too (for readers that cannot decompress). Parquet and Excel files are binary and left alone."""
    readable = []
    for file in files:
        name = file.path.name.lower()
        if name.endswith((".parquet", ".xlsx", ".xls")) or not file.path.is_file():
            readable.append(file)
            continue
        codec = detect(file.shown, _sample(file.path))
        if codec == "utf_8" and not (plain and is_gzip(file.path)):
            readable.append(file)
            continue
        stem = file.path.name[: -len(".gz")] if is_gzip(file.path) else file.path.name
        target = scratch / f"{len(list(scratch.iterdir()))}-{stem}"
        transcode(file.path, codec, target, file.shown)
        readable.append(replace(file, path=target))
    return readable
