"""Agent assessment (docs/agents.md): each vendor's agents measured against the contract.

The contracts behind vendorboard assess people, not only companies (the client may have agents who
fail its assessment replaced or retrained). Every figure is an SLA metric's own definition, or a
sum beside them, grouped by agent (`figures.py`); `measure.py` measures and judges them for a month,
`rollup.py` keeps them per agent and day with the month rollups, `assess.py` answers the questions
asked of them: one agent's trend, the agents below target N months running, one agent's rows.
"""

from metrics.agents.assess import AgentFigure, below_target, trend
from metrics.agents.measure import figures

__all__ = ["AgentFigure", "below_target", "figures", "trend"]
