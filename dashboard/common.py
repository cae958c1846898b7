"""What every page shares: the cached engine, the sidebar pickers, the language, tables with a
CSV download, and the messages of empty and bad states.

Caching, the Streamlit way:
- one read-only DuckDB connection per data version (`st.cache_resource`), so an ingest or a
  finalize (which swap in a new database file) is seen at the next rerun, and the superseded
  connection is closed. A DuckDB connection serves one thread at a time, so each engine call
  holds the connection's lock;
- engine results are keyed on the database path, its data version, the call's arguments and the
  signed-in user's scope (metrics/access.py): reruns, page switches and other users with the same
  scope reuse them until the data changes, and no entry of one scope is another's. They are kept
  as the objects themselves (`st.cache_resource`), not pickled copies (`st.cache_data`): results
  are Polars frames and frozen dataclasses (in lists, tuples, dicts) that pages never change in
  place, and copying each out of the cache cost every rerun 20-30 ms per large table (77,660 rows
  of agent figures on the 10 M-call month).
Pages call the engine only through `engine(...)`, which passes the scope, so every figure, table,
chart and download of a page keeps to the user's vendors; nothing here computes a metric or an
amount.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from metrics import (
    agents,
    audit,
    billing,
    catalog,
    data_health,
    drilldown,
    inert,
    payments,
    quality,
    reconcile,
    render,
    sla,
    store,
    uploads,
    users,
)
from metrics.access import Permission, Principal, Scope
from metrics.config import db_path
from metrics.errors import VendorboardError
from metrics.i18n import LANGUAGE_NAMES, LANGUAGES, header, money, number, t, value_name
from metrics.imports import saved as saved_mappings
from metrics.periods import month_label, parse_month

# The engine calls the pages may make, by name (the cache key names the call, not a function object).
ENGINE: dict[str, Callable] = {
    "vendors": catalog.vendors,
    "contracts": catalog.contracts,
    "months": catalog.months_with_data,
    "rate_card": catalog.rate_card,
    "targets": catalog.targets,
    "service_hours": catalog.service_hours,
    "holidays": catalog.holidays,
    "verdicts": sla.verdicts,
    "history": sla.history,
    "series": sla.series,
    "evidence_counts": drilldown.counts,
    "evidence_page": drilldown.page,
    "distribution": drilldown.distribution,
    "invoices": billing.with_drift,
    "reconcile": reconcile.reconcile,
    "freshness": data_health.freshness,
    "quarantine_summary": data_health.quarantine_summary,
    "quarantine_rows": data_health.quarantine_rows,
    "quarantine_count": data_health.quarantine_count,
    "out_of_contract": data_health.out_of_contract,
    "ingest_runs": data_health.ingest_runs,
    "receivables": payments.receivables,
    "payment_statuses": payments.statuses,
    "payments_of": payments.payments_of,
    "saved_mappings": saved_mappings.saved,
    "findings": quality.findings,
    "agent_figures": agents.figures,
    "agent_trend": agents.trend,
    "submissions": uploads.submissions,
    "users": users.users,
    "audit": audit.entries,
}

PAGES = ("overview", "compliance", "agents", "invoices", "reconciliation", "data", "contracts", "reports", "admin")
PICKERS = ("month", "vendor", "contract")


# ---- the engine, cached ----------------------------------------------------------------------


def db() -> Path:
    """The database the app serves (`VENDORBOARD_DB`, else ./vendorboard.duckdb), read per run."""
    return db_path()


def data_version() -> tuple[int, int] | None:
    return store.data_version(db())


@dataclass
class _Reader:
    con: duckdb.DuckDBPyConnection
    lock: threading.Lock


def _close(reader: _Reader) -> None:
    with reader.lock:
        reader.con.close()


@st.cache_resource(show_spinner=False, max_entries=2, on_release=_close)
def _reader(path: str, version: tuple[int, int] | None) -> _Reader:
    """A read-only connection to the database as of `version` (a new one after every write)."""
    return _Reader(store.connect_reader(Path(path)), threading.Lock())


@contextlib.contextmanager
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """The current read connection, held for one engine call."""
    reader = _reader(str(db()), data_version())
    with reader.lock:
        yield reader.con


@st.cache_resource(show_spinner=False, max_entries=2000)
def _cached(path: str, version: tuple[int, int] | None, name: str, args: tuple, scope: Scope):
    reader = _reader(path, version)
    with reader.lock:
        return ENGINE[name](reader.con, *args, scope=scope)


# The scope of a download made on click (`download`): its callable runs outside the page's run, in a
# thread that has no session state to read the signed-in user from.
_DEFERRED_SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("deferred_scope", default=None)


def engine(name: str, *args: object):
    """ENGINE[name](connection, *args, scope=the signed-in user's scope), cached until the data
    changes, per scope."""
    scope = _DEFERRED_SCOPE.get()
    return _cached(str(db()), data_version(), name, args, principal().scope if scope is None else scope)


# ---- who is signed in (dashboard/auth.py) ----------------------------------------------------


def principal() -> Principal:
    """The signed-in user (or the local administrator) of this run, as the entry script set it."""
    return st.session_state["_principal"]


def can(permission: Permission) -> bool:
    """Whether the signed-in user may do it: pages draw a write's button only when it may."""
    return principal().can(permission)


def require(permission: Permission) -> bool:
    """`can(permission)`, and when not, a note saying the user's role may not do it."""
    if can(permission):
        return True
    role = value_name("role", principal().role, language())
    st.info(tr("auth.not_allowed", role=role, what=tr(f"perm.{permission}")), icon=":material/lock:")
    return False


def may_open(page: str) -> bool:
    """The Admin page is for those who manage users or read the audit trail; the rest for all."""
    return page != "admin" or can(Permission.MANAGE_USERS) or can(Permission.AUDIT)


# ---- language and pickers --------------------------------------------------------------------


def language() -> str:
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else "en"


def tr(key: str, **values: object) -> str:
    """A label in the current language."""
    return t(key, language(), **values)


@dataclass(frozen=True)
class Selection:
    month: dt.date
    vendor_id: str | None  # None: all vendors
    contract_id: str | None  # None: no contract active in the month (for this vendor)


def _from_url(key: str) -> None:
    """A picker's first value in a session comes from the URL (a shared link)."""
    if key not in st.session_state and key in st.query_params:
        st.session_state[key] = st.query_params[key]


def _keep(key: str, options: list) -> None:
    """A picker keeps its value while the value is an option, else falls back to the first option."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]


def init_language() -> None:
    """The language for this run: kept in the session, first taken from the URL (?lang=zh)."""
    _from_url("lang")
    _keep("lang", list(LANGUAGES))


def language_switch() -> None:
    st.sidebar.segmented_control(
        t("picker.language", language()),
        LANGUAGES,
        key="lang",
        required=True,
        format_func=LANGUAGE_NAMES.__getitem__,
        width="stretch",
    )


def pickers() -> Selection:
    """Month, vendor and contract in the sidebar, the same on every page, kept across pages and
    mirrored in the URL query (?month=2026-10&vendor=V-TEL&contract=C-TEL&lang=zh)."""
    for key in PICKERS:
        _from_url(key)
    with_data = [month_label(m) for m in engine("months")]
    months = list(with_data)
    asked = st.session_state.get("month")
    if asked and asked not in months and _is_month(asked):
        months = sorted({*months, asked}, reverse=True)  # a month with no data, from a link
    if not months:
        months = [month_label(dt.date.today().replace(day=1))]
    _keep("month", months)
    st.sidebar.selectbox(tr("picker.month"), months, key="month")
    month = parse_month(st.session_state["month"])

    vendors = engine("vendors")  # the user's own, when it is a vendor's
    names = dict(zip(vendors["vendor_id"], vendors["name"]))
    one = len(names) == 1 and not principal().scope.everything  # a vendor user of one vendor: no "all"
    _keep("vendor", [*names] if one else ["", *names])
    vendor_labels = ({} if one else {"": tr("picker.all_vendors")}) | {v: f"{v} · {n}" for v, n in names.items()}
    st.sidebar.selectbox(tr("picker.vendor"), list(vendor_labels), key="vendor", format_func=vendor_labels.get)
    vendor = st.session_state["vendor"] or None

    active = engine("contracts", month)
    if vendor:
        active = active.filter(pl.col("vendor_id") == vendor)
    contracts = active["contract_id"].to_list() or [""]
    _keep("contract", contracts)
    contract_labels = {c: f"{c} · {v}" for c, v in zip(active["contract_id"], active["vendor_id"])}
    contract_labels[""] = tr("picker.no_contract")
    st.sidebar.selectbox(tr("picker.contract"), contracts, key="contract", format_func=contract_labels.get)
    _from_url("as_of")
    st.query_params.from_dict(
        {k: st.session_state[k] for k in ("month", "vendor", "contract", "lang", "as_of") if st.session_state.get(k)}
    )
    return Selection(month, vendor, st.session_state["contract"] or None)


def _is_month(text: str) -> bool:
    try:
        parse_month(text)
        return True
    except VendorboardError:
        return False


def selection() -> Selection:
    """The pickers' values as the entry script left them for this run."""
    return st.session_state["_selection"]


def as_of(key: str) -> dt.date:
    """The date payments are looked at from: a date input (widget `key`) whose value is shared by
    every page and kept in the URL (?as_of=2026-11-22); today until one is picked."""
    try:
        chosen = dt.date.fromisoformat(st.session_state.get("as_of") or "")
    except ValueError:
        chosen = dt.date.today()
    picked = st.columns([1, 3])[0].date_input(tr("payments.as_of"), chosen, key=key, format="YYYY-MM-DD")
    st.session_state["as_of"] = picked.isoformat()
    st.query_params["as_of"] = picked.isoformat()
    return picked


def go_to(page: str, **pickers: str) -> None:
    """A button callback: set pickers, then open `page` at the start of the next run."""
    for key, value in pickers.items():
        st.session_state[key] = value
    st.session_state["_goto"] = page


# ---- showing things --------------------------------------------------------------------------


NARROW_PX = 640  # below this width the sidebar folds away: a phone


def style() -> None:
    """The app's own CSS, once per run: a container keyed `wide-<name>` shows on screens NARROW_PX
    wide and more, one keyed `narrow-<name>` below (so a page can lay a table out for a phone). In
    Chinese, the file uploader's own English words (Streamlit has no language setting for them)
    give way to Chinese ones."""
    css = f"""
        @media (max-width: {NARROW_PX - 1}px) {{ [class*="st-key-wide-"] {{ display: none !important; }} }}
        @media (min-width: {NARROW_PX}px) {{ [class*="st-key-narrow-"] {{ display: none !important; }} }}"""
    if language() != "en":
        button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]'
        limit = '[data-testid="stFileUploaderDropzoneInstructions"] > div'
        css += f"""
        {button} p, {limit} span {{ display: none; }}
        {button}::after {{ content: "{tr("upload.button")}"; }}
        {limit}::after {{ content: "{tr("upload.limit")}"; }}"""
    st.html(f"<style>{css}</style>")


