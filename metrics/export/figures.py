"""The report's charts: the dashboard's own Plotly figures (metrics.charts), drawn to PNG by Kaleido
in the system's Chromium, so the PDF shows exactly what the Compliance and Overview pages show.

Kaleido starts one headless Chromium for the whole report (about 3 s) and then draws each figure
in a fraction of a second. Chromium comes from the Debian package `chromium`; BROWSER_PATH points
Kaleido at it when it is not found on its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import plotly.graph_objects as go

from metrics.errors import VendorboardError

SCALE = 2  # pixels per point: sharp when printed


def _browser() -> None:
    if os.environ.get("BROWSER_PATH"):
        return
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        raise VendorboardError("charts need Chromium: install the Debian package `chromium` (or set BROWSER_PATH)")
    os.environ["BROWSER_PATH"] = found


@contextlib.contextmanager
def renderer() -> Iterator[None]:
    """Keep one Chromium running while the figures of a report are drawn."""
    import kaleido

    _browser()
    kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def png(fig: go.Figure, width: int, height: int) -> bytes:
    """The figure as PNG bytes, `width` x `height` points."""
    import kaleido

    _browser()
    fig = go.Figure(fig).update_layout(width=width, height=height, paper_bgcolor="white")
    return kaleido.calc_fig_sync(fig, opts={"format": "png", "width": width, "height": height, "scale": SCALE})
