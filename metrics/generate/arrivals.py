"""When customers contact a vendor and when its agents work.

Demand is a weight per local hour slot (day x hour-of-day): a daily profile per kind of
channel, a weekday factor, the vendor's holidays and service hours, and the contract's start.
Arrivals are drawn from these slots, so any volume follows the same pattern without a loop
per row. Times are int64 milliseconds of local wall-clock time, as the files carry them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .contracts import HOLIDAY_DATES, HOLIDAY_VENDORS, SERVICE_HOURS, VENDOR, contract_starts

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

# Where a contract sets no service hours the channel is open 24/7, but agents still keep office
# hours for work that can wait: e-mails are answered 08-22, visits happen on working days.
WORK_HOURS = {
    "phone": ("daily", "00:00", "24:00"),
    "chat": ("daily", "00:00", "24:00"),
    "email": ("daily", "08:00", "22:00"),
    "onsite": ("weekdays", "09:00", "18:00"),
}

# Relative demand per local hour 0-23: phone peaks 9-11 and 14-17; e-commerce chat peaks in the
# evening; visits follow office hours with a lunch dip.
PROFILE = {
    "phone": (
        0.15,
        0.1,
        0.08,
        0.06,
        0.06,
        0.1,
        0.25,
        0.5,
        0.9,
        1.5,
        1.7,
        1.6,
        1.1,
        1.0,
        1.4,
        1.5,
        1.5,
        1.4,
        1.0,
        0.9,
        0.8,
        0.6,
        0.4,
        0.25,
    ),
    "shop": (
        0.4,
        0.25,
        0.15,
        0.1,
        0.1,
        0.1,
        0.15,
        0.3,
        0.6,
        1.0,
        1.3,
        1.2,
        1.0,
        0.9,
        1.0,
        1.1,
        1.0,
        0.9,
        0.9,
        1.1,
        1.4,
        1.6,
        1.4,
        0.8,
    ),
    "email": (
        0.3,
        0.2,
        0.15,
        0.1,
        0.1,
        0.15,
        0.3,
        0.6,
        1.0,
        1.3,
        1.4,
        1.3,
        1.0,
        1.1,
        1.3,
        1.3,
        1.2,
        1.0,
        0.8,
        0.7,
        0.7,
        0.6,
        0.5,
        0.4,
    ),
    "onsite": (1.0,) * 12 + (0.6,) + (1.0,) * 11,
}
WEEKDAY = {  # Monday .. Sunday
    "phone": (1.15, 1.0, 1.0, 0.95, 1.0, 0.7, 0.6),
    "shop": (0.95, 0.95, 0.95, 0.95, 1.0, 1.15, 1.2),
    "email": (1.2, 1.05, 1.0, 1.0, 0.95, 0.5, 0.45),
    "onsite": (1.0,) * 7,
}
# Telecom customers chat when they would call; e-commerce shoppers chat in the evening.
DEMAND_KIND = {("V-TEL", "chat"): "phone", ("V-PT", "chat"): "shop", ("V-HOME", "chat"): "shop"}
HOLIDAY_DEMAND = {"phone": 1.5, "email": 0.6}  # on closed days: the phone lines get the rush
ONLY_WHEN_OPEN = {"chat", "onsite"}  # customers reach these only inside service hours
OUT_OF_CONTRACT = 0.03  # demand before a contract starts, relative to after


@dataclass(frozen=True)
class Period:
    """The local days of the requested months, with each day's month index."""

    months: tuple[str, ...]
    days: np.ndarray  # datetime64[D], ascending
    month_of_day: np.ndarray

    @classmethod
    def of(cls, months: tuple[str, ...]) -> Period:
        if not months or any(not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", m) for m in months):
            raise ValueError(f"months must be YYYY-MM strings, got {months!r}")
        months = tuple(sorted(set(months)))
        spans = [np.arange(np.datetime64(m, "D"), np.datetime64(m, "M") + 1) for m in months]
        return cls(months, np.concatenate(spans), np.repeat(np.arange(len(months)), [len(s) for s in spans]))

    @property
    def day_ms(self) -> np.ndarray:
        return self.days.astype("datetime64[ms]").astype(np.int64)

    def in_months(self, months: list[str]) -> np.ndarray:
        """bool per day: the day lies in one of these months."""
        return np.isin(np.asarray(self.months), months)[self.month_of_day]

    def weeks(self) -> np.ndarray:
        """Mondays of the ISO weeks touching the period."""
        mondays = self.days - weekday(self.days)
        return np.unique(mondays)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (days.astype(np.int64) + 3) % 7


def _calendar(vendor_id: str, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """bool per day: a closed holiday, a make-up working day (holidays rows of the vendor)."""
    holidays = HOLIDAY_DATES if vendor_id in HOLIDAY_VENDORS else ()
    closed, makeup = ([d for d, k, _ in holidays if k == kind] for kind in ("closed", "workday"))
    return np.isin(days, np.array(closed, "datetime64[D]")), np.isin(days, np.array(makeup, "datetime64[D]"))


def _hours_mask(rows: list[tuple[str, ...]], closed: np.ndarray, makeup: np.ndarray, days: np.ndarray) -> np.ndarray:
    """bool[day, hour] of service_hours rows (whole hours): closed days have no hours, make-up
    workdays take the weekday rows and not the weekend ones."""
    is_weekday = (weekday(days) < 5) | makeup
    applies = {"daily": np.ones(len(days), bool), "weekdays": is_weekday, "weekends": ~is_weekday}
    mask = np.zeros((len(days), 24), bool)
    hour = np.arange(24)
    for days_spec, open_, close in rows:
        in_hours = (hour >= int(open_[:2])) & (hour < int(close[:2]))
        mask |= (applies[days_spec] & ~closed)[:, None] & in_hours[None, :]
    return mask


def _service_rows(vendor_id: str, channel: str) -> list[tuple[str, ...]]:
    contract = VENDOR[vendor_id].contract_id
    return [r[2:] for r in SERVICE_HOURS if r[:2] == (contract, channel)]


def service_hours(vendor_id: str, channel: str, days: np.ndarray) -> np.ndarray:
    """When the contract serves the channel (24/7 without rows)."""
    rows = _service_rows(vendor_id, channel)
    return _hours_mask(rows, *_calendar(vendor_id, days), days) if rows else np.ones((len(days), 24), bool)


def work_hours(vendor_id: str, channel: str, days: np.ndarray) -> np.ndarray:
    """When agents work the channel: its service hours, or else the usual office hours (to which
    holidays don't apply, as they change only channels with service hours)."""
    if _service_rows(vendor_id, channel):
        return service_hours(vendor_id, channel, days)
    no_day = np.zeros(len(days), bool)
    return _hours_mask([WORK_HOURS[channel]], no_day, no_day, days)


def demand(vendor_id: str, channel: str, period: Period) -> np.ndarray:
    """Relative arrival weight of every local hour slot of the period, shape (days, 24)."""
    kind = DEMAND_KIND.get((vendor_id, channel), channel)
    days = period.days
    closed, makeup = _calendar(vendor_id, days)
    day_weight = np.asarray(WEEKDAY[kind])[np.where(makeup, 2, weekday(days))]
    day_weight = day_weight * np.where(closed, HOLIDAY_DEMAND.get(kind, 1.0), 1.0)
    start = np.datetime64(contract_starts(period.months)[VENDOR[vendor_id].contract_id])
    day_weight = day_weight * np.where(days < start, OUT_OF_CONTRACT, 1.0)
    weights = day_weight[:, None] * np.asarray(PROFILE[kind])[None, :]
    if channel in ONLY_WHEN_OPEN:
        weights = weights * service_hours(vendor_id, channel, days)
    return weights


def sample(rng: np.random.Generator, weights: np.ndarray, period: Period, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n arrival times (local ms, ascending) drawn from the slot weights, and each one's day index."""
    slot = rng.choice(weights.size, size=n, p=(weights / weights.sum()).ravel())
    ms = period.day_ms[slot // 24] + (slot % 24) * HOUR_MS + rng.integers(0, HOUR_MS, n)
    order = np.argsort(ms, kind="stable")
    return ms[order], (slot // 24)[order]


def next_open(rng: np.random.Generator, ms: np.ndarray, days: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Move each time that falls outside the hours mask to a few minutes after the next opening
    (work that arrives after hours is done when the office opens). days must reach past ms."""
    slot_start = (days.astype("datetime64[ms]").astype(np.int64)[:, None] + np.arange(24) * HOUR_MS).ravel()
    is_open = hours.ravel()
    # index of the first open slot at or after each slot (len when none is left)
    later = np.where(is_open, np.arange(is_open.size), is_open.size)
    later = np.minimum.accumulate(later[::-1])[::-1]
    slot = np.clip(np.searchsorted(slot_start, ms, side="right") - 1, 0, is_open.size - 1)
    target = later[slot]
    moved = ~is_open[slot] & (target < is_open.size)
    opened = slot_start[np.minimum(target, is_open.size - 1)] + rng.integers(0, 20 * 60_000, ms.size)
    return np.where(moved, opened, ms)


def padded_days(period: Period, after: int = 14) -> np.ndarray:
    """The period's days plus the days after it, for work that spills past the last month."""
    return np.concatenate([period.days, period.days[-1] + np.arange(1, after + 1)])
