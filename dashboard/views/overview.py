"""Overview: who is failing this month, at one glance. Headline figures, one row per vendor
(targets met, missed and without data, the data-quality findings, billed total, change from last
month), each vendor's outstanding and overdue amounts, the vendor × target heat map of met / missed /
no data, and the trend of a metric over the last months; a button per failing vendor opens its
Compliance page. A month without any data says so in one line."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import charts, render
from metrics.i18n import count_verdicts, metric_value, t, target_label, value_name
from metrics.periods import month_label, parse_month, previous_month
from metrics.quality import Finding, errors


def _invoices(month) -> dict:
    return {inv.contract_id: inv for inv, _ in engine("invoices", month)}


def scorecard(
    verdicts: pl.DataFrame, contracts: pl.DataFrame, sel: common.Selection, lang: str, found: list[Finding]
) -> pl.DataFrame:
    now, before = _invoices(sel.month), _invoices(previous_month(sel.month))
    none = t("verdict.no_targets", lang)
    rows = []
    for c in contracts.iter_rows(named=True):
        mine = verdicts.filter(pl.col("contract_id") == c["contract_id"])
        missed = mine.filter(pl.col("met") == False)  # noqa: E712  (null = no data, not missed)
        no_data = mine.filter(pl.col("met").is_null()).height
        inv, last = now.get(c["contract_id"]), before.get(c["contract_id"])
        doubts = [f for f in found if f.contract_id == c["contract_id"]]
        n = len(errors(doubts))
        mark = "✗ " if missed.height else "– " if no_data else "✓ " if mine.height else ""
        counts = count_verdicts(mine["met"])
        rows.append(
            {
                "vendor": f"{c['vendor_id']} · {c['vendor_name']}",
                "contract_id": c["contract_id"],
                "targets": " · ".join(f"{m} {n}" for m, n in zip("✓✗–", counts)) if mine.height else none,
                "targets_marks": mark + "·".join(map(str, counts)) if mine.height else none,
                "missed_targets": missed_by_channel(missed, lang),
                "total": inv.total if inv else None,
                "change": inv.total - last.total if inv and last else None,
                "data_quality": " · ".join(
                    part for part in (f"✗ {n}" if n else "", f"⚠ {len(doubts) - n}" if len(doubts) > n else "") if part
                ),
                "currency": c["currency"],
                "_missed": missed.height,
                "_no_data": no_data,
                "_vendor_id": c["vendor_id"],
            }
        )
    return pl.DataFrame(
        rows, schema_overrides={"total": pl.Decimal(18, 2), "change": pl.Decimal(18, 2)}, infer_schema_length=None
    )


def missed_by_channel(missed: pl.DataFrame, lang: str) -> str:
    """'Phone: Answer rate, Service level (≤ 20 s); Chat: CSAT': the missed targets, each channel once."""
    by_channel: dict[str, list[str]] = {}
    for m in missed.iter_rows(named=True):
        name = target_label(m["channel"], m["metric"], m["threshold_seconds"], lang).split(" · ", 1)[1]
        by_channel.setdefault(m["channel"], []).append(name)
    return t("render.semicolon", lang).join(
        f"{value_name('channel', ch, lang)}{t('render.colon', lang)}{t('render.comma', lang).join(names)}"
        for ch, names in by_channel.items()
    )


def headline(card: pl.DataFrame, verdicts: pl.DataFrame, sel: common.Selection) -> None:
    invoices = _invoices(sel.month)
    shown = [invoices[c] for c in card["contract_id"] if c in invoices]
    billed: dict[str, Decimal] = {}
    credits: dict[str, Decimal] = {}
    for inv in shown:
        billed[inv.currency] = billed.get(inv.currency, Decimal(0)) + inv.total
        credits[inv.currency] = credits.get(inv.currency, Decimal(0)) + inv.credits
    a, b, c, d = st.columns(4)
    ok = card.filter((pl.col("_missed") == 0) & (pl.col("_no_data") == 0)).height  # no data is not a pass
    a.metric(tr("overview.vendors_ok"), f"{ok} / {card.height}", border=True)
    b.metric(tr("overview.target_counts"), " · ".join(map(str, count_verdicts(verdicts["met"]))), border=True)
    common.money_metric(c, tr("overview.billed"), billed)
    common.money_metric(d, tr("overview.credits"), credits)


def trend(sel: common.Selection, contracts: pl.DataFrame, verdicts: pl.DataFrame, lang: str) -> None:
    st.subheader(tr("overview.trend"))
    history = engine("history", sel.month).filter(pl.col("contract_id").is_in(contracts["contract_id"].to_list()))
    keys = (
        verdicts.sort(pl.col("met").fill_null(True))
        .select("channel", "metric", "threshold_seconds")
        .unique(maintain_order=True)
        .rows()
    )
    if not keys:
        return
    key = st.selectbox(
        tr("overview.trend_metric"), keys, key="overview-trend", format_func=lambda k: target_label(*k, lang)
    )
    channel, metric, threshold = key
    names = dict(zip(contracts["contract_id"], contracts["vendor_id"]))
    rows = history.filter(
        (pl.col("channel") == channel)
        & (pl.col("metric") == metric)
        & (pl.col("threshold_seconds").eq_missing(threshold))
    )
    df = rows.select(
        pl.col("month").map_elements(parse_month, return_dtype=pl.Date).alias("period"),
        "value",
        "met",
        pl.col("contract_id")
        .map_elements(lambda c: f"{c} · {names.get(c, '')}", return_dtype=pl.String)
        .alias("series"),
    )
    st.plotly_chart(
        charts.metric_trend(df, metric, rows["target"].unique().to_list(), lang), theme=None, key="overview-trend-chart"
    )


def receivables(card: pl.DataFrame) -> None:
    """Per vendor: what its issued invoices still lack and how much of it is past due, as of the
    page's as-of date (the same figures as `vendorboard payments --as-of`)."""
    st.subheader(tr("payments.title"))
    when = common.as_of("as_of-overview")
    found = engine("receivables", when)
    rows = [r for r in found.aging if r["vendor_id"] in card["_vendor_id"].to_list()]
    if not found.invoices:
        st.info(tr("msg.no_issued"), icon=":material/info:")
    elif not rows:
        st.success(tr("msg.no_receivables"), icon=":material/check_circle:")
    else:
        labels = dict(zip(card["_vendor_id"], card["vendor"]))
        frame = pl.DataFrame(
            [
                {
                    "vendor": labels[r["vendor_id"]],
                    "currency": r["currency"],
                    "outstanding": r["outstanding"],
                    "overdue": r["overdue"],
                }
                for r in rows
            ],
            schema_overrides={"outstanding": pl.Decimal(18, 2), "overdue": pl.Decimal(18, 2)},
        )
        currencies = frame["currency"].unique().to_list()
        common.table(
            frame.drop("currency") if len(currencies) == 1 else frame,
            "receivables",
            money=("outstanding", "overdue"),
            currency=currencies[0] if len(currencies) == 1 else None,
            file_name=f"outstanding-{when.isoformat()}",
        )
    waiting = [p for p in found.unapplied if p["vendor_id"] in card["_vendor_id"].to_list()]
    if waiting:
        st.caption(tr("msg.unapplied_count", n=len(waiting)))
    st.caption(tr("msg.payments_caption", date=when.isoformat()))