def wide_and_narrow(name: str) -> tuple:
    """Two containers for one piece of a page: the first shows on a desktop, the second on a phone."""
    return st.container(key=f"wide-{name}"), st.container(key=f"narrow-{name}")


def page_header(page: str, sel: Selection, subject: str | None = None) -> None:
    st.title(tr(f"page.{page}"))
    bits = [month_label(sel.month)]
    if subject:
        bits.append(subject)
    st.caption(" · ".join(bits))


def localized(
    df: pl.DataFrame,
    lang: str,
    enums: dict[str, str] | None = None,
    money: tuple[str, ...] = (),
    currency: str | None = None,
) -> pl.DataFrame:
    """`df` as a reader sees it: enumerated values in words (`enums` maps a column to the label
    namespace of its values, e.g. {'channel': 'channel'}) and column headers in `lang`, money
    headers carrying the currency. Numbers stay numbers."""
    frame = df.with_columns(
        pl.col(c).map_elements(lambda v, ns=ns: value_name(ns, v, lang), return_dtype=pl.String)
        for c, ns in (enums or {}).items()
        if c in df.columns
    )
    return frame.rename(
        {c: header(c, lang) + (f" ({currency})" if c in money and currency else "") for c in frame.columns}
    )


def table(
    df: pl.DataFrame,
    key: str,
    *,
    money: tuple[str, ...] = (),
    currency: str | None = None,
    percent: tuple[str, ...] = (),
    counts: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
    enums: dict[str, str] | None = None,
    file_name: str | None = None,
    wide: tuple[str, ...] = (),
    wide_px: int | None = None,
    downloadable: bool = True,
    formats: dict[str, str] | None = None,
) -> None:
    """A table in the current language with a CSV download of exactly what it shows (raw numbers,
    so a spreadsheet can add them up). Money columns get thousands separators and the currency in
    the header; `percent` columns are fractions shown as percentages; `counts` and `numbers` get
    thousands separators (`numbers` keep all their decimals); `formats` give number columns a
    printf-style format of their own (they stay numbers, so they sort as numbers). Every column is
    as wide as its header and values need (`column_widths`); the `wide` text columns (descriptions,
    reasons) take the room left and wrap onto more lines rather than being cut (`wide_px` wide,
    WIDE_PX unless given). Without `downloadable`, the table is one already offered for download on
    the page (its phone layout)."""
    frame = localized(df, language(), enums, money, currency)
    names = dict(zip(df.columns, frame.columns))
    # `numbers` are shown exactly (316.0667 h, not the browser's 316.067) as right-aligned text;
    # the download keeps them numbers.
    shown = frame.with_columns(pl.col(names[c]).map_elements(number, return_dtype=pl.String) for c in numbers)
    config = {names[c]: st.column_config.NumberColumn(format="%,.2f") for c in money}
    config |= {names[c]: st.column_config.NumberColumn(format="percent") for c in percent}
    config |= {names[c]: st.column_config.NumberColumn(format="%,d") for c in counts}
    config |= {names[c]: st.column_config.TextColumn(alignment="right") for c in numbers}
    config |= {names[c]: st.column_config.NumberColumn(format=f) for c, f in (formats or {}).items()}
    config |= {
        names[c]: st.column_config.DateColumn(format="YYYY-MM-DD") for c, dtype in df.schema.items() if dtype == pl.Date
    }
    config |= {
        names[c]: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        for c, dtype in df.schema.items()
        if isinstance(dtype, pl.Datetime)
    }
    widths = column_widths(shown, {names[c] for c in wide}, wide_px or WIDE_PX)
    for name, width in widths.items():
        config[name] = config.get(name) or st.column_config.Column()
        config[name]["width"] = width
    st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        key=f"table-{key}",
        placeholder="",
        row_height=wrapped_row(shown, [names[c] for c in wide], wide_px or WIDE_PX) if wide else None,
        height="content" if frame.height <= 25 else 460,
    )
    if downloadable:  # written on click: a rerun does not write every table's CSV again
        download(lambda: frame, key, file_name or key, localize=False)


