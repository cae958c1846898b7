"""The interaction logs: calls, chats, e-mails and visits of one vendor, one chunk at a time.

Each maker draws n rows from its own random generator and returns a typed frame in the
column order of SPEC section 2, times as naive local datetimes. Waits and handling times are
log-normal (mostly short, with a heavy tail); in a planted-miss month the vendor's waits and
response rates come from a worse distribution, so the miss is visible at any volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from metrics.domain import VISIT_STATUSES

from .arrivals import Period, demand, next_open, padded_days, sample, work_hours
from .contracts import Miss, Vendor, miss_months

ID_CODE = {"calls": "CL", "chats": "CH", "emails": "EM", "visits": "VS", "agent_sessions": "SS"}
AGENT_CODE = {"phone": "P", "chat": "C", "email": "E", "onsite": "V"}
QUEUES = ("billing", "broadband", "plans", "complaints")
QUEUE_SHARE = (0.4, 0.25, 0.25, 0.1)
SITES = {
    "V-TEL": ("浦东营业厅", "徐汇营业厅", "静安营业厅", "闵行营业厅"),
    "V-AS": ("苏州工业园区服务站", "姑苏区服务站", "吴中区服务站"),
}
CSAT_SHARE = 0.3  # share of handled contacts that answer the survey
CSAT_P = (0.01, 0.02, 0.07, 0.35, 0.55)  # scores 1..5, mean 4.41
CHAT_FIRST_RESPONSE = {"V-TEL": 1.4, "V-PT": 12.0, "V-HOME": 9.0}  # median seconds


def row_ids(vendor: Vendor, table: str, first: int, n: int) -> pl.Series:
    """Ids numbered per vendor and table from first (0-based), e.g. TEL-CL000000001."""
    seq = pl.int_range(first + 1, first + n + 1, dtype=pl.Int64, eager=True)
    return (f"{vendor.short}-{ID_CODE[table]}" + seq.cast(pl.String).str.zfill(9)).alias("id")


def agent_ids(vendor: Vendor, channel: str, index: np.ndarray) -> pl.Series:
    """Agent ids by index in the vendor's pool for the channel, e.g. TEL-P00042."""
    return f"{vendor.short}-{AGENT_CODE[channel]}" + pl.Series(index + 1).cast(pl.String).str.zfill(5)


def _ms(seconds: np.ndarray) -> np.ndarray:
    return np.rint(seconds * 1000).astype(np.int64)


def _nulls_where(series: pl.Series, present: np.ndarray | None) -> pl.Series:
    return series if present is None else series.set(pl.Series(~present), None)


def timestamps(ms: np.ndarray, present: np.ndarray | None = None) -> pl.Series:
    return _nulls_where(pl.Series(ms, dtype=pl.Int64).cast(pl.Datetime("ms")), present)


def _int(values: np.ndarray, present: np.ndarray | None = None) -> pl.Series:
    return _nulls_where(pl.Series(np.rint(values).astype(np.int32)), present)


