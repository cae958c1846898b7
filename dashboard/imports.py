"""The Data page's import: a platform's export through a shipped profile, or any CSV/Excel file
mapped column by column here (a preview of its first rows, a picker per field, the derived
timestamps shown before loading), saved under a name for the vendor and reused next month. The
mapping built here is the same TOML `vendorboard ingest --mapping` reads (metrics/imports)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import tr
from metrics import imports, render
from metrics import uploads as kept
from metrics.domain import INTERACTIONS
from metrics.errors import VendorboardError
from metrics.i18n import value_name
from metrics.imports import saved
from metrics.imports.mapping import OUTCOMES
from metrics.ingest import Derivation, Source
from metrics.ingest.read import File
from metrics.ingest.tables import TABLES
from metrics.loading import ingest

FORMATS = (
    "iso",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "epoch",
    "epoch_ms",
    "excel",
)
UPLOADS = ["csv", "txt", "tsv", "gz", "xlsx", "xls", "json", "jsonl", "log"]
NONE = ""


def _write(uploads: list, folder: Path) -> list[File]:
    """The uploads as files in `folder`, named in messages and quarantine by their upload names."""
    files = []
    for n, upload in enumerate(uploads):
        path = folder / f"{n}-{Path(upload.name).name}"
        path.write_bytes(upload.getvalue())
        files.append(File(path, upload.name))
    return files


def uploader_key(name: str) -> str:
    """The key of a file uploader, new after each load: the loaded files leave the uploader, so the
    next click cannot load them again."""
    return f"{name}-{st.session_state.get('loads', 0)}"


def load(prepare: Callable[[Path], tuple[list[Source], list[Derivation]]]) -> None:
    """One ingest run of the Data page with a progress bar, in the signed-in user's name. `prepare`
    writes the uploads into a folder kept beside the database (metrics/uploads.py) and gives the
    run's sources and imports. A failure says why and clears what the last load reported (it no
    longer describes the data); a success empties the uploaders and reruns, so the pickers and every
    page read the new data."""
    bar = st.progress(0.0, text=tr("data.ingest"))

    def progress(message: str, done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} · {message}")

    st.session_state.pop("last_ingest", None)
    try:
        with kept.folder(common.db(), "data") as folder:
            sources, derived = prepare(folder)
            report = ingest(common.db(), sources, progress, derived, by=common.principal())
    except VendorboardError as exc:
        bar.empty()
        common.error(exc)
        return
    st.session_state["last_ingest"] = report.as_dict()
    st.session_state["loads"] = st.session_state.get("loads", 0) + 1
    st.rerun()


def _run(mapping: imports.Mapping, vendor: str, uploads: list) -> None:
    load(lambda folder: ([], [imports.Import(mapping, vendor, tuple(_write(uploads, folder)))]))


def show_steps(report: dict) -> None:
    """What each step of each import produced (rows read, left out and why, derived per table)."""
    lang = common.language()
    for imported in report.get("imports", []):
        rows = [{"step": value_name("step", s, lang), "rows": n} for s, n in imported["steps"].items()]
        rows += [{"step": f"→ {value_name('table', t, lang)}", "rows": n} for t, n in imported["derived"].items()]
        st.caption(f"{imported['source']} · {imported['vendor_id']} · {', '.join(imported['files'])}")
        common.table(pl.DataFrame(rows), f"steps-{imported['source']}", counts=("rows",), file_name="import-steps")


def _profile(vendor: str) -> None:
    found = imports.profiles()
    zh = common.language() == "zh"
    name = st.selectbox(
        tr("data.profile"),
        list(found),
        key="imp-profile",
        format_func=lambda n: f"{n} · {(zh and found[n].description_zh) or found[n].description}",
    )
    uploads = st.file_uploader(
        tr("data.export_files"), accept_multiple_files=True, key=uploader_key("imp-files"), type=None
    )
    if st.button(tr("data.import"), type="primary", disabled=not uploads, key="imp-run", icon=":material/upload:"):
        _run(found[name], vendor, uploads)


def _time_field(table: str, column: str, columns: list[str], start: str | None) -> dict | None:
    """Pickers for one timestamp field: a column (and a time column to join), its format, or
    for a later time a start field plus duration columns."""
    key = f"map-{table}-{column}"
    a, b, c = st.columns([3, 2, 2])
    source = a.selectbox(column, [NONE, *columns], key=key)
    fmt = b.selectbox(tr("data.format"), FORMATS, key=f"{key}-format")
    time = c.selectbox(tr("data.time_column"), [NONE, *columns], key=f"{key}-time")
    plus = st.multiselect(tr("data.plus", start=start), columns, key=f"{key}-plus") if start and start != column else []
    spec: dict = {}
    if source and time:
        spec = {"date": source, "time": time}
    elif source:
        spec = {"column": source}
    if spec:
        spec["format"] = fmt
    if plus:
        spec |= {"from": start, "plus": plus}
    return spec or None


def _answered(columns: list[str], sample: pl.DataFrame) -> dict | None:
    """Which calls were answered: a disposition column and what each of its values means."""
    column = st.selectbox(tr("data.answered_column"), [NONE, *columns], key="map-answered")
    if not column:
        return None
    values = sorted({v for v in sample[column].to_list() if v is not None and v.strip()})
    cols = st.columns(min(len(values), 4) or 1)
    outcomes = {o: tr(f"data.outcome_{o}") for o in OUTCOMES}  # labels fixed now: a widget keeps its options
    chosen = {
        v: cols[i % len(cols)].selectbox(v, OUTCOMES, key=f"map-answered-{v}", format_func=outcomes.get)
        for i, v in enumerate(values)
    }
    return {"column": column, "map": chosen} if chosen else None  # a value not seen here is quarantined


def _mapping_from_pickers(vendor: str, sample: pl.DataFrame) -> imports.Mapping | None:
    tables = {t: value_name("table", t, common.language()) for t in INTERACTIONS}
    table = st.selectbox(tr("data.kind"), INTERACTIONS, key="map-table", format_func=tables.get)
    columns = sample.columns
    start = TABLES[table].start_column
    fields: dict = {}
    for col in TABLES[table].columns:
        if col.name == "vendor_id":
            continue
        if col.kind == "timestamp":
            spec = _time_field(table, col.name, columns, start)
        else:
            spec = (
                st.selectbox(col.name + (" *" if col.required else ""), [NONE, *columns], key=f"map-{table}-{col.name}")
                or None
            )
        if spec:
            fields[col.name] = spec
    if table == "calls" and (answered := _answered(columns, sample)):
        fields["answered"] = answered
    a, b = st.columns(2)
    zone = a.text_input(tr("data.source_zone"), key="map-zone", placeholder=tr("data.vendor_zone"))
    skew = b.number_input(tr("data.skew"), 0.0, 3600.0, 0.0, key="map-skew")
    document = {"name": "upload", "table": table, "skew_seconds": skew, "fields": fields}
    if zone.strip():
        document["timezone"] = zone.strip()
    try:
        return imports.parse(document, tr("data.this_mapping"))
    except VendorboardError as exc:
        st.info(render.error(exc, common.language()), icon=":material/info:")
        return None


def _mapped(vendor: str) -> None:
    upload = st.file_uploader(tr("data.export_file"), key=uploader_key("map-file"), type=UPLOADS)
    names = common.engine("saved_mappings", vendor)
    choice = st.selectbox(
        tr("data.saved_mapping"),
        [NONE, *names],
        key="map-saved",
        format_func=({NONE: tr("data.new_mapping")} | {n: n for n in names}).get,
    )
    if upload is None:
        return
    with tempfile.TemporaryDirectory() as folder:
        [file] = _write([upload], Path(folder))
        try:
            sample = saved.sample(file, Path(folder), rows=200)  # enough to see the values of a disposition
        except VendorboardError as exc:
            common.error(exc)
            return
        st.caption(tr("data.first_rows"))
        st.dataframe(sample.head(10), hide_index=True, key="map-sample")
        mapping = saved.from_toml(names[choice], choice) if choice else _mapping_from_pickers(vendor, sample)
        if mapping is None:
            return
        zone = common.engine("vendors").filter(pl.col("vendor_id") == vendor)["timezone"][0]
        try:
            derived = saved.preview(mapping, vendor, zone, [file])
        except VendorboardError as exc:
            common.error(exc)
            return
    st.caption(tr("data.derived_rows"))
    st.dataframe(derived, hide_index=True, key="map-derived")
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    name = a.text_input(tr("data.mapping_name"), value=choice, key="map-name")
    if b.button(tr("data.save_mapping"), key="map-save", disabled=not name.strip(), icon=":material/save:"):
        try:
            saved.save(common.db(), vendor, name, mapping, by=common.principal())
            st.success(tr("msg.mapping_saved", name=name.strip()), icon=":material/check_circle:")
        except VendorboardError as exc:
            common.error(exc)
    if st.button(tr("data.import"), type="primary", key="map-run", icon=":material/upload:"):
        _run(mapping, vendor, [upload])


def import_section() -> None:
    """A platform's export, through a profile or a mapping made here, for one vendor."""
    with st.container(border=True):
        st.subheader(tr("data.import_export"))
        vendors = common.vendor_names()
        if not vendors:
            return
        picked = common.selection().vendor_id  # the sidebar's vendor, if one is picked
        vendor = st.selectbox(
            tr("picker.vendor"),
            list(vendors),
            index=list(vendors).index(picked) if picked in vendors else 0,
            key="imp-vendor",
            format_func=lambda v: f"{v} · {vendors[v]}",
        )
        how = st.radio(
            tr("data.import_how"),
            ["profile", "mapping"],
            key="imp-how",
            horizontal=True,
            format_func={h: tr(f"data.how_{h}") for h in ("profile", "mapping")}.get,
        )
        if how == "mapping":
            _mapped(vendor)
        else:
            _profile(vendor)
