"""Every figure an agent is assessed on, each a per-row definition over the SLA facts (sla/facts.py).

Where a figure is an SLA metric (AHT, first response and its median, reply within the threshold,
accuracy, CSAT, weekly minimum hours) it *is* that metric's definition from sla/definitions.py, so
an agent's numerator and denominator are the contract's restricted to the agent's rows: the agents'
sums add up to the contract's. The others (domain.AGENT_FIGURES) are sums the contract has no
target for: handled contacts (the channel's handled rule, facts column `handled`), hold and wrap
time, and logged hours (the agent-weeks of `weekly_min_hours`). A percentile (the median first
response) is no sum: it is the median of the agent's own rows, measured from the month's rows.

A figure is `judged` against the contract's target where the agent drives it (AHT, first
response, accuracy, CSAT, weekly hours); answer, abandon and response rates and the service level
belong to the queue, and reply within the threshold is shown but not judged (an unreplied e-mail
carries no agent, so an agent's share counts only the e-mails the agent answered).
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.domain import AGENT_FIGURES, CHANNELS, CLOCKED, METRIC
from metrics.errors import VendorboardError
from metrics.sla.definitions import METRICS, Count, Expr, Percentile, seconds

AGENT_WEEKS = "agent_weeks"


@dataclass(frozen=True)
class Figure:
    name: str  # the `metric` of its rows: an SLA metric's name, or one of domain.AGENT_FIGURES
    channel: str | None  # None: the agent's time on every channel (agent-weeks)
    expr: Expr
    source: str  # the facts relation (sla/facts.py)
    judged: bool = False

    @property
    def metric(self) -> str | None:
        """The SLA metric whose targets give its terms (and, judged, its target)."""
        return self.name if self.name in METRIC else None

    @property
    def kind(self) -> str:
        """How its value reads (domain.py): rate, seconds, score, count or hours."""
        return METRIC[self.name].kind if self.metric else AGENT_FIGURES[self.name]

    @property
    def micros(self) -> bool:
        """The numerator is in microseconds (reported in seconds, or in hours)."""
        return self.kind in ("seconds", "hours")

    @property
    def total(self) -> str | None:
        """How its value is totalled: 'count' the rows counted, 'hours' the numerator, None
        numerator ÷ denominator."""
        return self.kind if self.kind in ("count", "hours") else None

    @property
    def better(self) -> str:
        """'lower' when a smaller value is better (durations), else 'higher'."""
        return METRIC[self.name].better if self.metric else "lower" if self.kind == "seconds" else "higher"

    @property
    def summable(self) -> bool:
        """Its numerator and denominator are sums over rows, so per-day sums add up to the month
        (agents/rollup.py); a percentile is not."""
        return not isinstance(self.expr.numerator, Percentile)

    @property
    def uses_threshold(self) -> bool:
        return "{threshold_us}" in self._aggregated

    @property
    def uses_clock(self) -> bool:
        return any("{" + name + "}" in self._aggregated for name in CLOCKED)

    @property
    def _aggregated(self) -> str:
        e, n = self.expr, self.expr.numerator
        numerator = n.condition if isinstance(n, Count) else n.of if isinstance(n, Percentile) else n
        return e.counted + numerator + e.denominator


def _sla(name: str, channel: str | None, judged: bool = True) -> Figure:
    m = METRICS[name]
    expr = m.expr(channel) if channel else m.by_channel["*"]  # no channel: the same on every one
    return Figure(name, channel, expr, m.source or channel, judged)


def _handled(channel: str) -> Figure:
    return Figure("handled", channel, Expr("handled", Count("true"), "true", "handled"), channel)


def _mean_us(name: str, column: str) -> Figure:
    """A mean duration over answered calls (hold, wrap) that no contract target measures."""
    return Figure(name, "phone", Expr("answered", column, "true", f"{seconds(column)} AS {name}"), "phone")


FIGURES: tuple[Figure, ...] = (
    *(_handled(channel) for channel in CHANNELS),
    _sla("aht_seconds", "phone"),
    _mean_us("hold_seconds", "hold_us"),
    _mean_us("wrap_seconds", "wrap_us"),
    _sla("first_response_seconds", "chat"),
    _sla("first_response_median_seconds", "chat"),
    _sla("reply_within_rate", "email", judged=False),
    _sla("accuracy", "onsite"),
    *(_sla("csat", channel) for channel in CHANNELS),
    Figure(
        "logged_hours",
        None,
        Expr("true", "logged_us", "true", f"agent_id, {seconds('logged_us')} AS logged_seconds"),
        AGENT_WEEKS,
    ),
    _sla("weekly_min_hours", None),
)

SOURCES = tuple(dict.fromkeys(f.source for f in FIGURES))  # the facts relations agents are measured on


def figure(name: str, channel: str | None) -> Figure:
    """The figure `name` on `channel` (the agent-week figures whatever the channel of their target)."""
    found = next((f for f in FIGURES if f.name == name and (f.channel == channel or f.channel is None)), None)
    if found is None:
        raise VendorboardError(f"agents have no figure {name} on channel {channel}")
    return found
