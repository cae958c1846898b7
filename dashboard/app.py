"""vendorboard dashboard entry point (`streamlit run dashboard/app.py`, or `vendorboard serve`).

Runs on every page view: loads the sample data into an empty database once, draws the language
switch and the month / vendor / contract pickers in the sidebar (so they sit in the same place on
every page and keep their values across pages), then runs the page the navigation picked.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth, common
from metrics import store
from metrics.errors import VendorboardError
from metrics.sample import ensure_loaded

HERE = Path(__file__).resolve().parent
# The icon is a file of the app (served inline), not a Material icon: Streamlit fetches those for the
# browser tab from a font CDN, which fails offline.
st.set_page_config(page_title="vendorboard", page_icon=str(HERE / "icon.svg"), layout="wide")


@st.cache_resource(show_spinner="Loading the demo data set…")
def _bootstrap(db: str) -> bool:
    """Once per database per server: an empty or missing database gets sample_data/."""
    return ensure_loaded(Path(db))


ICONS = {
    "overview": "dashboard",
    "compliance": "fact_check",
    "agents": "groups",
    "invoices": "receipt_long",
    "reconciliation": "compare_arrows",
    "data": "database",
    "contracts": "handshake",
    "reports": "summarize",
    "admin": "admin_panel_settings",
}

try:
    _bootstrap(str(common.db()))
except VendorboardError as exc:
    common.error(exc)
if not common.db().exists():
    with store.writer(common.db()):
        pass  # an empty database, so every page can say what to do next

common.init_language()
common.style()
st.session_state["_principal"] = auth.principal()  # signs the visitor in first (stops here until then)
pages = {
    name: st.Page(
        HERE / "views" / f"{name}.py",
        title=common.tr(f"page.{name}"),
        icon=f":material/{ICONS[name]}:",
        url_path=name,
        default=name == "overview",
    )
    for name in common.PAGES
    if common.may_open(name)
}
nav = st.navigation(list(pages.values()), position="top")
if goto := st.session_state.pop("_goto", None):
    st.switch_page(pages[goto])

with st.sidebar:
    st.markdown(f"### {common.tr('app.title')}")
    st.caption(common.tr("app.tagline"))
try:
    st.session_state["_selection"] = common.pickers()
except VendorboardError as exc:
    common.error(exc)
    st.stop()
common.language_switch()
auth.badge(common.principal())
nav.run()
