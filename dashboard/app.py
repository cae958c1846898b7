"""vendorboard dashboard entry point (`streamlit run dashboard/app.py`)."""

from __future__ import annotations

import streamlit as st

from metrics import store
from metrics.config import db_path
from metrics.sample import ensure_loaded

st.set_page_config(page_title="vendorboard", layout="wide")
DB = db_path()


@st.cache_resource
def _bootstrap() -> None:
    ensure_loaded(DB)


_bootstrap()
con = store.connect_reader(DB)
vendors = con.execute("SELECT vendor_id, name FROM vendors ORDER BY vendor_id").pl()
st.title("vendorboard")
st.caption("Customer-service vendor performance, billing and reconciliation")
st.dataframe(vendors, hide_index=True)
