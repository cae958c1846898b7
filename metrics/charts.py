"""Every chart of the product as a plain function of Polars data, so the dashboard and the PDF
report draw the same figures (no Streamlit here).

Met and missed take their colours from domain.VERDICT_COLOURS (blue and orange), and never colour
alone: met points are circles and cells read ✓, missed points are crosses and cells read ✗. Every
axis names its unit; a metric's target is drawn wherever the metric is.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from metrics.domain import CHANNELS, METRIC, METRICS, VERDICT_COLOURS
from metrics.i18n import duration, metric_kind, metric_value, t, target_label, value_name

MET, MISSED, NO_DATA = (VERDICT_COLOURS[v].mark for v in ("met", "missed", "no_data"))
MET_FILL, MISSED_FILL = VERDICT_COLOURS["met"].tint, VERDICT_COLOURS["missed"].tint
TARGET = "#444444"
SERIES = ("#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#6699CC", "#661100")
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"

TEMPLATE = "plotly_white"  # every figure's look


def _figure(traces: list, title: str, height: int, **layout: object) -> go.Figure:
    """The figure with its layout given whole (the common look, the chart's own `layout` over it):
    Plotly validates it once. Built by update_layout / update_xaxes / add_vline calls, each of which
    walks the figure again, a chart took 15-20 ms rather than 2-3, on every rerun of a page."""
    common = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "height": height,
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"font": {"family": FONT}},
    }
    # The template as Plotly's default, which a new figure shares (set in the layout it would be
    # validated and deep-copied: 10-20 ms a chart). Checked each time: importing Streamlit sets its own.
    if pio.templates.default != TEMPLATE:
        pio.templates.default = TEMPLATE
    return go.Figure(data=traces, layout=_merged(common, layout))


def _merged(base: dict, more: dict) -> dict:
    """`base` with `more`'s keys set over it, nested dicts merged key by key (as update_layout does)."""
    out = dict(base)
    for key, value in more.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _target_lines(axis: str, lines: list[tuple[float, str]]) -> dict:
    """The layout's `shapes` and `annotations` for dashed lines across the plot at each (value, label)
    on `axis` ('x': vertical, its label top right; 'y': horizontal, its label top left): what
    add_vline / add_hline would add."""
    across = {"x": "y", "y": "x"}[axis]
    shapes = [
        {
            "type": "line",
            "line": {"dash": "dash", "color": TARGET, "width": 1.5},
            f"{axis}0": value,
            f"{axis}1": value,
            f"{axis}ref": axis,
            f"{across}0": 0,
            f"{across}1": 1,
            f"{across}ref": f"{across} domain",
        }
        for value, _ in lines
    ]
    labels = [
        {
            "text": text,
            "font": {"size": 11, "color": TARGET},
            "showarrow": False,
            axis: value,
            f"{axis}ref": axis,
            across: 1 if axis == "x" else 0,
            f"{across}ref": f"{across} domain",
            "xanchor": "left",
            "yanchor": "top" if axis == "x" else "bottom",
        }
        for value, text in lines
    ]
    return {"shapes": shapes, "annotations": labels}


def _axis_title(metric: str, language: str) -> str:
    """'Answer rate (%)', 'Average speed of answer (s)', 'Customer satisfaction (score 1–5)'."""
    unit = {
        "rate": "%",
        "seconds": t("axis.seconds", language),
        "score": t("axis.score", language),
        "count": t("axis.count", language),
        "hours": t("axis.hours", language),
    }
    return f"{value_name('metric', metric, language)} ({unit[metric_kind(metric)]})"


def _y_axis(metric: str, language: str) -> dict:
    kind = metric_kind(metric)
    if kind == "rate":
        return {"tickformat": ".0%", "hoverformat": ".1%"}
    if kind == "seconds":
        return {"ticksuffix": f" {t('unit.s', language)}", "hoverformat": ".2f"}
    return {"hoverformat": ".2f"}


def _floats(values: Iterable) -> list[float]:
    return [float(v) for v in values if v is not None]


def metric_trend(
    df: pl.DataFrame, metric: str, target: Decimal | float | Iterable | None, language: str, period: str = "month"
) -> go.Figure:
    """A metric over months (period='month') or days ('day'): one line per `series` if the frame
    has that column, points marked met (circle) or missed (orange cross) when it has `met`, and the
    target as a dashed line (one per distinct value if several series have different targets).

    df: `period` (date), `value` (float, null = nothing measured), optional `series` (str), `met` (bool).
    """
    traces = []
    series = df["series"].unique(maintain_order=True).to_list() if "series" in df.columns else [None]
    for i, name in enumerate(series):
        part = (df if name is None else df.filter(pl.col("series") == name)).sort("period")
        colour = SERIES[i % len(SERIES)] if name is not None else MET
        met = part["met"].to_list() if "met" in part.columns else [None] * part.height
        traces.append(
            go.Scatter(
                x=part["period"].to_list(),
                y=part["value"].to_list(),
                name=name or value_name("metric", metric, language),
                mode="lines+markers",
                showlegend=name is not None,
                line={"color": colour, "width": 2},
                marker={
                    "size": [12 if m is False else 8 for m in met],
                    "symbol": ["x" if m is False else "circle" for m in met],
                    "color": [MISSED if m is False else colour for m in met],
                    "line": {"width": 1, "color": "#222222"},
                },
                customdata=[
                    t("verdict.missed" if m is False else "verdict.met" if m else "verdict.no_data", language)
                    for m in met
                ],
                hovertemplate="%{x}<br>%{y}<br>%{customdata}<extra>" + (name or "") + "</extra>",
            )
        )
    targets = sorted(set(_floats([target] if not isinstance(target, Iterable) else target)))
    lines = [(value, f"{t('chart.target', language)} {metric_value(metric, value, language)}") for value in targets]
    yaxis: dict = {}
    values = _floats(df["value"].to_list()) + targets
    if values:
        low, high = min(values), max(values)
        pad = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
        bottom = max(low - pad, 0.0) if metric_kind(metric) != "score" else low - pad
        top = min(high + pad, 1.0) if metric_kind(metric) == "rate" and high <= 1 else high + pad
        yaxis["range"] = [bottom, top]
    yaxis |= {"title": {"text": _axis_title(metric, language)}, **_y_axis(metric, language)}
    xaxis = {
        "title": {"text": t(f"axis.{period}", language)},
        **({"dtick": "M1", "tickformat": "%Y-%m"} if period == "month" else {"tickformat": "%m-%d"}),
        **({"dtick": 7 * 86_400_000} if period == "week" else {}),
    }
    title = t(
        "chart.trend_title",
        language,
        metric=value_name("metric", metric, language),
        period=t(f"chart.period.{period}", language),
    )
    return _figure(traces, title, 340, **_target_lines("y", lines), yaxis=yaxis, xaxis=xaxis)


def _cell(row: dict, language: str) -> tuple[float | None, str, str]:
    """z (1 met, 0 missed, 0.5 no data), the cell text and its hover line."""
    value, target = (metric_value(row["metric"], row[k], language) for k in ("value", "target"))
    shown = f"{value} / {target}"
    if row["met"] is None:
        return 0.5, "– " + t("verdict.no_data", language), t("verdict.no_data", language)
    mark = "✓" if row["met"] else "✗"
    return (
        (1.0 if row["met"] else 0.0),
        f"{mark} {metric_value(row['metric'], row['value'], language)}",
        f"{mark} {t('verdict.met' if row['met'] else 'verdict.missed', language)}: {shown}",
    )


def met_heatmap(df: pl.DataFrame, language: str) -> go.Figure:
    """Target × vendor grid (a row per target, a column per vendor, so labels stay readable):
    ✓ met (blue), ✗ missed (orange), – no data (grey), blank where the vendor has no such target.

    df: `vendor` (column label; ' · ' starts a second line), `channel`, `metric`, `value`, `target`,
    `met`, optional `threshold_seconds`.
    """
    rows = df.to_dicts()
    order = {m: i for i, m in enumerate(METRICS)}
    keys = sorted(
        {(r["channel"], r["metric"], r.get("threshold_seconds")) for r in rows},
        key=lambda k: (CHANNELS.index(k[0]), order[k[1]], k[2] or 0),
    )
    targets = [target_label(*k, language) for k in keys]
    vendors = list(dict.fromkeys(r["vendor"] for r in rows))
    z = [[None] * len(vendors) for _ in keys]
    text = [[""] * len(vendors) for _ in keys]
    hover = [[""] * len(vendors) for _ in keys]
    for r in rows:
        i, j = keys.index((r["channel"], r["metric"], r.get("threshold_seconds"))), vendors.index(r["vendor"])
        z[i][j], text[i][j], hover[i][j] = _cell(r, language)
    scale = [[0, MISSED_FILL], [0.33, MISSED_FILL], [0.33, NO_DATA], [0.67, NO_DATA], [0.67, MET_FILL], [1, MET_FILL]]
    traces = [
        go.Heatmap(
            z=z,
            x=[v.replace(" · ", "<br>", 1) for v in vendors],
            y=targets,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            textfont={"size": 13, "color": "#111111"},
            colorscale=scale,
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=4,
            ygap=4,
            hovertemplate="%{x}<br>%{y}<br>%{customdata}<extra></extra>",
        )
    ]
    for name, colour in (
        (f"✓ {t('verdict.met', language)}", MET_FILL),
        (f"✗ {t('verdict.missed', language)}", MISSED_FILL),
        (f"– {t('verdict.no_data', language)}", NO_DATA),
    ):
        traces.append(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=name, marker={"symbol": "square", "size": 14, "color": colour}
            )
        )
    return _figure(
        traces,
        t("chart.heatmap_title", language),
        150 + 36 * max(len(keys), 1),
        yaxis={"autorange": "reversed", "showgrid": False},
        xaxis={"side": "top", "showgrid": False},
        plot_bgcolor="#ffffff",
        margin={"t": 100},
        legend={"y": -0.02, "yanchor": "top"},
    )


