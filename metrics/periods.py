"""Months as users type them (YYYY-MM) and as the engine uses them (first day, exclusive end)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from metrics.errors import VendorboardError

Days = tuple[dt.date, ...] | frozenset[dt.date] | None  # local days of a month to measure (None: all of them)
Touched = dict[dt.date, dict[str, Days]]  # month -> interaction table -> the days a write moved (None: all)


def parse_month(text: str, argument: str = "--month") -> dt.date:
    """'2026-10' -> date(2026, 10, 1); anything else is a one-line error naming the argument."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise VendorboardError(f"{argument} must be a month as YYYY-MM (got '{text}')")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the following month, as an exclusive end. After December 9999 (the last month
    a date holds) it is date.max: no data is ever later, and nothing crashes on such a month."""
    if (month.year, month.month) == (dt.MAXYEAR, 12):
        return dt.date.max
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held within the dates a date holds: a margin of days around the first
    or the last month never overflows."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def last_day(month: dt.date) -> dt.date:
    """The month's last day: the date a monthly report looks at payments from."""
    return next_month(month) - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before (January of year 1 has none: it is its own)."""
    if (month.year, month.month) == (dt.MINYEAR, 1):
        return dt.date.min
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _local(day: dt.date) -> str:
    return f"TIMESTAMP '{day.isoformat()}'"


def runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as [first, end) ranges."""
    found: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if found and found[-1][1] == day:
            found[-1] = (found[-1][0], add_days(day, 1))
        else:
            found.append((day, add_days(day, 1)))
    return found


def month_filter(month: dt.date, days: Days = None, column: str = "local_start") -> str:
    """SQL: `column` (a local timestamp) in the month, or on one of its `days` (those in the month).
    Plain ranges, so a scan skips the row groups outside them."""
    end = next_month(month)
    if days is None:
        return f"{column} >= {_local(month)} AND {column} < {_local(end)}"
    spans = runs(d for d in days if month <= d < end) or [(month, month)]
    within = " OR ".join(f"({column} >= {_local(lo)} AND {column} < {_local(hi)})" for lo, hi in spans)
    return f"{column} >= {_local(spans[0][0])} AND {column} < {_local(spans[-1][1])} AND ({within})"
