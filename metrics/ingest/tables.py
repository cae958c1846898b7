"""What each input table of SPEC §2 looks like: columns, types, defaults, keys and rejection rules.

A row's key decides idempotency: a row whose key is stored already replaces the stored row.
Interaction rows are keyed by vendor_id plus the table's id; reference rows by the columns that
name one term of a contract (see README, "Reference keys").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.domain import (
    CHANNEL,
    CHANNELS,
    INTERACTIONS,
    METRIC,
    METRICS_BY_CHANNEL,
    SESSIONS,
    UNITS_BY_CHANNEL,
    VISIT_STATUSES,
)
from metrics.sql import sql_list, sql_text

THRESHOLD_REQUIRED = tuple(m.name for m in METRIC.values() if m.threshold_required)


@dataclass(frozen=True)
class Col:
    """One input column. `kind` picks the parser (see validate.typed_expr); `default` is SQL."""

    name: str
    kind: str = "text"
    required: bool = False
    default: str | None = None
    values: tuple[str, ...] = ()
    sql_type: str = "VARCHAR"


@dataclass(frozen=True)
class Rule:
    """A row-level check on typed values: when `condition` holds the row is rejected with `reason`."""

    reason: str
    condition: str
    detail: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    start_column: str | None = None  # interactions: the instant that dates the row
    fills: dict[str, str] = field(default_factory=dict)  # defaults (for empty values) that depend on other columns

    @property
    def is_interaction(self) -> bool:
        return self.name in INTERACTIONS

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def timestamps(self) -> tuple[str, ...]:
        """The timestamp columns, in column order: bit i of a stored row's `naive_times` is the i-th."""
        return tuple(c.name for c in self.columns if c.kind == "timestamp")


def naive(column: int) -> str:
    """SQL: the timestamp column at index `column` of the row was written as local time."""
    return f"(naive_times & {1 << column}) <> 0"


def _ts(name: str, required: bool = False) -> Col:
    return Col(name, "timestamp", required, sql_type="TIMESTAMPTZ")


def _dec(name: str, scale: str = "18, 4", default: str | None = None, required: bool = False) -> Col:
    return Col(name, "decimal", required, default, sql_type=f"DECIMAL({scale})")


def _csat() -> Col:
    return Col("csat", "decimal", sql_type="DECIMAL(4, 2)")


def _enum(name: str, values: tuple[str, ...], default: str | None = None, required: bool = False) -> Col:
    return Col(name, "enum", required, default, values)


def _effective() -> tuple[Col, ...]:
    return (Col("effective_from", "date", sql_type="DATE"), Col("effective_to", "date", sql_type="DATE"))


def _csat_rule() -> Rule:
    return Rule("csat_out_of_range", "csat < 1 OR csat > 5", "'csat ' || csat || ' is outside 1-5'")


def _before(reason: str, later: str, earlier: str, strict: bool = True) -> Rule:
    op = "<" if strict else "<="
    return Rule(reason, f"{later} {op} {earlier}", f"'{later} is before {earlier}'")


def _threshold_defaults() -> str:
    """SQL: the threshold_seconds of a target row that gives none (domain.Metric.threshold_default)."""
    cases = " ".join(
        f"WHEN {sql_text(m.name)} THEN {m.threshold_default}" for m in METRIC.values() if m.threshold_default
    )
    return f"CASE metric {cases} END"


