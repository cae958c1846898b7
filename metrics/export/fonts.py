"""The CJK font the PDF embeds, so Chinese vendor names and the Chinese report render (no tofu).

WenQuanYi Micro Hei (Debian `fonts-wqy-microhei`) has TrueType outlines, which ReportLab can
embed; Noto CJK ships PostScript (CFF) outlines, which it cannot.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from metrics.errors import VendorboardError

NAME = "CJK"
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


@cache
def register() -> str:
    """Register the CJK font with ReportLab once; returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = next((p for p in CANDIDATES if p.exists()), None)
    if path is None:
        raise VendorboardError("the PDF needs a Chinese font: install the Debian package fonts-wqy-microhei")
    pdfmetrics.registerFont(TTFont(NAME, str(path), subfontIndex=0))
    return NAME
