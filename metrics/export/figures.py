"""The report's charts: the dashboard's own Plotly figures (metrics.charts), drawn to PNG by Kaleido
in the system's Chromium, so the PDF shows exactly what the Compliance and Overview pages show.

All the figures of a report are drawn in one headless Chromium (it starts in about 3 s, then each
figure takes a fraction of a second). Chromium comes from the Debian package `chromium`;
BROWSER_PATH points Kaleido at it when it is not found on its own.

Kaleido's own "sync server" runs Chromium in a thread and waits forever when the browser fails to
start; driving Kaleido from one asyncio run here instead turns any failure into an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable

import plotly.graph_objects as go

from metrics.errors import VendorboardError

SCALE = 2  # pixels per point: sharp when printed
TIMEOUT = 60  # seconds for one figure; the sample's take well under one


def _browser() -> str:
    # Kaleido's browser driver logs (with a traceback) DevTools messages it could not parse and then
    # ignores them; a real failure reaches us as an exception, so the terminal stays clean.
    logging.getLogger("choreographer").setLevel(logging.CRITICAL)
    if not os.environ.get("BROWSER_PATH"):
        found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not found:
            raise VendorboardError("charts need Chromium: install the Debian package `chromium` (or set BROWSER_PATH)")
        os.environ["BROWSER_PATH"] = found
    return os.environ["BROWSER_PATH"]


def pngs(
    figs: list[go.Figure], width: int, height: int, progress: Callable[[int, int], None] | None = None
) -> list[bytes]:
    """The figures as PNG bytes, each `width` x `height` points, in order; progress(done, total)."""
    if not figs:
        return []
    import kaleido

    browser = _browser()
    opts = {"format": "png", "width": width, "height": height, "scale": SCALE}
    sized = [go.Figure(f).update_layout(width=width, height=height, paper_bgcolor="white") for f in figs]

    async def draw() -> list[bytes]:
        # no MathJax: Kaleido would fetch it from a CDN, and no figure of ours uses LaTeX
        async with kaleido.Kaleido(mathjax=False, timeout=TIMEOUT) as k:
            drawn = []
            for fig in sized:
                drawn.append(await k.calc_fig(fig, opts=opts))
                if progress:
                    progress(len(drawn), len(sized))
            return drawn

    try:
        return asyncio.run(draw())
    except Exception as exc:  # Chromium failed to start or to draw: one line, naming the browser
        reason = str(exc.args[0]) if exc.args else type(exc).__name__
        raise VendorboardError(f"Chromium ({browser}) could not draw the charts: {reason}") from exc