@dataclass(frozen=True)
class Context:
    """What every chunk of every table shares: the period, the planted-miss months and the agent
    pool of each vendor and channel (from the staffing, so agent ids match the sessions)."""

    period: Period
    misses: tuple[Miss, ...]
    pools: dict[tuple[str, str], int]

    def arrivals(self, rng: np.random.Generator, vendor: Vendor, channel: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted local start times, and whether each falls in a planted-miss month."""
        ms, day = sample(rng, demand(vendor.vendor_id, channel, self.period), self.period, n)
        return ms, self.period.in_months(miss_months(self.misses, vendor.vendor_id, channel))[day]

    def agents(self, rng: np.random.Generator, vendor: Vendor, channel: str, present: np.ndarray) -> pl.Series:
        index = rng.integers(0, self.pools[(vendor.vendor_id, channel)], present.size)
        return _nulls_where(agent_ids(vendor, channel, index), present)


def _csat(rng: np.random.Generator, handled: np.ndarray) -> pl.Series:
    score = rng.choice(5, size=handled.size, p=CSAT_P) + 1
    return _nulls_where(pl.Series(score.astype(np.int8)), handled & (rng.random(handled.size) < CSAT_SHARE))


def calls(rng: np.random.Generator, ctx: Context, vendor: Vendor, n: int, first: int) -> pl.DataFrame:
    """A caller abandons when their patience runs out before the wait; 2 % hang up within 5 s
    (short abandons). An abandoned call has no answered_at and ends when the caller hangs up."""
    offered, bad = ctx.arrivals(rng, vendor, "phone", n)
    wait = rng.lognormal(np.log(np.where(bad, 8.0, 2.0)), np.where(bad, 1.2, 1.1))
    patience = np.where(rng.random(n) < 0.02, rng.uniform(0.5, 5.0, n), rng.lognormal(np.log(30), 1.5, n))
    patience = patience.clip(max=1800)
    answered = patience >= wait
    answered_at = offered + _ms(wait)
    talk = rng.lognormal(np.log(170), 0.75, n).clip(8, 3600)
    ended = np.where(answered, answered_at + _ms(talk), offered + _ms(patience))
    hold = np.where(rng.random(n) < 0.3, rng.lognormal(np.log(40), 0.8, n), 0)
    wrap = rng.lognormal(np.log(25), 0.5, n)
    return pl.DataFrame(
        {
            "call_id": row_ids(vendor, "calls", first, n),
            "vendor_id": pl.repeat(vendor.vendor_id, n, eager=True),
            "offered_at": timestamps(offered),
            "answered_at": timestamps(answered_at, answered),
            "ended_at": timestamps(ended),
            "agent_id": ctx.agents(rng, vendor, "phone", answered),
            "queue": pl.Series(QUEUES).gather(rng.choice(len(QUEUES), size=n, p=QUEUE_SHARE)),
            "hold_seconds": _int(hold, answered),
            "wrap_seconds": _int(wrap, answered),
            "csat": _csat(rng, answered),
        }
    )


def chats(rng: np.random.Generator, ctx: Context, vendor: Vendor, n: int, first: int) -> pl.DataFrame:
    """A chat nobody answers ends when the customer leaves; answered ones run a few minutes."""
    started, bad = ctx.arrivals(rng, vendor, "chat", n)
    responded = rng.random(n) < np.where(bad, 0.8, 0.985)
    first_response = started + _ms(rng.lognormal(np.log(CHAT_FIRST_RESPONSE[vendor.vendor_id]), 0.8, n))
    duration = rng.lognormal(np.log(300), 0.8, n).clip(20, 7200)
    left = rng.lognormal(np.log(45), 1.0, n).clip(3, 1800)
    ended = np.where(responded, first_response + _ms(duration), started + _ms(left))
    return pl.DataFrame(
        {
            "chat_id": row_ids(vendor, "chats", first, n),
            "vendor_id": pl.repeat(vendor.vendor_id, n, eager=True),
            "started_at": timestamps(started),
            "first_response_at": timestamps(first_response, responded),
            "ended_at": timestamps(ended),
            "agent_id": ctx.agents(rng, vendor, "chat", responded),
            "csat": _csat(rng, responded),
        }
    )


def emails(rng: np.random.Generator, ctx: Context, vendor: Vendor, n: int, first: int) -> pl.DataFrame:
    """Replies come a few hours after receipt, inside the agents' working hours (an e-mail from
    the night or a holiday is answered after the office opens); about 1 % is never answered."""
    received, _ = ctx.arrivals(rng, vendor, "email", n)
    replied = rng.random(n) < 0.99
    days = padded_days(ctx.period)
    first_reply = next_open(
        rng, received + _ms(rng.lognormal(np.log(7200), 1.0, n)), days, work_hours(vendor.vendor_id, "email", days)
    )
    replies = np.where(replied, 1 + rng.poisson(0.35, n), 0)
    return pl.DataFrame(
        {
            "email_id": row_ids(vendor, "emails", first, n),
            "vendor_id": pl.repeat(vendor.vendor_id, n, eager=True),
            "received_at": timestamps(received),
            "first_reply_at": timestamps(first_reply, replied),
            "replies": _int(replies),
            "agent_id": ctx.agents(rng, vendor, "email", replied),
            "csat": _csat(rng, replied),
        }
    )


def visits(rng: np.random.Generator, ctx: Context, vendor: Vendor, n: int, first: int) -> pl.DataFrame:
    """Most visits complete; 60 % of completed ones are audited (5-20 questions, ~97.5 % correct).
    Cancelled and no-show visits have no departure time and no audit."""
    arrived, _ = ctx.arrivals(rng, vendor, "onsite", n)
    status = rng.choice(len(VISIT_STATUSES), size=n, p=(0.92, 0.05, 0.03))
    completed = status == 0
    departed = arrived + _ms(rng.lognormal(np.log(75 * 60), 0.4, n).clip(600, 6 * 3600))
    audited = completed & (rng.random(n) < 0.6)
    questions = rng.integers(5, 21, n)
    correct = rng.binomial(questions, 0.975)
    sites = SITES[vendor.vendor_id]
    return pl.DataFrame(
        {
            "visit_id": row_ids(vendor, "visits", first, n),
            "vendor_id": pl.repeat(vendor.vendor_id, n, eager=True),
            "arrived_at": timestamps(arrived),
            "departed_at": timestamps(departed, completed),
            "status": pl.Series(VISIT_STATUSES).gather(status),
            "questions_audited": _int(questions, audited),
            "questions_correct": _int(correct, audited),
            "site": pl.Series(sites).gather(rng.integers(0, len(sites), n)),
            "agent_id": ctx.agents(rng, vendor, "onsite", np.ones(n, bool)),
            "csat": _csat(rng, completed),
        }
    )


MAKERS = {"calls": calls, "chats": chats, "emails": emails, "visits": visits}
