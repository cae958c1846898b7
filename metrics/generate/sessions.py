"""Agent sessions: enough agents logged in to carry the generated traffic.

Shift rosters (every channel but the part-timers'): each day's work hours are cut into shifts of
at most 9 h, and a shift gets the agents its busiest hour needs (expected arrivals x handling
time / occupancy), a fifth fewer in a planted-miss month. An agent works a shift as two sessions
around a break, and rotates through a pool so each works about five days in seven.

Part-timers (C-PT): a weekly plan instead. Every agent logs a set number of hours per ISO week
on five days; a fixed share of agents falls short of the contract's weekly minimum, a larger one
in the weeks of the planted-miss month, so the agent-week share misses there and only there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from .arrivals import DAY_MS, HOUR_MS, Period, demand, work_hours
from .contracts import VENDOR
from .interactions import agent_ids, timestamps

HANDLE_SECONDS = {"phone": 290, "chat": 200, "email": 360, "onsite": 7200}  # agent time per contact
OCCUPANCY = 0.85
UNDERSTAFFED = 0.8
MAX_SHIFT_HOURS = 9
MINUTE_MS = 60_000
PART_TIME_WEEK_MINUTES = ((21 * 60, 28 * 60), (12 * 60, 18 * 60))  # (meets, falls short) ranges
PART_TIME_SHORT_SHARE = (0.05, 0.25)  # (usual, planted-miss) share of agents short each week


@dataclass(frozen=True)
class Roster:
    """Agents per day and shift of one vendor channel."""

    shift_ms: np.ndarray  # (shifts, 2) start and end within the day
    on_shift: np.ndarray  # (days, shifts) agents working
    group: np.ndarray  # (shifts,) agents in the pool of each shift

    @property
    def pool(self) -> int:
        return int(self.group.sum())


def roster(vendor_id: str, channel: str, volume: int, period: Period, strained: np.ndarray) -> Roster:
    """strained: bool per day, True in a planted-miss month of this vendor channel."""
    weights = demand(vendor_id, channel, period)
    need = volume * weights / weights.sum() * HANDLE_SECONDS[channel] / 3600 / OCCUPANCY
    hours = work_hours(vendor_id, channel, period.days)
    if channel == "email":  # e-mails wait in a queue: the day's work is spread over its work hours
        need = hours * (need.sum(axis=1) / np.maximum(hours.sum(axis=1), 1))[:, None]
    open_hour = np.flatnonzero(hours.any(axis=0))
    first, last = open_hour[0], open_hour[-1] + 1
    count = math.ceil((last - first) / MAX_SHIFT_HOURS)
    edges = first * HOUR_MS + np.arange(count + 1) * ((last - first) * HOUR_MS // count)
    on_shift = np.zeros((len(period.days), count), np.int64)
    for s in range(count):  # a loop over the shifts of a day, not over rows
        in_shift = (np.arange(24) * HOUR_MS >= edges[s]) & (np.arange(24) * HOUR_MS < edges[s + 1])
        peak = np.where(hours & in_shift, need, 0).max(axis=1)
        staffed = np.ceil(peak * np.where(strained, UNDERSTAFFED, 1.0))
        on_shift[:, s] = np.where((hours & in_shift).any(axis=1), np.maximum(staffed, 1), 0)
    group = np.ceil(on_shift.max(axis=0) * 7 / 5).astype(np.int64)
    return Roster(np.column_stack([edges[:-1], edges[1:]]), on_shift, group)


def shift_sessions(rng: np.random.Generator, vendor_id: str, channel: str, period: Period, r: Roster) -> pl.DataFrame:
    """Two sessions per agent and shift: log in up to 10 min early, a 30-min break somewhere in the
    middle third, log out up to 10 min late (so shifts overlap and the channel stays covered)."""
    day, shift = np.nonzero(r.on_shift)
    count = r.on_shift[day, shift]
    day, shift = np.repeat(day, count), np.repeat(shift, count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    base = np.cumsum(r.group) - r.group
    peak = r.on_shift.max(axis=0)
    agent = base[shift] + (day * peak[shift] + k) % r.group[shift]
    start = period.day_ms[day] + r.shift_ms[shift, 0]
    end = period.day_ms[day] + r.shift_ms[shift, 1]
    n = start.size
    pause = start + ((end - start) * rng.uniform(0.35, 0.65, n)).astype(np.int64)
    login = start - rng.integers(0, 10 * MINUTE_MS, n)
    break_out = pause - 15 * MINUTE_MS + rng.integers(-5 * MINUTE_MS, 5 * MINUTE_MS, n)
    break_in = pause + 15 * MINUTE_MS + rng.integers(-5 * MINUTE_MS, 5 * MINUTE_MS, n)
    logout = end + rng.integers(0, 10 * MINUTE_MS, n)
    return _frame(
        vendor_id, channel, np.tile(agent, 2), np.concatenate([login, break_in]), np.concatenate([break_out, logout])
    )


def part_timers(volume: int, period: Period) -> int:
    """At least 20 agents; more when the chats need more than 15 h a week each."""
    weekly_hours = volume / len(period.weeks()) * HANDLE_SECONDS["chat"] / 3600 / OCCUPANCY
    return max(20, math.ceil(weekly_hours / 15))


def weekly_sessions(
    rng: np.random.Generator, vendor_id: str, agents: int, period: Period, miss_month: str | None
) -> pl.DataFrame:
    """One session on each of five days per agent and ISO week touching the period, inside the
    channel's service hours, logging exactly the week's planned minutes."""
    mondays = period.weeks()
    weeks = mondays.size
    in_miss = np.array([str(m + 3)[:7] == miss_month for m in mondays])  # the week's Thursday decides
    short_count = np.ceil(agents * np.asarray(PART_TIME_SHORT_SHARE)[in_miss.astype(int)]).astype(int)
    short = rng.random((weeks, agents)).argsort(axis=1).argsort(axis=1) < short_count[:, None]
    (ok_lo, ok_hi), (short_lo, short_hi) = PART_TIME_WEEK_MINUTES
    minutes = np.where(
        short, rng.integers(short_lo, short_hi + 1, (weeks, agents)), rng.integers(ok_lo, ok_hi + 1, (weeks, agents))
    )
    day = rng.random((weeks, agents, 7)).argsort(axis=2)[:, :, :5]
    length = np.repeat(minutes[:, :, None] // 5, 5, axis=2)
    length[:, :, 0] += minutes % 5
    open_hour = np.flatnonzero(work_hours(vendor_id, "chat", period.days).any(axis=0))
    earliest, latest = open_hour[0] * 60, (open_hour[-1] + 1) * 60
    start_minute = earliest + rng.integers(0, latest - earliest - length + 1)
    week_ms = mondays.astype("datetime64[ms]").astype(np.int64)
    login = week_ms[:, None, None] + day * DAY_MS + start_minute * MINUTE_MS + rng.integers(0, MINUTE_MS, day.shape)
    agent = np.broadcast_to(np.arange(agents)[None, :, None], day.shape)
    return _frame(vendor_id, "chat", agent.ravel(), login.ravel(), (login + length * MINUTE_MS).ravel())


def _frame(vendor_id: str, channel: str, agent: np.ndarray, login: np.ndarray, logout: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "vendor_id": pl.repeat(vendor_id, agent.size, eager=True),
            "agent_id": agent_ids(VENDOR[vendor_id], channel, agent),
            "channel": pl.repeat(channel, agent.size, eager=True),
            "login_at": timestamps(login),
            "logout_at": timestamps(logout),
        }
    )


# The agents reference table: names drawn from common surnames and given names by the agent's
# number (no random stream, so adding it moved no other file), teams of ten per channel, a start
# date in the two years before the data; every tenth agent is left out (names are optional).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
)
TEAM = {"phone": "电话", "chat": "在线", "email": "邮件", "onsite": "现场"}


def agents_table(vendor_id: str, channel: str, agents: int, first_month: str) -> pl.DataFrame:
    """vendor_id, agent_id, name, team, start_date of the vendor's pool of agents on `channel`."""
    index = np.array([i for i in range(agents) if i % 10 != 9], dtype=np.int64)
    start = (
        np.datetime64(f"{first_month}-01") - np.timedelta64(730, "D") + ((index * 37) % 700).astype("timedelta64[D]")
    )
    return pl.DataFrame(
        {
            "vendor_id": [vendor_id] * len(index),
            "agent_id": agent_ids(VENDOR[vendor_id], channel, index),
            "name": [SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + len(channel)) % len(GIVEN)] for i in index],
            "team": [f"{TEAM[channel]}{i // 10 + 1}组" for i in index],
            "start_date": pl.Series(start).cast(pl.Date),
        }
    )
