"""Each metric's per-row SQL (metrics/sla/definitions.py) on small in-memory facts relations: which
rows count, what each adds to the numerator and denominator, and whether it is a hit on its own,
exactly as verdicts, series and evidence read them. No files, no ingest; figures by hand below."""

from __future__ import annotations

from decimal import Decimal as D

import duckdb
import pytest

from metrics.domain import CHANNELS, METRIC
from metrics.sla.definitions import METRICS, TERMS, joined, metric, render
from metrics.sla.facts import COLUMNS
from metrics.sla.measure import aggregate_sql

US = 1_000_000

# Facts as sla/facts.py makes them (durations in microseconds, calendar clock).
PHONE = f"""(SELECT * FROM (VALUES
    -- a answered after 10 s, handled 300 s, csat 5; b answered after 30 s, 200 s, csat 3;
    -- c hung up after 3 s (a short abandon below 5 s); d hung up after 12 s, csat 4
    ('a', true, {10 * US}, {300 * US}, 5.0),
    ('b', true, {30 * US}, {200 * US}, 3.0),
    ('c', false, {3 * US}, NULL, NULL),
    ('d', false, {12 * US}, NULL, 4.0)) t(id, answered, wait_calendar_us, handle_us, csat))"""
CHAT = f"""(SELECT * FROM (VALUES
    ('a', true, {5_500_000}, NULL), ('b', true, {12 * US}, NULL), ('c', false, NULL, NULL),
    ('d', true, {40 * US}, NULL)) t(id, responded, response_calendar_us, csat))"""
EMAIL = f"""(SELECT * FROM (VALUES
    ('a', true, 1, {3600 * US}), ('b', true, 2, {90_000 * US}), ('c', false, 0, NULL))
    t(id, replied, replies, reply_calendar_us))"""
VISITS = """(SELECT * FROM (VALUES
    ('a', 'completed', 10, 9), ('b', 'completed', 0, 0), ('c', 'cancelled', 5, 5), ('d', 'completed', 20, 20))
    t(id, status, questions_audited, questions_correct))"""
COVERAGE = f"""(SELECT * FROM (VALUES
    ('a', 'phone', {3600 * US}, {3600 * US}, true), ('b', 'phone', {3600 * US}, {1800 * US}, true),
    ('c', 'chat', {3600 * US}, 0, true), ('d', 'phone', {3600 * US}, 0, false))
    t(id, channel, service_us, covered_us, staffed))"""
WEEKS = f"""(SELECT * FROM (VALUES
    ('a', 'A1', {80_000 * US}), ('b', 'A2', {72_000 * US}), ('c', 'A3', {10_000 * US})) t(id, agent_id, logged_us))"""


def target(channel: str, name: str, value: str, threshold: int | None = None, mode: str = "exclude_short") -> dict:
    return {
        "target_no": 0,
        "contract_id": "C1",
        "channel": channel,
        "metric": name,
        "target": D(value),
        "threshold_seconds": None if threshold is None else D(threshold),
        "clock": "calendar",
        "short_abandon_seconds": D(5),
        "sl_abandons": mode,
    }


def measured(facts: str, t: dict) -> tuple[D, D, list[tuple[str, str]]]:
    """(numerator, denominator, [(id, status)]) of target `t` over `facts`: aggregated as verdicts
    and rollups do (the target's terms joined to each row as columns), judged row by row as evidence
    does (its terms written in)."""
    m = metric(t["metric"])
    e = m.expr(t["channel"])
    con = duckdb.connect()
    terms = ", ".join(f"? AS _{name}" for name in TERMS)
    aggregates = ", ".join(aggregate_sql(e, m.micros, lambda sql: joined(sql, t["clock"])))
    numerator, denominator = con.execute(
        f"SELECT {aggregates} FROM {facts} CROSS JOIN (SELECT {terms})", [t[name] for name in TERMS]
    ).fetchone()
    rows = con.execute(f"""
        SELECT id, CASE WHEN NOT coalesce({render(e.counted, t)}, false) THEN 'not_counted'
                        WHEN coalesce({render(e.hit, t)}, false) THEN 'hit' ELSE 'miss' END
        FROM {facts} ORDER BY id""").fetchall()
    return numerator.normalize(), denominator.normalize(), rows


