"""The SQL of every SLA metric (SPEC §3), one definition each; its name, channels, kind and
direction are its entry in the vocabulary (metrics/domain.py).

A metric is a set of per-row SQL expressions over a facts relation (facts.py): which rows it
counts, what each counted row adds to the numerator (and denominator), whether the row on its
own met the target, and the quantity shown for it. The aggregate (verdicts), the per-day and
per-hour series and the evidence (hit / miss / not counted per interaction) are all built from
these expressions, so a figure on a page, in `vendorboard sla` and behind an invoice credit
cannot disagree.

Placeholders filled per target, with its terms as literals (`render`) or as the columns of the
target joined to each row (`joined`):
  {wait} {response} {reply}  the clocked duration in microseconds: `<name>_calendar_us` or
                             `<name>_business_us` by the target's clock
  {threshold_us}             the target's threshold_seconds in microseconds
  {target}, {target_us}      the target value (as a number, and as microseconds for durations)
  {short_us}                 the contract's short_abandon_seconds in microseconds
  {mode}                     the contract's sl_abandons (a SQL value: compare it with 'exclude_all')
  {channel}                  the target's channel (a SQL value)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from metrics.domain import CLOCKED, METRIC
from metrics.errors import VendorboardError
from metrics.sql import sql_text


def seconds(us: str) -> str:
    """SQL: microseconds as exact DECIMAL seconds."""
    return f"({us}::DECIMAL(18, 0) * 0.000001)"


@dataclass(frozen=True)
class Count:
    """A numerator that counts the counted rows meeting `condition` (a rate's hits). Counting a
    condition is much cheaper over millions of rows than summing it as 0 or 1."""

    condition: str


@dataclass(frozen=True)
class Percentile:
    """A numerator that is the `fraction` percentile of `of` over the counted rows, taken with
    DuckDB's exact `quantile_disc`: a value some row really has (of an even count, the median is
    the lower middle one), so each row's hit or miss against the target explains the verdict. Not a
    sum, so it is never rolled up; its denominator is 1 when any row is counted (0: nothing to
    measure), so value = numerator ÷ denominator as for every metric."""

    of: str
    fraction: float


@dataclass(frozen=True)
class Expr:
    """The per-row SQL of one metric on one channel."""

    counted: str  # the row is in the denominator (else "not counted" in evidence)
    numerator: str | Count | Percentile  # what a counted row adds to the numerator
    hit: str  # the counted row on its own meets the target
    measure: str  # select-list of the quantities shown per row in evidence
    denominator: str = "1"  # what a counted row adds to the denominator


@dataclass(frozen=True)
class Metric:
    """The SQL of a metric of the vocabulary (domain.METRIC: its channels, kind and direction)."""

    name: str
    by_channel: dict[str, Expr]  # channel -> definition; '*' for any of the metric's channels
    source: str | None = None  # facts relation; None: the channel's interactions
    per_hour: bool = True  # has an hour-of-day series

    @property
    def better(self) -> str:
        return METRIC[self.name].better

    @property
    def micros(self) -> bool:
        """The numerator is in microseconds (reported in seconds)."""
        return METRIC[self.name].kind == "seconds"

    @property
    def summable(self) -> bool:
        """Its numerator and denominator are sums over rows, so sums per day and hour add up
        (metrics/rollup.py); a percentile is not."""
        return not any(isinstance(e.numerator, Percentile) for e in self.by_channel.values())

    def expr(self, channel: str) -> Expr:
        found = self.by_channel.get(channel) or self.by_channel.get("*")
        if found is None or channel not in METRIC[self.name].channels:
            raise VendorboardError(f"metric {self.name} does not apply to channel {channel}")
        return found


# A call abandoned after waiting less than the contract's short_abandon_seconds (calendar time:
# the caller hung up that quickly, whatever the service hours).
SHORT_ABANDON = "(NOT answered AND wait_calendar_us < {short_us})"
WAIT = f"{seconds('{wait}')} AS wait_seconds, answered"


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "answer_rate",
            {"phone": Expr(counted=f"NOT {SHORT_ABANDON}", numerator=Count("answered"), hit="answered", measure=WAIT)},
        ),
        # sl_abandons picks the denominator and whether an abandon within the threshold counts as met:
        # exclude_short: answered within threshold / (offered - short abandons)
        # exclude_all:   answered within threshold / answered
        # count_as_met:  (answered + abandoned within threshold) / offered
        Metric(
            "service_level",
            {
                "phone": Expr(
                    counted=f"""CASE {{mode}} WHEN 'exclude_all' THEN answered WHEN 'count_as_met' THEN true
                        ELSE NOT {SHORT_ABANDON} END""",
                    numerator=Count("{wait} <= {threshold_us} AND (answered OR {mode} = 'count_as_met')"),
                    hit="{wait} <= {threshold_us} AND (answered OR {mode} = 'count_as_met')",
                    measure=WAIT,
                ),
                "chat": Expr(
                    counted="true",
                    numerator=Count("{response} <= {threshold_us}"),
                    hit="coalesce({response} <= {threshold_us}, false)",
                    measure=f"{seconds('{response}')} AS response_seconds",
                ),
            },
        ),
        Metric(
            "asa_seconds",
            {"phone": Expr(counted="answered", numerator="{wait}", hit="{wait} <= {target_us}", measure=WAIT)},
        ),
        Metric(
            "abandon_rate",
            {
                "phone": Expr(
                    counted=f"NOT {SHORT_ABANDON}", numerator=Count("NOT answered"), hit="answered", measure=WAIT
                )
            },
        ),
        Metric(
            "aht_seconds",
            {
                "phone": Expr(
                    counted="answered",
                    numerator="handle_us",
                    hit="handle_us <= {target_us}",
                    measure=f"{seconds('handle_us')} AS handle_seconds",
                )
            },
        ),
        Metric(
            "first_response_seconds",
            {
                "chat": Expr(
                    counted="responded",
                    numerator="{response}",
                    hit="{response} <= {target_us}",
                    measure=f"{seconds('{response}')} AS response_seconds",
                )
            },
        ),
        # The median (lower middle) first response: met when at least half the responded chats were
        # answered within the target, so one chat left waiting for days cannot decide it as it can a mean.
        Metric(
            "first_response_median_seconds",
            {
                "chat": Expr(
                    counted="responded",
                    numerator=Percentile("{response}", 0.5),
                    hit="{response} <= {target_us}",
                    measure=f"{seconds('{response}')} AS response_seconds",
                )
            },
        ),
        Metric(
            "response_rate",
            {
                "chat": Expr(
                    counted="true",
                    numerator=Count("responded"),
                    hit="responded",
                    measure=f"{seconds('{response}')} AS response_seconds",
                )
            },
        ),
        # An unreplied e-mail is late: its reply time is NULL, never within the threshold.
        Metric(
            "reply_within_rate",
            {
                "email": Expr(
                    counted="true",
                    numerator=Count("{reply} <= {threshold_us}"),
                    hit="coalesce({reply} <= {threshold_us}, false)",
                    measure=f"{seconds('{reply}')} AS reply_seconds",
                )
            },
        ),
        # A completed visit with no audited question adds nothing to either side: not counted.
        Metric(
            "accuracy",
            {
                "onsite": Expr(
                    counted="status = 'completed' AND questions_audited > 0",
                    numerator="questions_correct",
                    denominator="questions_audited",
                    hit="questions_correct >= {target} * questions_audited",
                    measure="questions_correct, questions_audited, status AS visit_status",
                )
            },
        ),
        # Any interaction carrying a score, answered or not; on-site: visits of any status.
        Metric(
            "csat",
            {"*": Expr(counted="csat IS NOT NULL", numerator="csat", hit="csat >= {target}", measure="csat")},
        ),
        # Facts are service-hour slices (at most one local hour each) with their covered seconds. A
        # channel with no agent session at all in the month has nothing to measure: no data, never 0.
        Metric(
            "coverage_rate",
            {
                "*": Expr(
                    counted="channel = {channel} AND service_us > 0 AND staffed",
                    numerator=seconds("covered_us"),
                    denominator=seconds("service_us"),
                    hit="covered_us = service_us",
                    measure=f"{seconds('covered_us')} AS covered_seconds, {seconds('service_us')} AS service_seconds",
                )
            },
            source="coverage",
        ),
        # Facts are agent-weeks with logged time; the target's channel only says where a credit goes.
        Metric(
            "weekly_min_hours",
            {
                "*": Expr(
                    counted="true",
                    numerator=Count("logged_us >= {threshold_us}"),
                    hit="logged_us >= {threshold_us}",
                    measure=f"agent_id, {seconds('logged_us')} AS logged_seconds",
                )
            },
            source="agent_weeks",
            per_hour=False,
        ),
    )
}


# The terms of a target its definitions read (sla/targets.py gives them per target).
TERMS = ("threshold_seconds", "target", "short_abandon_seconds", "sl_abandons", "channel")


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    return sql_text(value) if isinstance(value, str) else format(Decimal(str(value)), "f")


def render(sql: str, target: dict) -> str:
    """Fill a definition's placeholders with one target's terms, as literals (evidence, and the
    aggregates of a figure measured under one set of terms)."""
    return fill(sql, target["clock"], {name: _literal(target[name]) for name in TERMS})


def joined(sql: str, clock: str) -> str:
    """Fill a definition's placeholders with the terms of a target joined to each row, as columns
    named `_<term>` (TERMS), so one statement measures every target on the clock named: the rows'
    aggregates are grouped by target, whatever the number of targets (sla/measure.py)."""
    return fill(sql, clock, {name: f"_{name}" for name in TERMS})


def fill(sql: str, clock: str, terms: dict[str, str]) -> str:
    """Fill a definition's placeholders: the clocked durations on `clock`, the others from `terms`
    (TERMS as SQL expressions). Seconds become exact microseconds in SQL, whichever they are."""
    return sql.format(
        **{name: f"{name}_{clock}_us" for name in CLOCKED},
        threshold_us=_us(terms["threshold_seconds"]),
        target=f"{terms['target']}::DECIMAL(18, 6)",
        target_us=_us(terms["target"]),
        short_us=_us(terms["short_abandon_seconds"]),
        mode=terms["sl_abandons"],
        channel=terms["channel"],
    )


def _us(seconds_sql: str) -> str:
    return f"({seconds_sql}::DECIMAL(18, 6) * 1000000)::BIGINT"


def metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise VendorboardError(f"unknown metric '{name}' (expected one of {', '.join(METRICS)})") from None
