"""The month's SLA figures and usage quantities in plain pandas: what an analyst would write instead.

`make bench` times this against vendorboard's month compute and checks that both give the same
numbers. It is written the way a careful analyst would: one vectorised expression per metric over
the contract's rows of the month, a loop only over the handful of targets, rate ladders and
service days — never over interactions. Durations are integer microseconds, so it is as exact as
the engine (a float would flip a 20.000 s wait). It covers the metrics, clocks and units that
the benchmark's contracts use, plus the other per-interaction phone metrics; `coverage_rate`
is not written (the benchmark's contracts do not set it) and raises.

Not part of the product: it runs only in the benchmark, which installs pandas (the `bench` extra).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd

US = 1_000_000
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOWER_IS_BETTER = {"asa_seconds", "aht_seconds", "first_response_seconds"}

# The columns the analyst reads (the ids and free text are not needed for a month's figures).
COLUMNS = {
    "calls": "contract_id, local_start, offered_at, answered_at, ended_at, hold_seconds, wrap_seconds, csat",
    "chats": "contract_id, local_start, started_at, first_response_at, csat",
    "emails": "contract_id, local_start, received_at, first_reply_at, replies, csat",
    "visits": "contract_id, local_start, status, questions_audited, questions_correct, csat",
    "agent_sessions": "vendor_id, agent_id, channel, login_at, logout_at",
    "vendors": "*",
    "contracts": "*",
    "rates": "*",
    "sla_targets": "*",
    "service_hours": "*",
    "holidays": "*",
}
CHANNEL_TABLE = {"phone": "calls", "chat": "chats", "email": "emails", "onsite": "visits"}
START = {"phone": "offered_at", "chat": "started_at", "email": "received_at"}


def load(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Every table the figures need as a DataFrame (the analyst's data, already in memory)."""
    return {table: con.sql(f"SELECT {cols} FROM {table}").df() for table, cols in COLUMNS.items()}