@pytest.mark.parametrize(
    ("facts", "t", "fraction", "statuses"),
    [
        # Short abandon c (3 s < 5 s) is left out: answered a, b of a, b, d.
        (PHONE, target("phone", "answer_rate", "0.6"), (2, 3), "hit hit not_counted miss"),
        # exclude_short: answered within 20 s (a) of a, b, d.
        (PHONE, target("phone", "service_level", "0.8", 20), (1, 3), "hit miss not_counted miss"),
        # exclude_all: a of the answered a, b.
        (PHONE, target("phone", "service_level", "0.8", 20, "exclude_all"), (1, 2), "hit miss not_counted not_counted"),
        # count_as_met: a, and the abandons within 20 s c and d, of all 4.
        (PHONE, target("phone", "service_level", "0.8", 20, "count_as_met"), (3, 4), "hit miss hit hit"),
        # ASA: (10 + 30) s over the answered a, b; 10 <= 15 is a hit.
        (PHONE, target("phone", "asa_seconds", "15"), (40, 2), "hit miss not_counted not_counted"),
        # Abandon rate: d of a, b, d; an answered call is a hit.
        (PHONE, target("phone", "abandon_rate", "0.3"), (1, 3), "hit hit not_counted miss"),
        # AHT: (300 + 200) s over a, b; 200 <= 250 is a hit.
        (PHONE, target("phone", "aht_seconds", "250"), (500, 2), "miss hit not_counted not_counted"),
        # csat: 5 + 3 + 4 over the three scored calls, answered or not.
        (PHONE, target("phone", "csat", "4"), (12, 3), "hit miss not_counted hit"),
        # First response: (5.5 + 12 + 40) s over the responded a, b, d.
        (CHAT, target("chat", "first_response_seconds", "20"), (D("57.5"), 3), "hit hit not_counted miss"),
        # Its median: 5.5, 12, 40 -> 12 s; denominator 1 (something was counted).
        (CHAT, target("chat", "first_response_median_seconds", "20"), (12, 1), "hit hit not_counted miss"),
        (CHAT, target("chat", "response_rate", "0.9"), (3, 4), "hit hit miss hit"),
        # Chat service level: every chat counts; c, never answered, is a miss.
        (CHAT, target("chat", "service_level", "0.8", 20), (2, 4), "hit hit miss miss"),
        # Replied within 86400 s: a (1 h) of all three; b (25 h) late, c never replied: late.
        (EMAIL, target("email", "reply_within_rate", "0.95", 86400), (1, 3), "hit miss miss"),
        # Accuracy: completed visits with audited questions, a and d: (9 + 20) / (10 + 20);
        # a: 9 < 0.95 × 10 is a miss on its own.
        (VISITS, target("onsite", "accuracy", "0.95"), (29, 30), "miss not_counted not_counted hit"),
        # Coverage of the phone's service: (3600 + 1800) s of 7200 s; the chat slice is another channel's;
        # d is a slice of a vendor with no session on the channel all month: no data, never 0 covered.
        (COVERAGE, target("phone", "coverage_rate", "0.9"), (5400, 7200), "hit miss not_counted not_counted"),
        # Weekly minimum 72000 s (20 h): a and b reach it (>=), c does not.
        (WEEKS, target("chat", "weekly_min_hours", "0.9", 72000), (2, 3), "hit hit miss"),
    ],
)
def test_each_metric_counts_adds_and_judges_each_row(facts, t, fraction, statuses):
    numerator, denominator, rows = measured(facts, t)
    assert (numerator, denominator) == tuple(D(x) for x in fraction)
    assert " ".join(status for _, status in rows) == statuses


def test_nothing_counted_is_zero_over_zero():
    # Only a short abandon: the answer rate has nothing to measure (no data, never a pass).
    facts = f"""(SELECT * FROM (VALUES ('c', false, {3 * US}, NULL, NULL))
                 t(id, answered, wait_calendar_us, handle_us, csat))"""
    assert measured(facts, target("phone", "answer_rate", "0.6"))[:2] == (0, 0)
    no_response = (
        "(SELECT * FROM (VALUES ('c', false, NULL::BIGINT, NULL)) t(id, responded, response_calendar_us, csat))"
    )
    assert measured(no_response, target("chat", "first_response_median_seconds", "20"))[:2] == (0, 0)


def test_every_metric_of_the_vocabulary_has_sql_for_each_of_its_channels():
    assert set(METRICS) == set(METRIC)
    for m in METRIC.values():
        for channel in m.channels:
            assert metric(m.name).expr(channel)
    assert set(COLUMNS) == set(CHANNELS)