def main() -> None:
    sel = common.selection()
    common.page_header("overview", sel)
    if common.empty_database():
        return
    lang = common.language()
    contracts = engine("contracts", sel.month)
    if sel.vendor_id:
        contracts = contracts.filter(pl.col("vendor_id") == sel.vendor_id)
    if contracts.is_empty():
        st.info(tr("msg.no_contracts", month=month_label(sel.month)), icon=":material/info:")
        return
    shown = contracts["contract_id"].to_list()
    found = [
        f
        for f in engine("findings", sel.month, None)
        if f.contract_id in shown or (f.contract_id is None and not sel.vendor_id)
    ]
    if {f.contract_id for f in found if f.check == "no_data"} >= set(shown):
        st.info(tr("msg.no_data_at_all", month=month_label(sel.month)), icon=":material/info:")
        return
    verdicts = engine("verdicts", sel.month).filter(pl.col("contract_id").is_in(shown))
    card = scorecard(verdicts, contracts, sel, lang, found)
    headline(card, verdicts, sel)
    common.findings_box(found, "overview", expanded=False)

    st.subheader(tr("overview.scorecard"))
    scorecard_table(card, sel)
    caption = "msg.caption_overview" if common.principal().scope.drafts else "portal.caption_overview"
    st.caption(tr(caption, month=month_label(sel.month)))
    failing = card.filter(pl.col("_missed") > 0)
    if failing.height:
        cols = st.columns(min(failing.height, 4))
        for i, row in enumerate(failing.iter_rows(named=True)):
            cols[i % len(cols)].button(
                tr("overview.why", contract=row["contract_id"]),
                key=f"why-{row['contract_id']}",
                type="primary",
                icon=":material/search:",
                on_click=common.go_to,
                args=("compliance",),
                kwargs={"vendor": row["_vendor_id"], "contract": row["contract_id"]},
            )

    receivables(card)

    if verdicts.height:
        st.subheader(tr("overview.heatmap"))
        vendor_of = dict(zip(card["contract_id"], card["vendor"]))
        grid = verdicts.with_columns(pl.col("contract_id").replace_strict(vendor_of).alias("vendor"))
        wide, narrow = common.wide_and_narrow("heatmap")
        wide.plotly_chart(charts.met_heatmap(grid, lang), theme=None, key="overview-heatmap")
        narrow.markdown(who_met_what(grid, lang))
        trend(sel, contracts, verdicts, lang)