def micros(delta: pd.Series) -> pd.Series:
    """A timedelta column as integer microseconds (nullable)."""
    return (delta // pd.Timedelta(microseconds=1)).astype("Int64")


def utc_us(ts: pd.Timestamp) -> int:
    return ts.value // 1000


# ---- service hours and the business clock ------------------------------------------------------


def service_windows(
    t: dict[str, pd.DataFrame], contract: pd.Series, channel: str, first: dt.date, last: dt.date
) -> list[tuple[int, int]]:
    """[start, end) in epoch µs of the channel's service hours on each active day first..last."""
    tz = t["vendors"].set_index("vendor_id").loc[contract.vendor_id, "timezone"]
    rows = t["service_hours"][
        (t["service_hours"].contract_id == contract.contract_id) & (t["service_hours"].channel == channel)
    ]
    holidays = t["holidays"][t["holidays"].vendor_id == contract.vendor_id]
    kinds = dict(zip(holidays.date.dt.date, holidays.kind))
    begin = max(first, contract.start_date.date())
    end = last if pd.isna(contract.end_date) else min(last, contract.end_date.date())
    windows = []
    for day in pd.date_range(begin, end, freq="D").date:
        if rows.empty:
            shifts = [(0, 1440)]
        elif kinds.get(day) == "closed":
            continue
        else:
            weekday = day.isoweekday() <= 5 or kinds.get(day) == "workday"
            shifts = sorted(
                (r.open, r.close)
                for r in rows.itertuples()
                if r.days == "daily"
                or (r.days == "weekdays" and weekday)
                or (r.days == "weekends" and not weekday)
                or DAY_NAMES[day.weekday()] in r.days.split(",")
            )
        for open_, close in shifts:
            local = [pd.Timestamp(day) + pd.Timedelta(minutes=int(m)) for m in (open_, close)]
            s, e = (utc_us(x.tz_localize(tz, ambiguous=True, nonexistent=pd.Timedelta(hours=1))) for x in local)
            if windows and s <= windows[-1][1]:  # overlapping shifts, or touching days: one window
                windows[-1] = (windows[-1][0], max(windows[-1][1], e))
            elif e > s:
                windows.append((s, e))
    return windows


def clock_reading(windows: list[tuple[int, int]], at_us: np.ndarray) -> np.ndarray:
    """Service µs from the first window up to each instant (searchsorted over the windows)."""
    starts = np.array([s for s, _ in windows], dtype=np.int64)
    lengths = np.array([e - s for s, e in windows], dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    i = np.searchsorted(starts, at_us, side="right") - 1
    inside = np.minimum(at_us - starts[np.maximum(i, 0)], lengths[np.maximum(i, 0)])
    return np.where(i < 0, 0, before[np.maximum(i, 0)] + inside)


def business_us(t, contract, channel, month, start: pd.Series, until: pd.Series) -> pd.Series:
    """Business µs from `start` to `until` (null where `until` is null)."""
    last = until.max()
    horizon = max(next_month(month), (last.date() + dt.timedelta(days=2)) if pd.notna(last) else month)
    windows = service_windows(t, contract, channel, month, horizon)
    has = until.notna()
    a = start.dt.tz_convert(None).to_numpy().astype("datetime64[us]").view("int64")
    b = until.fillna(start).dt.tz_convert(None).to_numpy().astype("datetime64[us]").view("int64")
    out = pd.Series(clock_reading(windows, b) - clock_reading(windows, a), index=start.index, dtype="Int64")
    return out.where(has)


# ---- SLA metrics ---------------------------------------------------------------------------------


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def of_month(df: pd.DataFrame, contract_id: str, month: dt.date) -> pd.DataFrame:
    return df[
        (df.contract_id == contract_id)
        & (df.local_start >= pd.Timestamp(month))
        & (df.local_start < pd.Timestamp(next_month(month)))
    ]


def csat(rows: pd.DataFrame) -> tuple[Decimal, Decimal]:
    scored = rows.csat.dropna()
    return Decimal(int((scored * 100).round().sum())) / 100, Decimal(len(scored))


def phone(rows, target, clocked) -> tuple[Decimal, Decimal]:
    answered = rows.answered_at.notna()
    wait_calendar = micros(rows.answered_at.fillna(rows.ended_at) - rows.offered_at)
    wait = (
        clocked(rows.offered_at, rows.answered_at.fillna(rows.ended_at))
        if target.clock == "business"
        else wait_calendar
    )
    short = ~answered & (wait_calendar < round(target.short_abandon_seconds * US))
    threshold = None if pd.isna(target.threshold_seconds) else round(target.threshold_seconds * US)
    m = target.metric
    if m == "answer_rate":
        return Decimal(int((answered & ~short).sum())), Decimal(int((~short).sum()))
    if m == "abandon_rate":
        return Decimal(int((~answered & ~short).sum())), Decimal(int((~short).sum()))
    if m == "asa_seconds":
        return Decimal(int(wait[answered].sum())) / US, Decimal(int(answered.sum()))
    if m == "aht_seconds":
        a = rows[answered]
        handle = (
            micros(a.ended_at - a.answered_at)
            + (a.hold_seconds * US).round().astype("Int64")
            + (a.wrap_seconds * US).round().astype("Int64")
        )
        return Decimal(int(handle.sum())) / US, Decimal(len(a))
    if m == "service_level":
        within = wait <= threshold
        if target.sl_abandons == "exclude_all":
            return Decimal(int((within & answered).sum())), Decimal(int(answered.sum()))
        if target.sl_abandons == "count_as_met":
            return Decimal(int(within.sum())), Decimal(len(rows))
        return Decimal(int((within & answered & ~short).sum())), Decimal(int((~short).sum()))
    if m == "csat":
        return csat(rows)
    raise NotImplementedError(f"phone {m}")


def chat(rows, target, clocked) -> tuple[Decimal, Decimal]:
    response = (
        clocked(rows.started_at, rows.first_response_at)
        if target.clock == "business"
        else micros(rows.first_response_at - rows.started_at)
    )
    responded = rows.first_response_at.notna()
    m = target.metric
    if m == "first_response_seconds":
        return Decimal(int(response[responded].sum())) / US, Decimal(int(responded.sum()))
    if m == "response_rate":
        return Decimal(int(responded.sum())), Decimal(len(rows))
    if m == "service_level":
        return Decimal(int((response <= round(target.threshold_seconds * US)).fillna(False).sum())), Decimal(len(rows))
    if m == "csat":
        return csat(rows)
    raise NotImplementedError(f"chat {m}")


def email(rows, target, clocked) -> tuple[Decimal, Decimal]:
    if target.metric == "csat":
        return csat(rows)
    if target.metric != "reply_within_rate":
        raise NotImplementedError(f"email {target.metric}")
    reply = (
        clocked(rows.received_at, rows.first_reply_at)
        if target.clock == "business"
        else micros(rows.first_reply_at - rows.received_at)
    )
    return Decimal(int((reply <= round(target.threshold_seconds * US)).fillna(False).sum())), Decimal(len(rows))


def onsite(rows, target, clocked) -> tuple[Decimal, Decimal]:
    if target.metric == "csat":
        return csat(rows)
    if target.metric != "accuracy":
        raise NotImplementedError(f"onsite {target.metric}")
    audited = rows[(rows.status == "completed") & (rows.questions_audited > 0)]
    return Decimal(int(audited.questions_correct.sum())), Decimal(int(audited.questions_audited.sum()))


def merged_sessions(sessions: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Overlapping or touching sessions of one key merged into one interval (login_at, logout_at)."""
    s = sessions.sort_values([*keys, "login_at", "logout_at"])
    s = s.assign(reach=s.groupby(keys, sort=False).logout_at.cummax())
    reach = s.groupby(keys, sort=False).reach.shift()  # the latest logout of the key's earlier sessions
    s = s.assign(run=(reach.isna() | (s.login_at > reach)).cumsum())
    return (
        s.groupby([*keys, "run"], sort=False)
        .agg(login_at=("login_at", "min"), logout_at=("logout_at", "max"))
        .reset_index()
    )


def weekly_min_hours(t, contract, month, target) -> tuple[Decimal, Decimal]:
    """Agent-weeks (ISO weeks whose Thursday is in the month and in the contract) reaching the threshold."""
    tz = t["vendors"].set_index("vendor_id").loc[contract.vendor_id, "timezone"]
    first = month + dt.timedelta(days=(3 - month.weekday()) % 7)  # the month's first Thursday
    thursdays = [
        d
        for d in pd.date_range(first, next_month(month) - dt.timedelta(days=1), freq="7D").date
        if d >= contract.start_date.date() and (pd.isna(contract.end_date) or d <= contract.end_date.date())
    ]
    sessions = t["agent_sessions"][t["agent_sessions"].vendor_id == contract.vendor_id]
    merged = merged_sessions(sessions, ["agent_id"])
    met = weeks = 0
    for thursday in thursdays:
        monday = pd.Timestamp(thursday - dt.timedelta(days=3))
        lo, hi = (
            x.tz_localize(tz, ambiguous=True, nonexistent=pd.Timedelta(hours=1))
            for x in (monday, monday + pd.Timedelta(days=7))
        )
        logged = micros(merged.logout_at.clip(upper=hi) - merged.login_at.clip(lower=lo)).clip(lower=0)
        per_agent = logged.groupby(merged.agent_id).sum()
        per_agent = per_agent[per_agent > 0]
        weeks += len(per_agent)
        met += int((per_agent >= round(target.threshold_seconds * US)).sum())
    return Decimal(met), Decimal(weeks)


METRIC_OF_CHANNEL = {"phone": phone, "chat": chat, "email": email, "onsite": onsite}


def targets_in_force(t, month) -> pd.DataFrame:
    start, end = pd.Timestamp(month), pd.Timestamp(next_month(month))
    c = t["contracts"]
    active = c[(c.start_date < end) & (c.end_date.isna() | (c.end_date >= start))]
    s = t["sla_targets"]
    s = s[(s.effective_from.isna() | (s.effective_from <= start)) & (s.effective_to.isna() | (s.effective_to >= end))]
    return s.merge(active[["contract_id", "vendor_id", "short_abandon_seconds", "sl_abandons"]], on="contract_id")


def sla(t: dict[str, pd.DataFrame], month: dt.date) -> dict[tuple, tuple]:
    """{(contract_id, channel, metric, threshold_seconds, clock): (numerator, denominator, value, met)}."""
    contracts = t["contracts"].set_index("contract_id", drop=False)
    out = {}
    rows_of: dict[tuple[str, str], pd.DataFrame] = {}
    for target in targets_in_force(t, month).itertuples():
        contract = contracts.loc[target.contract_id]
        if target.metric == "weekly_min_hours":
            num, den = weekly_min_hours(t, contract, month, target)
        elif target.metric == "coverage_rate":
            raise NotImplementedError("coverage_rate")
        else:
            key = (target.contract_id, target.channel)
            if key not in rows_of:
                rows_of[key] = of_month(t[CHANNEL_TABLE[target.channel]], target.contract_id, month)

            def clocked(a, b, contract=contract, channel=target.channel):
                return business_us(t, contract, channel, month, a, b)

            num, den = METRIC_OF_CHANNEL[target.channel](rows_of[key], target, clocked)
        goal = Decimal(str(target.target))
        met = None if den == 0 else (num <= goal * den if target.metric in LOWER_IS_BETTER else num >= goal * den)
        threshold = None if pd.isna(target.threshold_seconds) else Decimal(str(target.threshold_seconds))
        out[(target.contract_id, target.channel, target.metric, threshold, target.clock)] = (
            num,
            den,
            None if den == 0 else float(num) / float(den),
            met,
        )
    return out


# ---- usage quantities ----------------------------------------------------------------------------


def ladders(t, month) -> pd.DataFrame:
    """One row per (contract, channel, unit) in force, with the increment of its lowest tier."""
    r = t["rates"]
    start = pd.Timestamp(month)
    r = r[(r.effective_from.isna() | (r.effective_from <= start)) & (r.effective_to.isna() | (r.effective_to > start))]
    r = r.assign(low=r.tier_from.fillna(0)).sort_values("low")
    return r.groupby(["contract_id", "channel", "unit"], as_index=False).first()


def hour_seconds(t, contract, channel, month, increment) -> int:
    """Merged agent sessions on the channel inside its service windows, each piece rounded up."""
    windows = pd.DataFrame(
        service_windows(t, contract, channel, month, next_month(month) - dt.timedelta(days=1)), columns=["ws", "we"]
    )
    s = t["agent_sessions"]
    lo = pd.Timestamp(month, tz="UTC") - pd.Timedelta(days=2)
    hi = pd.Timestamp(next_month(month), tz="UTC") + pd.Timedelta(days=2)
    s = s[(s.vendor_id == contract.vendor_id) & (s.channel == channel) & (s.login_at < hi) & (s.logout_at > lo)]
    m = merged_sessions(s, ["agent_id"])
    m = m.assign(
        s=m.login_at.dt.tz_convert(None).to_numpy().astype("datetime64[us]").view("int64"),
        e=m.logout_at.dt.tz_convert(None).to_numpy().astype("datetime64[us]").view("int64"),
    )
    pieces = m[["s", "e"]].merge(windows, how="cross")
    pieces = pieces[(pieces.s < pieces.we) & (pieces.ws < pieces.e)]
    us = np.minimum(pieces.e, pieces.we) - np.maximum(pieces.s, pieces.ws)
    step = increment * US
    return int(((us + step - 1) // step * increment).sum())


def quantities(t: dict[str, pd.DataFrame], month: dt.date) -> dict[tuple[str, str, str], int]:
    """{(contract_id, channel, unit): quantity in base units (seconds or counts)} with usage."""
    contracts = t["contracts"].set_index("contract_id", drop=False)
    out = {}
    for ladder in ladders(t, month).itertuples():
        contract = contracts.loc[ladder.contract_id]
        if ladder.unit == "hour":
            q = hour_seconds(t, contract, ladder.channel, month, ladder.increment_seconds)
        else:
            rows = of_month(t[CHANNEL_TABLE[ladder.channel]], ladder.contract_id, month)
            handled = {
                "phone": rows.get("answered_at"),
                "chat": rows.get("first_response_at"),
                "email": rows.get("first_reply_at"),
            }.get(ladder.channel)
            rows = rows[rows.status == "completed"] if ladder.channel == "onsite" else rows[handled.notna()]
            if ladder.unit == "minute":
                step = ladder.increment_seconds * US
                talk = micros(rows.ended_at - rows.answered_at)
                q = int(((talk + step - 1) // step * ladder.increment_seconds).sum())
            elif ladder.unit == "email":
                q = int(rows.replies.sum())
            else:  # visit, contact
                q = len(rows)
        if q:
            out[(ladder.contract_id, ladder.channel, ladder.unit)] = q
    return out


def month_figures(t: dict[str, pd.DataFrame], month: dt.date) -> tuple[dict, dict]:
    """What the benchmark times: the month's SLA figures and usage quantities of every contract."""
    return sla(t, month), quantities(t, month)
