"""The domain vocabulary, each fact once: the service channels and their interaction tables, the
billing units, the SLA metrics, the invoice's line types and totals, and the colours of a verdict.

Everything else derives from these entries: ingest's enums and rules, the SLA facts and
definitions, usage quantities, rollups, attribution, labels, charts and documents. Adding a metric
or a channel is an entry here plus its SQL (docs/architecture.md gives the recipe). This module
imports nothing of the project, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- channels and their interactions ---------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    """A service channel and the interaction table that logs it (SPEC §2)."""

    name: str
    table: str
    id: str  # the row's id column (unique per vendor)
    start: str  # the instant that dates a row: its month, day, hour and contract
    handled: str  # SQL over a row: a handled contact (what usage bills and `contact` counts)
    clocked: str | None = None  # the duration SLA clocks measure from `start` (calendar or business)
    until: str | None = None  # SQL: the instant that duration ends


CHANNEL: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel(
            "phone",
            "calls",
            "call_id",
            "offered_at",
            "answered_at IS NOT NULL",
            "wait",
            "coalesce(answered_at, ended_at)",
        ),
        Channel(
            "chat", "chats", "chat_id", "started_at", "first_response_at IS NOT NULL", "response", "first_response_at"
        ),
        Channel("email", "emails", "email_id", "received_at", "first_reply_at IS NOT NULL", "reply", "first_reply_at"),
        Channel("onsite", "visits", "visit_id", "arrived_at", "status = 'completed'"),
    )
}
CHANNELS = tuple(CHANNEL)
CHANNEL_OF_TABLE = {c.table: c.name for c in CHANNEL.values()}  # calls -> phone, ...
CLOCKED = tuple(c.clocked for c in CHANNEL.values() if c.clocked)  # wait, response, reply

DATED = tuple(CHANNEL_OF_TABLE)  # interaction tables whose rows are dated by a start and attributed
SESSIONS = "agent_sessions"  # logged agent time, on a channel: coverage, weekly hours, `hour` billing
INTERACTIONS = (*DATED, SESSIONS)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # service_hours days, ISO order
VISIT_STATUSES = ("completed", "cancelled", "no_show")  # an on-site visit's status; completed is handled

# ---- billing units ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A billing unit (SPEC §4): the channels a rate may bill in it and the exact base units one of
    it holds (seconds for time, rows for counts), so tiers and amounts never see a rounded minute."""

    name: str
    channels: tuple[str, ...]
    per_unit: int


UNIT: dict[str, Unit] = {
    u.name: u
    for u in (
        Unit("minute", ("phone",), 60),  # talk time of answered calls
        Unit("hour", CHANNELS, 3600),  # agent-session time within service hours
        Unit("email", ("email",), 1),  # replies
        Unit("visit", ("onsite",), 1),  # completed visits
        Unit("contact", CHANNELS, 1),  # handled contacts
    )
}
UNITS_BY_CHANNEL = {u.name: u.channels for u in UNIT.values()}

# ---- SLA metrics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """An SLA metric (SPEC §3) as people and contracts speak of it; its SQL is in sla/definitions.py.

    kind: how its value reads: `rate` (a share 0-1), `seconds` (a duration), `score` (csat 1-5).
    better: `higher` (met when value >= target) or `lower` (met when value <= target).
    threshold: what threshold_seconds means for it, if anything: `within` (a row counts when its
    duration is at most the threshold) or `reach` (an agent-week counts when its logged time is at
    least the threshold); `threshold_required` or `threshold_default` (seconds) when the row has none.
    """

    name: str
    channels: tuple[str, ...]
    kind: str
    better: str
    threshold: str | None = None
    threshold_required: bool = False
    threshold_default: int | None = None


METRIC: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("answer_rate", ("phone",), "rate", "higher"),
        Metric("service_level", ("phone", "chat"), "rate", "higher", "within", threshold_required=True),
        Metric("asa_seconds", ("phone",), "seconds", "lower"),
        Metric("abandon_rate", ("phone",), "rate", "lower"),
        Metric("aht_seconds", ("phone",), "seconds", "lower"),
        Metric("first_response_seconds", ("chat",), "seconds", "lower"),
        Metric("first_response_median_seconds", ("chat",), "seconds", "lower"),
        Metric("response_rate", ("chat",), "rate", "higher"),
        Metric("reply_within_rate", ("email",), "rate", "higher", "within", threshold_default=86400),
        Metric("accuracy", ("onsite",), "rate", "higher"),
        Metric("csat", CHANNELS, "score", "higher"),
        Metric("coverage_rate", CHANNELS, "rate", "higher"),
        Metric("weekly_min_hours", CHANNELS, "rate", "higher", "reach", threshold_required=True),
    )
}
METRICS = tuple(METRIC)
METRICS_BY_CHANNEL = {m.name: m.channels for m in METRIC.values()}
LOWER_IS_BETTER = tuple(m.name for m in METRIC.values() if m.better == "lower")

# ---- agent figures ---------------------------------------------------------------------------

# What an agent is assessed on besides the SLA metrics (metrics/agents/figures.py), and how each
# value reads: `count` (handled contacts), `seconds` (a mean duration) or `hours` (logged time).
AGENT_FIGURES = {"handled": "count", "hold_seconds": "seconds", "wrap_seconds": "seconds", "logged_hours": "hours"}

# ---- invoices --------------------------------------------------------------------------------

USAGE = "usage"
LINE_TYPES = (USAGE, "fixed", "minimum", "credit", "credit_cap", "adjustment")  # in invoice order
SUBTOTAL_LINES = (USAGE, "fixed", "minimum")
CREDIT_LINES = ("credit", "credit_cap")
TOTALS = ("subtotal", "credits", "adjustments", "net", "tax", "total")  # SPEC §5, in this order

# ---- verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colour:
    """A verdict's colour: `mark` for points and bars, `tint` for cells carrying dark text, `ink`
    for text on white (dark enough to read)."""

    mark: str
    tint: str
    ink: str


# Blue and orange (Okabe-Ito) tell met from missed for readers with any common colour-vision
# deficiency; every surface also marks them with ✓ / ✗, never colour alone.
VERDICT_COLOURS = {
    "met": Colour("#0072B2", "#9DCAEC", "#0072B2"),
    "missed": Colour("#E69F00", "#F3BD55", "#C45A00"),
    "no_data": Colour("#D5D5D5", "#D5D5D5", "#5B6675"),
}