def scorecard_table(card: pl.DataFrame, sel: common.Selection) -> None:
    """One row per vendor. On a desktop every column, the missed targets and the vendor wrapping; on
    a phone the vendor, its verdicts counted and its total (the heat map's list below names the misses)."""
    currencies = card["currency"].unique().to_list()
    one = currencies[0] if len(currencies) == 1 else None
    shown = card.drop("_missed", "_no_data", "_vendor_id", *(["currency"] if one else []))
    wide, narrow = common.wide_and_narrow("scorecard")
    with wide:
        common.table(
            shown.drop("targets_marks"),
            "scorecard",
            money=("total", "change"),
            currency=one,
            wide=("vendor", "missed_targets"),
            wide_px=200,
            file_name=f"scorecard-{month_label(sel.month)}",
        )
    with narrow:
        common.table(
            shown.select("vendor", "targets_marks", "total"),
            "scorecard-phone",
            money=("total",),
            currency=one,
            wide=("vendor",),
            wide_px=120,
            downloadable=False,
        )


def who_met_what(grid: pl.DataFrame, lang: str) -> str:
    """The heat map as a list, for a phone: per vendor its missed targets in words (value against
    target), then those met and those without data."""
    blocks = []
    for vendor, rows in grid.group_by("vendor", maintain_order=True):
        lines = []
        for r in sorted(rows.iter_rows(named=True), key=lambda r: {False: 0, True: 1, None: 2}[r["met"]]):
            label = target_label(r["channel"], r["metric"], r["threshold_seconds"], lang)
            if r["met"] is False:
                said = render.missed_target(
                    r["channel"], r["metric"], r["value"], r["target"], r["threshold_seconds"], lang
                )
                lines.append(f"- ✗ {said}")
            else:
                shown = metric_value(r["metric"], r["value"], lang) if r["met"] else t("verdict.no_data", lang)
                lines.append(f"- {'✓' if r['met'] else '–'} {label} · {shown}")
        blocks.append(f"**{vendor[0]}**\n\n" + "\n".join(lines))
    return "\n\n".join(blocks)


main()
