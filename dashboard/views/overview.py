"""Overview: who is failing this month, at one glance. Headline figures, one row per vendor
(targets met of targets set, billed total, change from last month), the vendor × target heat map
of met / missed, and the trend of a metric over the last months; a button per failing vendor
opens its Compliance page."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import charts
from metrics.i18n import target_label
from metrics.periods import month_label, parse_month, previous_month


def _invoices(month) -> dict:
    return {inv.contract_id: inv for inv, _ in engine("invoices", month)}


def scorecard(verdicts: pl.DataFrame, contracts: pl.DataFrame, sel: common.Selection, lang: str) -> pl.DataFrame:
    now, before = _invoices(sel.month), _invoices(previous_month(sel.month))
    rows = []
    for c in contracts.iter_rows(named=True):
        mine = verdicts.filter(pl.col("contract_id") == c["contract_id"])
        missed = mine.filter(pl.col("met") == False)  # noqa: E712  (null = no data, not missed)
        inv, last = now.get(c["contract_id"]), before.get(c["contract_id"])
        rows.append(
            {
                "vendor": f"{c['vendor_id']} · {c['vendor_name']}",
                "contract_id": c["contract_id"],
                "targets_met": ("✗ " if missed.height else "✓ ") + f"{mine['met'].sum()} / {mine.height}",
                "total": inv.total if inv else None,
                "change": inv.total - last.total if inv and last else None,
                "currency": c["currency"],
                "missed_targets": ", ".join(
                    target_label(m["channel"], m["metric"], m["threshold_seconds"], lang)
                    for m in missed.iter_rows(named=True)
                ),
                "_missed": missed.height,
                "_vendor_id": c["vendor_id"],
            }
        )
    return pl.DataFrame(
        rows, schema_overrides={"total": pl.Decimal(18, 2), "change": pl.Decimal(18, 2)}, infer_schema_length=None
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
    ok = card.filter(pl.col("_missed") == 0).height
    a.metric(tr("overview.vendors_ok"), f"{ok} / {card.height}", border=True)
    measured = verdicts.filter(pl.col("met").is_not_null()).height
    b.metric(tr("overview.missed"), f"{int(card['_missed'].sum())} / {measured}", border=True)
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
    if not sel.has_data:
        st.warning(tr("msg.no_data_month", month=month_label(sel.month)), icon=":material/warning:")
    verdicts = engine("verdicts", sel.month).filter(pl.col("contract_id").is_in(contracts["contract_id"].to_list()))
    card = scorecard(verdicts, contracts, sel, lang)
    headline(card, verdicts, sel)

    st.subheader(tr("overview.scorecard"))
    currencies = card["currency"].unique().to_list()
    common.table(
        card.drop("_missed", "_vendor_id", *(["currency"] if len(currencies) == 1 else [])),
        "scorecard",
        money=("total", "change"),
        currency=currencies[0] if len(currencies) == 1 else None,
        file_name=f"scorecard-{month_label(sel.month)}",
    )
    st.caption(tr("msg.caption_overview", month=month_label(sel.month)))
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

    if verdicts.height:
        st.subheader(tr("overview.heatmap"))
        vendor_of = dict(zip(card["contract_id"], card["vendor"]))
        grid = verdicts.with_columns(pl.col("contract_id").replace_strict(vendor_of).alias("vendor"))
        st.plotly_chart(charts.met_heatmap(grid, lang), theme=None, key="overview-heatmap")
        trend(sel, contracts, verdicts, lang)


main()
