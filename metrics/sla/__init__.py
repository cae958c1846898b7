"""SLA engine (SPEC §3): every metric per contract, channel and month, with verdicts, series and evidence.

Where things live: each metric's definition in `definitions.py`; the rows it is computed over in
`facts.py`; targets in force in `targets.py`; the month's verdicts and the per-day / per-hour
series in `measure.py`; the rows behind a target in `evidence.py`.
"""

from metrics.sla.evidence import evidence
from metrics.sla.measure import history, series, verdicts

__all__ = ["evidence", "history", "series", "verdicts"]
