"""Every figure an agent is assessed on, each a per-row definition over the SLA facts (sla/facts.py).

Where a figure is an SLA metric (AHT, first response, reply within the threshold, accuracy, CSAT,
weekly minimum hours) it *is* that metric's definition from sla/definitions.py, so an agent's
numerator and denominator are the contract's restricted to the agent's rows: the agents' figures
add up to the contract's. The others are sums the contract has no target for: handled contacts
(the billing rule of a `contact`, facts column `handled`), hold and wrap time, and logged hours
(the agent-weeks of `weekly_min_hours`).

A figure is `judged` against the contract's target where the agent drives it (AHT, first
response, accuracy, CSAT, weekly hours); answer, abandon and response rates and the service level
belong to the queue, and reply within the threshold is shown but not judged (an unreplied e-mail
carries no agent, so an agent's share counts only the e-mails the agent answered).
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.errors import VendorboardError
from metrics.sla.definitions import CLOCKED, METRICS, Count, Expr, seconds
from metrics.sla.facts import INTERACTIONS

AGENT_WEEKS = "agent_weeks"


@dataclass(frozen=True)
class Figure:
    name: str  # the `metric` of its rows: an SLA metric's name, or handled / hold_seconds / ...
    channel: str | None  # None: the agent's time on every channel (agent-weeks)
    expr: Expr
    source: str  # the facts relation (sla/facts.py)
    micros: bool  # the numerator is in microseconds (reported in seconds)
    total: str | None = None  # value: None numerator ÷ denominator; 'count' rows counted; 'hours' the numerator
    metric: str | None = None  # the SLA metric whose targets give its terms (and, judged, its target)
    judged: bool = False

    @property
    def better(self) -> str:
        """'lower' when a smaller value is better (durations), else 'higher'."""
        return METRICS[self.metric].better if self.metric else "lower" if self.micros and not self.total else "higher"

    @property
    def uses_threshold(self) -> bool:
        return "{threshold_us}" in self._aggregated

    @property
    def uses_clock(self) -> bool:
        return any("{" + name + "}" in self._aggregated for name in CLOCKED)

    @property
    def _aggregated(self) -> str:
        e = self.expr
        numerator = e.numerator.condition if isinstance(e.numerator, Count) else e.numerator
        return e.counted + numerator + e.denominator


def _sla(name: str, channel: str | None, judged: bool = True) -> Figure:
    m = METRICS[name]
    return Figure(name, channel, m.expr(channel or "*"), m.source or channel, m.micros, None, name, judged)


def _handled(channel: str) -> Figure:
    return Figure("handled", channel, Expr("handled", Count("true"), "true", "handled"), channel, False, "count")


def _mean_us(name: str, column: str) -> Figure:
    """A mean duration over answered calls (hold, wrap) that no contract target measures."""
    e = Expr("answered", column, "true", f"{seconds(column)} AS {name}")
    return Figure(name, "phone", e, "phone", True)


FIGURES: tuple[Figure, ...] = (
    *(_handled(channel) for channel in INTERACTIONS),
    _sla("aht_seconds", "phone"),
    _mean_us("hold_seconds", "hold_us"),
    _mean_us("wrap_seconds", "wrap_us"),
    _sla("first_response_seconds", "chat"),
    _sla("reply_within_rate", "email", judged=False),
    _sla("accuracy", "onsite"),
    *(_sla("csat", channel) for channel in INTERACTIONS),
    Figure(
        "logged_hours",
        None,
        Expr("true", "logged_us", "true", f"agent_id, {seconds('logged_us')} AS logged_seconds"),
        AGENT_WEEKS,
        True,
        "hours",
    ),
    _sla("weekly_min_hours", None),
)

# How the values of the figures that are no SLA metric read (metrics/i18n.py): count, seconds, hours.
KINDS = {f.name: f.total or ("seconds" if f.micros else "rate") for f in FIGURES if f.metric is None}
SOURCES = tuple(dict.fromkeys(f.source for f in FIGURES))  # the facts relations agents are measured on


def figure(name: str, channel: str | None) -> Figure:
    """The figure `name` on `channel` (the agent-week figures whatever the channel of their target)."""
    found = next((f for f in FIGURES if f.name == name and (f.channel == channel or f.channel is None)), None)
    if found is None:
        raise VendorboardError(f"agents have no figure {name} on channel {channel}")
    return found