def hour_day_heatmap(
    df: pl.DataFrame, language: str, metric: str = "service_level", target: Decimal | float | None = None
) -> go.Figure:
    """A metric per local day (rows) and hour of day (columns). With a target the colours diverge at
    it: blue on the good side, orange on the bad side, white at the target itself.

    df: `day` (date), `hour` (0-23), `value` (float).
    """
    days = sorted(set(df["day"].to_list()))
    values = {(r["day"], r["hour"]): r["value"] for r in df.iter_rows(named=True)}
    z = [[values.get((d, h)) for h in range(24)] for d in days]
    labels = [f"{d:%m-%d} {t('day.' + d.strftime('%a').lower(), language)}" for d in days]
    kind = metric_kind(metric)
    scale_value = 100.0 if kind == "rate" else 1.0
    z = [[None if v is None else v * scale_value for v in row] for row in z]
    heat: dict = {"colorscale": "Cividis"}
    if target is not None:
        good, bad = (MET, MISSED) if METRIC[metric].better == "higher" else (MISSED, MET)
        values = [v for row in z for v in row if v is not None] + [float(target) * scale_value]
        low, high = min(values), max(values)
        middle = 0.5 if high == low else (float(target) * scale_value - low) / (high - low)
        heat = {"colorscale": [[0, bad], [middle, "#ffffff"], [1, good]], "zmin": low, "zmax": high}
    unit = "%" if kind == "rate" else t("axis.seconds", language) if kind == "seconds" else ""
    heatmap = go.Heatmap(
        z=z,
        x=list(range(24)),
        y=labels,
        xgap=1,
        ygap=1,
        **heat,
        colorbar={"title": {"text": unit}, "thickness": 12},
        hovertemplate="%{y} %{x}:00<br>%{z:.1f}" + (unit if kind == "rate" else f" {unit}") + "<extra></extra>",
    )
    title = t("chart.hour_day_title", language, metric=value_name("metric", metric, language))
    if target is not None:
        title += f" — {t('chart.target', language)} {metric_value(metric, target, language)}"
    return _figure(
        [heatmap],
        title,
        160 + 16 * max(len(days), 1),
        xaxis={"title": {"text": t("axis.hour", language)}, "dtick": 2, "range": [-0.5, 23.5], "showgrid": False},
        yaxis={"title": {"text": t("axis.day", language)}, "autorange": "reversed", "showgrid": False},
        plot_bgcolor="#eeeeee",
    )


