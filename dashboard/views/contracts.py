"""Contracts: every contract at a glance, then the picked contract's terms, rate card with tiers,
SLA targets, service hours and its vendor's holidays, as loaded."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics.domain import CHANNELS
from metrics.i18n import duration, metric_value, money, percent, value_name


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(days: str, lang: str) -> str:
    """'daily' / 'weekdays' / 'weekends' in words, or 'mon,tue,sat' as day names."""
    if days in ("daily", "weekdays", "weekends"):
        return value_name("days", days, lang)
    return ", ".join(value_name("day", d.strip(), lang) for d in days.split(","))


def terms(contract: dict, lang: str) -> pl.DataFrame:
    cur = contract["currency"]
    rows = [
        ("vendor", f"{contract['vendor_id']} · {contract['vendor_name']}"),
        ("payee", contract["payee"]),
        ("start_date", str(contract["start_date"])),
        ("end_date", str(contract["end_date"] or "–")),
        ("currency", cur),
        ("monthly_fee", money(contract["monthly_fee"], cur)),
        ("monthly_minimum", money(contract["monthly_minimum"], cur)),
        ("tax_rate", percent(contract["tax_rate"])),
        ("payment_due_day", str(contract["payment_due_day"])),
        ("credit_cap_rate", percent(contract["credit_cap_rate"], 0)),
        ("short_abandon_seconds", duration(contract["short_abandon_seconds"], lang)),
        ("sl_abandons", value_name("sl_abandons", contract["sl_abandons"], lang)),
        ("late_payment_rate", percent(contract["late_payment_rate"], 3) or "–"),
    ]
    return pl.DataFrame({"term": [common.header(k, lang) for k, _ in rows], "setting": [v for _, v in rows]})


def main() -> None:
    sel = common.selection()
    common.page_header("contracts", sel)
    if common.empty_database():
        return
    lang = common.language()
    everyone = engine("contracts", None)
    if sel.vendor_id:
        everyone = everyone.filter(pl.col("vendor_id") == sel.vendor_id)
    common.table(
        everyone.select(
            "contract_id", "vendor_id", "vendor_name", "start_date", "end_date", "currency", "monthly_fee", "payee"
        ).rename({"vendor_id": "vendor", "vendor_name": "name"}),
        "contracts",
        money=("monthly_fee",),
        file_name="contracts",
    )

    chosen = sel.contract_id or (everyone["contract_id"][0] if everyone.height else None)
    if chosen is None:
        return
    contract = everyone.filter(pl.col("contract_id") == chosen).row(0, named=True)
    st.header(f"{chosen} · {contract['vendor_name']}")
    cur = contract["currency"]

    left, right = st.columns([2, 3])
    with left:
        st.subheader(tr("contracts.terms"))
        common.table(terms(contract, lang), f"terms-{chosen}", file_name=f"terms-{chosen}")
    with right:
        st.subheader(tr("contracts.rates"))
        rates = engine("rate_card", chosen)
        if rates.is_empty():
            st.info(tr("msg.no_rates"), icon=":material/info:")
        else:
            common.table(
                rates,
                f"rates-{chosen}",
                money=("tier_flat_fee",),
                currency=cur,
                counts=("increment_seconds",),
                numbers=("unit_price", "tier_from", "tier_to"),
                enums={"channel": "channel", "unit": "unit", "tier_mode": "tier_mode"},
                file_name=f"rates-{chosen}",
            )
        st.caption(f"{common.header('unit_price', lang)}: {cur}")

    st.subheader(tr("contracts.targets"))
    targets = engine("targets", chosen)
    if targets.is_empty():
        st.info(tr("msg.no_targets", contract=chosen, month="–"), icon=":material/info:")
    else:
        shown = targets.with_columns(
            pl.struct("metric", "target")
            .map_elements(lambda r: metric_value(r["metric"], r["target"], lang, 2), return_dtype=pl.String)
            .alias("target"),
            pl.col("threshold_seconds").map_elements(lambda s: duration(s, lang), return_dtype=pl.String),
        )
        common.table(
            shown,
            f"targets-{chosen}",
            percent=("credit_rate",),
            enums={"channel": "channel", "metric": "metric", "clock": "clock", "credit_base": "base"},
            file_name=f"targets-{chosen}",
        )

    left, right = st.columns(2)
    with left:
        st.subheader(tr("contracts.hours"))
        hours = engine("service_hours", chosen)
        served = set(rates["channel"]) | set(targets["channel"])
        rows = [
            {
                "channel": r["channel"],
                "days": _days(r["days"], lang),
                "hours": f"{_hhmm(r['open'])}–{_hhmm(r['close'])}",
            }
            for r in hours.iter_rows(named=True)
        ]
        rows += [
            {"channel": c, "days": value_name("days", "daily", lang), "hours": tr("hours.always")}
            for c in CHANNELS
            if c in served and c not in set(hours["channel"])
        ]
        common.table(
            pl.DataFrame(rows, schema={"channel": pl.String, "days": pl.String, "hours": pl.String}),
            f"hours-{chosen}",
            enums={"channel": "channel"},
            file_name=f"service-hours-{chosen}",
        )
        st.caption(tr("msg.hours_24_7"))
    with right:
        st.subheader(tr("contracts.holidays"))
        common.table(
            engine("holidays", contract["vendor_id"]),
            f"holidays-{chosen}",
            enums={"kind": "holiday"},
            file_name=f"holidays-{contract['vendor_id']}",
        )


main()
