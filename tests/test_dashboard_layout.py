"""Every page at 1440×900 (a laptop) and 390×844 (a phone), in English and in Chinese, in a real
browser: no table header is cut, the columns that matter are on screen, a Chinese page has no English
word but codes and names the data holds, and a screenshot of each lands in test-output/screenshots/
(`pytest tests/test_dashboard_layout.py` makes the set again).

Streamlit draws a table on a canvas (glide-data-grid), so its header text is not in the page's layout.
What the browser does expose, and what these tests read:
- the grid's accessible table names the columns it draws (those at least partly on screen), in order;
- the canvas itself: the column separators it drew, read from its pixels along the header's top row,
  give each drawn column's left and right edge; the grid's scroller says whether the table runs on
  past the right edge (its scrollWidth beyond its clientWidth), which cuts the last drawn column;
- the text width of each header in the grid's own font (the page's font, 14 px), measured with the
  canvas API's measureText.
A header fits when its measured width plus the cell's padding is within its column; a column that
matters is on screen when it is drawn whole, left of the scroller's edge.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_fixtures import no_exception, screenshot, settle

from metrics import store
from metrics.i18n import header

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {1440: 900, 390: 844}
QUERY = {  # the sample's C-TEL in October; the reconciliation of September, its planted discrepancy
    page: f"month={'2026-09' if page == 'reconciliation' else '2026-10'}&contract=C-TEL"
    for page in ("overview", "compliance", "agents", "invoices", "reconciliation", "data", "contracts", "reports")
}
VENDOR_INVOICE = Path(__file__).resolve().parent.parent / "sample_data" / "vendor_invoices" / "C-TEL_2026-09.csv"

# The main tables of each page, by the column their header row starts with, and the columns that must
# be on screen whole: on a laptop all that matter, on a phone what the page lays out for one.
MATTER = {
    1440: {
        "overview": {"vendor": ("vendor", "contract_id", "targets", "missed_targets", "total", "change")},
        "compliance": {
            "sla_target": ("sla_target", "verdict", "value", "target", "numerator", "denominator", "data_quality"),
            "id": ("id", "local_start", "evidence", "why"),
        },
        "invoices": {
            "type": ("type", "description", "quantity", "unit", "unit_price", "amount"),
            "channel": ("channel", "caused_by", "credit_rate", "credit_base", "amount"),
            "subtotal": ("subtotal", "credits", "adjustments", "net", "total"),
        },
        "reconciliation": {"description": ("description", "status", "computed_quantity", "billed_quantity")},
        "data": {"table": ("table", "source_file", "line", "reason", "detail")},
        "contracts": {"contract_id": ("contract_id", "vendor", "name", "start_date")},
        "reports": {"contract_id": ("contract_id", "vendor_id", "status", "total", "due_date")},
    },
    390: {
        "overview": {"vendor": ("vendor", "targets_marks", "total")},
        "compliance": {"sla_target": ("sla_target", "verdict")},
    },
}
PADDING_PX = 16  # the grid's cell padding, left and right

GRID = """(el) => {
  if (!el.checkVisibility()) return null;  // a layout for the other width
  const canvas = el.querySelector('canvas[data-testid="data-grid-canvas"]');
  const scroller = el.querySelector('.dvn-scroller');
  const dpr = window.devicePixelRatio || 1;
  const row = canvas.getContext('2d').getImageData(0, Math.round(3 * dpr), canvas.width, 1).data;
  const edges = [];
  for (let x = 2; x < canvas.width; x++) {  // a separator differs from the header's background
    const d = Math.max(...[0, 1, 2].map(i => Math.abs(row[4 * x + i] - row[4 + i])));
    if (d > 8 && (edges.length === 0 || x - edges[edges.length - 1] > 2)) edges.push(x);
  }
  const heads = [...el.querySelectorAll('th[role="columnheader"]')].map(t => t.textContent);
  const ruler = document.createElement('canvas').getContext('2d');
  ruler.font = '400 14px ' + getComputedStyle(el).fontFamily;
  return {
    heads,
    text: heads.map(h => ruler.measureText(h).width),
    edges: edges.map(x => x / dpr),
    width: canvas.width / dpr,
    runsOn: scroller.scrollWidth > scroller.clientWidth + 1,
  };
}"""

VISIBLE_TEXT = """() => {
  // the words a reader sees: visible text outside icons (Material icons are ligature words such as
  // 'download', marked translate="no"), plus the cells of visible tables (drawn on a canvas, named in
  // its accessible table)
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('[translate="no"], script, style, [data-testid="stDataFrame"]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // for screen readers only, e.g. 'Skip to main content'
    out.push(n.textContent);
  }
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (grid.checkVisibility()) grid.querySelectorAll('th, td').forEach(c => out.push(c.textContent));
  }
  return out.join('\\n');
}"""

# Latin words a Chinese page may show: the product's name, the language switch's "English" (each
# language in its own name), currency and file-format names, and the
# import profiles' platforms (proper names). Codes and ids (with digits, '_', '-', '.', '/', '@') and
# any word the data itself holds (names, values a rejected row wrote) are allowed besides.
ALLOWED = {"vendorboard", "English", "CNY", "CSV", "PDF", "ZIP", "Excel", "JSON", "API", "MB", "UTC"}
ALLOWED |= {"Amazon", "Connect", "Asterisk", "CDR", "Cisco", "UCCE", "Zendesk", "cdr"}


def english_words(text: str, typed: set[str]) -> set[str]:
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9_\-./@]*", text)
    return {
        t for t in tokens if t not in ALLOWED and t not in typed and not re.search(r"[0-9_\-./@]", t) and len(t) > 1
    }


@pytest.fixture(scope="module")
def typed(browser_db: Path) -> set[str]:
    """Every Latin word the data holds as written: names, ids, and the raw rows of the quarantine."""
    con = store.connect_reader(browser_db)
    try:
        texts = [
            str(v)
            for sql in (
                "SELECT raw, source_file FROM quarantine",
                "SELECT vendor_id, name FROM vendors",
                "SELECT contract_id, payee, payee_bank FROM contracts",
                "SELECT description FROM adjustments",
                "SELECT call_id, agent_id, queue FROM calls",
            )
            for row in con.execute(sql).fetchall()
            for v in row
            if v is not None
        ]
    finally:
        con.close()
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_\-./@]*", "\n".join(texts)))


def open_at(browser, base: str, name: str, lang: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": SIZES[width]}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{base}/{'' if name == 'overview' else name}?{QUERY[name]}&lang={lang}")
    settle(page)
    if name == "reconciliation":  # the comparison needs the vendor's invoice
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(VENDOR_INVOICE))
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        settle(page)
    page.evaluate("document.fonts.ready")
    # the whole page in view: a grid draws its columns (and names them) only while on screen
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(height, SIZES[width]), 9000)})
    page.wait_for_timeout(1500)  # the grids draw again, in the loaded font
    page.wait_for_function(  # every page has a table: wait for them all, drawn (a busy machine is slow)
        """() => { const shown = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                                .filter(g => g.checkVisibility());
                   return shown.length > 0 && shown.every(g => g.querySelector('th')); }""",
        timeout=30_000,
    )
    return context, page


def grids(page) -> list[dict]:
    tables = page.locator('[data-testid="stDataFrame"]')
    return [g for g in (tables.nth(i).evaluate(GRID) for i in range(tables.count())) if g]


def columns(grid: dict) -> list[tuple[str, float, float, bool]]:
    """(header, measured text width, column width, drawn whole) of each drawn column."""
    lefts = [0.0, *grid["edges"]]
    rights = [*grid["edges"], grid["width"]]
    out = []
    for i, name in enumerate(grid["heads"]):
        if i >= len(lefts):
            break
        whole = i < len(grid["edges"]) or not grid["runsOn"]
        out.append((name, grid["text"][i], rights[i] - lefts[i], whole))
    return out


@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(QUERY))
def test_every_page_fits_and_speaks_its_language(server, browser, typed, name: str, lang: str, width: int) -> None:
    context, page = open_at(browser, server, name, lang, width)
    try:
        no_exception(page)
        shown = grids(page)
        # no header of a column drawn whole is cut: its text and padding fit the column
        for grid in shown:
            for head, text, column, whole in columns(grid):
                if whole:
                    assert text + PADDING_PX <= column, (head, text, column, grid["heads"])
        # the columns that matter are drawn whole, on screen
        for wanted in MATTER[width].get(name, {}).values():
            labels = [header(c, lang) for c in wanted]

            def drawn_whole(grid: dict, labels: list[str] = labels) -> int:
                whole = [h for h, _, _, w in columns(grid) if w]
                return sum(any(h.startswith(label) for h in whole) for label in labels)

            candidates = [g for g in shown if g["heads"] and g["heads"][0].startswith(labels[0])]
            assert candidates, (labels[0], [g["heads"] for g in shown])
            best = max(candidates, key=drawn_whole)
            assert drawn_whole(best) == len(labels), (labels, best["heads"], best["edges"], best["runsOn"])
        if lang == "zh":
            words = english_words(page.evaluate(VISIBLE_TEXT), typed)
            assert words == set(), words
        screenshot(page, f"{name}-{lang}-{width}")
    finally:
        context.close()