def wait_histogram(
    df: pl.DataFrame,
    threshold: Decimal | float | None,
    language: str,
    channel: str | None = None,
    limit_label: str = "chart.threshold",
    mean: bool = False,
) -> go.Figure:
    """How long the counted rows took, stacked by the engine's verdict per row (hit blue, miss
    orange, abandoned calls hatched), with the threshold as a dashed vertical line. For a target on
    a mean (`mean`: ASA, handle time, first response) single rows neither meet nor miss it: one
    colour, and the target drawn as the line the mean must stay under. Durations of two hours and
    more read in hours; weekly logged time counts agent-weeks.

    df: `measure` (which duration), `bin_start`, `bin_width` (seconds), `status`, `rows`.
    """
    measure = df["measure"][0] if df.height else "wait_seconds"
    longest = max(_floats([*df["bin_start"].to_list(), threshold]) or [0.0])
    scale, unit = (3600.0, "axis.hours") if longest >= 7200 else (1.0, "axis.seconds")
    traces = []
    if mean:
        df = (
            df.group_by("measure", "bin_start", "bin_width")
            .agg(pl.col("rows").sum())
            .with_columns(status=pl.lit("counted"))
        )
    for status, colour, mark, pattern in (
        ("hit", MET, "✓", ""),
        ("miss", MISSED, "✗", ""),
        ("abandoned", MISSED, "✗", "/"),
        ("counted", MET, "", ""),
    ):
        part = df.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        traces.append(
            go.Bar(
                x=[(s + w / 2) / scale for s, w in zip(part["bin_start"].to_list(), part["bin_width"].to_list())],
                y=part["rows"].to_list(),
                width=[w / scale for w in part["bin_width"].to_list()],
                name=f"{mark} {t('evidence.' + status, language)}".strip(),
                marker={"color": colour, "line": {"width": 0}, "pattern": {"shape": pattern, "fgcolor": "#ffffff"}},
                hovertemplate="%{x:.1f}: %{y}<extra>" + t("evidence." + status, language) + "</extra>",
            )
        )
    lines = []
    if threshold is not None:
        lines.append((float(threshold) / scale, f"{t(limit_label, language)} {duration(threshold, language)}"))
    counted = "agent_weeks" if measure == "logged_seconds" else channel or "any"
    return _figure(
        traces,
        t("chart.histogram_title", language, what=t("measure." + measure, language)),
        320,
        **_target_lines("x", lines),
        barmode="stack",
        bargap=0.05,
        legend={"traceorder": "normal"},
        xaxis={"title": {"text": f"{t('measure.' + measure, language)} ({t(unit, language)})"}, "rangemode": "tozero"},
        yaxis={"title": {"text": t(f"axis.count.{counted}", language)}},
    )