def _interaction(channel: str, columns: tuple[Col, ...], rules: tuple[Rule, ...], **fills: str) -> Table:
    """A channel's interaction table: its id, vendor and start (domain.py), then its own columns,
    keyed by vendor and id; every one rejects a csat outside 1-5."""
    c = CHANNEL[channel]
    return Table(
        c.table,
        (Col(c.id, required=True), Col("vendor_id", required=True), _ts(c.start, True), *columns),
        key=("vendor_id", c.id),
        rules=(_csat_rule(), *rules),
        start_column=c.start,
        fills=fills,
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "vendors",
            (
                Col("vendor_id", required=True),
                Col("name", required=True),
                Col("timezone", "timezone", default="'Asia/Shanghai'"),
            ),
            key=("vendor_id",),
        ),
        Table(
            "contracts",
            (
                Col("contract_id", required=True),
                Col("vendor_id", required=True),
                Col("start_date", "date", True, sql_type="DATE"),
                Col("end_date", "date", sql_type="DATE"),
                Col("currency", default="'CNY'"),
                _dec("tax_rate", "9, 6", "0.06"),
                Col("payment_due_day", "integer", default="5", sql_type="INTEGER"),
                _dec("monthly_fee", default="0"),
                _dec("monthly_minimum", default="0"),
                _dec("credit_cap_rate", "9, 6", "1.0"),
                _dec("short_abandon_seconds", "12, 3", "0"),
                _enum("sl_abandons", ("exclude_short", "exclude_all", "count_as_met"), "'exclude_short'"),
                Col("payee"),
                _dec("late_payment_rate", "12, 8"),
            ),
            key=("contract_id",),
            rules=(
                _before("end_before_start", "end_date", "start_date"),
                Rule("bad_due_day", "payment_due_day NOT BETWEEN 1 AND 31", "'payment_due_day must be 1-31'"),
                Rule(
                    "negative_rate",
                    "tax_rate < 0 OR credit_cap_rate < 0",
                    "'tax_rate and credit_cap_rate must not be negative'",
                ),
                Rule("negative_rate", "late_payment_rate < 0", "'late_payment_rate must not be negative'"),
            ),
        ),
        Table(
            "rates",
            (
                Col("contract_id", required=True),
                _enum("channel", CHANNELS, required=True),
                _enum("unit", tuple(UNITS_BY_CHANNEL), required=True),
                _dec("unit_price", "18, 6", required=True),
                Col("increment_seconds", "integer", default="60", sql_type="INTEGER"),
                _dec("tier_from", "18, 3"),
                _dec("tier_to", "18, 3"),
                _enum("tier_mode", ("graduated", "volume"), "'graduated'"),
                _dec("tier_flat_fee", default="0"),
                *_effective(),
            ),
            key=("contract_id", "channel", "unit", "effective_from", "tier_from"),
            rules=(
                Rule(
                    "unit_not_for_channel",
                    " OR ".join(
                        f"(unit = {sql_text(u)} AND channel NOT IN {sql_list(chs)})"
                        for u, chs in UNITS_BY_CHANNEL.items()
                    ),
                    "'unit ' || unit || ' cannot bill channel ' || channel",
                ),
                Rule("bad_increment", "increment_seconds <= 0", "'increment_seconds must be positive'"),
                Rule(
                    "bad_tier",
                    "tier_to <= coalesce(tier_from, 0) OR tier_from < 0",
                    "'tier_from must be below tier_to and not negative'",
                ),
                Rule(
                    "negative_price",
                    "unit_price < 0 OR tier_flat_fee < 0",
                    "'unit_price and tier_flat_fee must not be negative'",
                ),
            ),
        ),
        Table(
            "sla_targets",
            (
                Col("contract_id", required=True),
                _enum("channel", CHANNELS, required=True),
                _enum("metric", tuple(METRICS_BY_CHANNEL), required=True),
                _dec("target", "18, 6", required=True),
                _dec("threshold_seconds", "12, 3"),
                _enum("clock", ("calendar", "business"), "'calendar'"),
                _dec("credit_rate", "9, 6", "0"),
                _enum("credit_base", ("channel", "invoice"), "'channel'"),
                *_effective(),
            ),
            key=("contract_id", "channel", "metric", "threshold_seconds", "clock", "effective_from"),
            rules=(
                Rule(
                    "metric_not_for_channel",
                    " OR ".join(
                        f"(metric = {sql_text(m)} AND channel NOT IN {sql_list(chs)})"
                        for m, chs in METRICS_BY_CHANNEL.items()
                    ),
                    "'metric ' || metric || ' does not apply to channel ' || channel",
                ),
                Rule(
                    "missing_threshold",
                    f"threshold_seconds IS NULL AND metric IN {sql_list(THRESHOLD_REQUIRED)}",
                    "'threshold_seconds is required for ' || metric",
                ),
                Rule("negative_rate", "credit_rate < 0", "'credit_rate must not be negative'"),
            ),
            fills={"threshold_seconds": _threshold_defaults()},
        ),
        Table(
            "service_hours",
            (
                Col("contract_id", required=True),
                _enum("channel", CHANNELS, required=True),
                Col("days", "days", True),
                Col("open", "hhmm", True, sql_type="SMALLINT"),
                Col("close", "hhmm", True, sql_type="SMALLINT"),
            ),
            key=("contract_id", "channel", "days", "open"),
            rules=(
                Rule(
                    "close_not_after_open",
                    "close <= open",
                    "'close must be after open (split an overnight shift into two rows)'",
                ),
            ),
        ),
        Table(
            "holidays",
            (
                Col("vendor_id", required=True),
                Col("date", "date", True, sql_type="DATE"),
                _enum("kind", ("closed", "workday"), "'closed'"),
                Col("name"),
            ),
            key=("vendor_id", "date"),
        ),
        Table(
            "adjustments",
            (
                Col("contract_id", required=True),
                Col("month", "month", True, sql_type="DATE"),
                Col("description", required=True),
                _dec("amount", required=True),
            ),
            key=("contract_id", "month", "description"),
        ),
        Table(
            "payments",
            (
                Col("contract_id", required=True),
                Col("month", "month", True, sql_type="DATE"),
                Col("paid_on", "date", True, sql_type="DATE"),
                _dec("amount", required=True),
                Col("reference", required=True),
                Col("currency"),
                Col("payer_account"),
            ),
            key=("contract_id", "reference"),
            rules=(
                Rule("amount_not_positive", "amount <= 0", "'amount ' || _raw_amount || ' must be positive'"),
                Rule(
                    "amount_not_cents",
                    "amount <> round(amount, 2)",
                    "'amount ' || _raw_amount || ' is not whole cents'",
                ),
            ),
        ),
        # Optional names for the agent ids the logs carry (docs/agents.md); names change no figure.
        Table(
            "agents",
            (
                Col("vendor_id", required=True),
                Col("agent_id", required=True),
                Col("name"),
                Col("team"),
                Col("start_date", "date", sql_type="DATE"),
            ),
            key=("vendor_id", "agent_id"),
        ),
        _interaction(
            "phone",
            (
                _ts("answered_at"),
                _ts("ended_at", True),
                Col("agent_id"),
                Col("queue"),
                _dec("hold_seconds", "12, 3", "0"),
                _dec("wrap_seconds", "12, 3", "0"),
                _csat(),
            ),
            (
                _before("answered_before_offered", "answered_at", "offered_at"),
                _before("ended_before_answered", "ended_at", "answered_at"),
                _before("ended_before_offered", "ended_at", "offered_at"),
                Rule(
                    "bad_number",
                    "hold_seconds < 0 OR wrap_seconds < 0",
                    "'hold_seconds and wrap_seconds must not be negative'",
                ),
            ),
        ),
        _interaction(
            "chat",
            (
                _ts("first_response_at"),
                _ts("ended_at"),
                Col("agent_id"),
                _csat(),
            ),
            (
                _before("response_before_start", "first_response_at", "started_at"),
                _before("ended_before_start", "ended_at", "started_at"),
            ),
        ),
        _interaction(
            "email",
            (
                _ts("first_reply_at"),
                Col("replies", "integer", sql_type="INTEGER"),
                Col("agent_id"),
                _csat(),
            ),
            (
                _before("reply_before_received", "first_reply_at", "received_at"),
                Rule("negative_replies", "replies < 0", "'replies ' || replies || ' is negative'"),
                Rule(
                    "replies_without_reply_time",
                    "replies > 0 AND first_reply_at IS NULL",
                    "'replies ' || replies || ' but first_reply_at is empty'",
                ),
            ),
            replies="CASE WHEN first_reply_at IS NULL THEN 0 ELSE 1 END",
        ),
        _interaction(
            "onsite",
            (
                _ts("departed_at"),
                _enum("status", VISIT_STATUSES, "'completed'"),
                Col("questions_audited", "integer", default="0", sql_type="INTEGER"),
                Col("questions_correct", "integer", default="0", sql_type="INTEGER"),
                Col("site"),
                Col("agent_id"),
                _csat(),
            ),
            (
                Rule(
                    "correct_exceeds_audited",
                    "questions_correct > questions_audited",
                    "'questions_correct ' || questions_correct || ' exceeds questions_audited ' || questions_audited",
                ),
                _before("departed_before_arrived", "departed_at", "arrived_at"),
                Rule(
                    "bad_number",
                    "questions_audited < 0 OR questions_correct < 0",
                    "'question counts must not be negative'",
                ),
            ),
        ),
        Table(
            SESSIONS,
            (
                Col("session_id", required=True),
                Col("vendor_id", required=True),
                Col("agent_id", required=True),
                _enum("channel", CHANNELS, required=True),
                _ts("login_at", True),
                _ts("logout_at", True),
            ),
            key=("vendor_id", "session_id"),
            rules=(_before("logout_not_after_login", "logout_at", "login_at", strict=False),),
        ),
    )
}

REFERENCE = (
    "vendors",
    "contracts",
    "rates",
    "sla_targets",
    "service_hours",
    "holidays",
    "adjustments",
    "payments",
    "agents",
)
LOAD_ORDER = REFERENCE + INTERACTIONS