# The grid's 14 px Source Sans: about 7 px a Latin character, 14 a Chinese one (measured in the browser,
# tests/test_dashboard_layout.py), with a margin; plus the cell's padding and the header's menu icon.
CHAR_PX, WIDE_CHAR_PX, PADDING_PX = 7.5, 14.5, 36
MAX_PX, WIDE_PX = 260, 300  # a narrow column never grows past MAX_PX; a wide (wrapping) one is WIDE_PX
LINE_PX, CELL_PAD_PX = 21, 16  # a wrapped line of the grid's text; a cell's padding on each side


def wrapped_row(frame: pl.DataFrame, wide: list[str], wide_px: int) -> int | None:
    """A row tall enough for the longest wrapping text in lines of `wide_px` (1 to 4 lines): the grid
    wraps a cell only when all its lines fit, else it cuts the one line."""
    longest = max(
        (text_px(v) for c in wide for v in frame[c].head(200).cast(pl.String).drop_nulls().to_list()), default=0
    )
    lines = min(max(1, -(-longest // (wide_px - 2 * CELL_PAD_PX))), 4)
    return None if lines == 1 else lines * LINE_PX + 2 * CELL_PAD_PX  # one line: the grid's own row


def text_px(text: str) -> int:
    """Pixels a text needs in the grid's font: Chinese characters twice as wide as Latin ones (an
    ASCII text, most of a table, is counted at once: the widths of a table run on every rerun)."""
    if text.isascii():
        return round(len(text) * CHAR_PX)
    return round(sum(WIDE_CHAR_PX if unicodedata.east_asian_width(ch) in "WF" else CHAR_PX for ch in text))


def column_widths(frame: pl.DataFrame, wide: set[str] = frozenset(), wide_px: int = WIDE_PX) -> dict[str, int]:
    """Each column's width in pixels: its header in full (never cut), and its values up to MAX_PX
    (times as shown: to the minute); `wide` columns get `wide_px` and wrap."""
    widths = {}
    for name in frame.columns:
        values = frame[name].head(200).cast(pl.String, strict=False).drop_nulls().to_list()
        if isinstance(frame.schema[name], pl.Datetime):
            values = [v[:16] for v in values]  # shown to the minute
        elif isinstance(frame.schema[name], pl.Decimal | pl.Float64):
            values = [f"{float(v):,.2f}" for v in values]  # shown with separators (money)
        longest = max((text_px(v) for v in values), default=0)
        if name in wide:
            widths[name] = max(wide_px, text_px(name) + PADDING_PX)
        else:
            widths[name] = max(text_px(name) + PADDING_PX, min(longest + PADDING_PX, MAX_PX))
    return widths


def download(
    frame: pl.DataFrame | Callable[[], pl.DataFrame],
    key: str,
    file_name: str,
    label: str | None = None,
    enums: dict[str, str] | None = None,
    localize: bool = True,
) -> None:
    """A CSV download (UTF-8 with BOM, so Excel reads Chinese; inert, so no text is a formula). A
    callable is only run on click, in a thread of its own; its frame is localized like a table
    (`enums`) unless `localize` is False (exports for systems keep the SPEC's field names and codes)."""
    lang, scope = language(), principal().scope  # the callable runs later, as this run's user

    def data() -> bytes:
        token = _DEFERRED_SCOPE.set(scope)
        try:
            body = frame() if callable(frame) else frame
        finally:
            _DEFERRED_SCOPE.reset(token)
        if callable(frame) and localize:
            body = localized(body, lang, enums)
        return inert.frame(body).write_csv().encode("utf-8-sig")

    st.download_button(
        label or f"{tr('download.csv')} · {file_name}.csv",
        data if callable(frame) else data(),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"csv-{key}",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


def money_metric(container, label: str, amounts: dict[str, Decimal]) -> None:
    """A headline amount: the currency in the label when there is one, so the figure stays short."""
    if len(amounts) == 1:
        ((currency, amount),) = amounts.items()
        container.metric(f"{label} ({currency})", money(amount), border=True)
    else:
        container.metric(label, " · ".join(money(a, c) for c, a in amounts.items()) or "–", border=True)


def contract_page(page: str) -> Selection | None:
    """The header of a page about one contract (its vendor's name beside it): the selection, or None
    (after saying why) when the database is empty or no contract is active in the month."""
    sel = selection()
    if empty_database():
        page_header(page, sel)
        return None
    contracts = engine("contracts", sel.month)
    owner = dict(zip(contracts["contract_id"], contracts["vendor_id"]))
    subject = f"{sel.contract_id} · {vendor_names().get(owner.get(sel.contract_id), '')}" if sel.contract_id else None
    page_header(page, sel, subject)
    if sel.contract_id is None:
        st.info(tr("msg.no_contracts", month=month_label(sel.month)), icon=":material/info:")
        return None
    return sel


def contract_terms(sel: Selection) -> dict:
    """The picked contract's terms in the month (short abandons, how a service level counts them):
    what says why an evidence row counts as it does."""
    contracts = engine("contracts", sel.month).filter(pl.col("contract_id") == sel.contract_id)
    return contracts.row(0, named=True) if contracts.height else {}


def empty_database() -> bool:
    """True (after saying so) when the database holds no vendors at all."""
    if engine("vendors").is_empty():
        st.info(tr("msg.empty_db"), icon=":material/database:")
        return True
    return False


def error(exc: Exception, server_folder: Path | None = None) -> None:
    """A user-facing error: the engine's one-line message in the page's language, never a traceback
    (nor the folder on the server where an upload was kept, `server_folder`)."""
    text = render.error(exc, language())
    if server_folder is not None:
        text = text.replace(f"{server_folder}/", "")
    st.error(tr("msg.error", error=text), icon=":material/error:")


def findings_box(found: list[quality.Finding], key: str, expanded: bool = True) -> None:
    """The month's data-quality findings beside the figures they touch (SPEC §5): a one-line
    summary in red (errors) or amber (warnings only), the findings, and a button that opens the
    rejected rows on the Data page (the month's rows of the contract, or of every contract)."""
    if not found:
        return
    n = len(quality.errors(found))
    lang = language()
    summary = tr("quality.summary", errors=n, warnings=len(found) - n)
    lines = "\n".join(
        f"- {'✗' if f.is_error else '⚠'} {value_name('severity', f.severity, lang)} · "
        f"{f.contract_id + ' · ' if f.contract_id else ''}{f.message(lang)}"
        for f in found
    )
    with st.expander(f"{'✗' if n else '⚠'} {tr('quality.heading')}: {summary.rstrip(':：')}", expanded=expanded):
        (st.error if n else st.warning)(f"{summary}\n\n{lines}", icon=":material/report:")
        rejected = [f for f in found if f.check == "quarantined"]
        if rejected:
            owners = {(f.vendor_id, f.contract_id) for f in rejected}
            tables = {f.table for f in rejected}
            one = dict(zip(("vendor", "contract"), owners.pop())) if len(owners) == 1 else {}
            st.button(
                tr("quality.show_rows"),
                key=f"rows-{key}",
                icon=":material/table_rows:",
                on_click=go_to,
                args=("data",),
                kwargs={
                    "q-scope": "contract" if one else "month",
                    "q-table": tables.pop() if len(tables) == 1 else "",
                    "q-reason": "",
                    **one,
                },
            )


def vendor_names() -> dict[str, str]:
    vendors = engine("vendors")
    return dict(zip(vendors["vendor_id"], vendors["name"]))