def agent_distribution(df: pl.DataFrame, metric: str, target: Decimal | float | None, language: str) -> go.Figure:
    """How one figure spreads over a contract's agents: a histogram of the agents' values, stacked by
    verdict (met blue, missed orange, no target or no data grey-blue), with the target as a dashed
    vertical line.

    df: `value` (float, null = nothing measured: left out), `verdict` ('met', 'missed', 'no_data' or null).
    """
    measured = df.filter(pl.col("value").is_not_null())
    traces = []
    for verdict, colour, mark in (("met", MET, "✓ "), ("missed", MISSED, "✗ "), (None, SERIES[6], "")):
        part = measured.filter(pl.col("verdict").is_null() if verdict is None else pl.col("verdict") == verdict)
        if part.is_empty():
            continue
        traces.append(
            go.Histogram(
                x=part["value"].to_numpy(),  # an array: Plotly checks a list value by value
                name=mark + (t(f"verdict.{verdict}", language) if verdict else t("axis.agents", language)),
                marker={"color": colour, "line": {"width": 0.5, "color": "#ffffff"}},
                bingroup=1,
                nbinsx=30,
                hovertemplate="%{x}: %{y}<extra></extra>",
            )
        )
    lines = []
    if target is not None:
        lines.append((float(target), f"{t('chart.target', language)} {metric_value(metric, target, language)}"))
    few = measured.height <= 12  # whole agents: a tick per agent, not 0.5 shown as '0' and '1' twice
    return _figure(
        traces,
        t("chart.agents_title", language, metric=value_name("metric", metric, language)),
        320,
        **_target_lines("x", lines),
        barmode="stack",
        bargap=0.05,
        xaxis={"title": {"text": _axis_title(metric, language)}, **_y_axis(metric, language)},
        yaxis={"title": {"text": t("axis.agents", language)}, "rangemode": "tozero", "tickformat": "d"}
        | ({"dtick": 1} if few else {}),
    )
