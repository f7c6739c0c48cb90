"""The metric trend chart: measurements over time against the baseline and the target, with
a mark where each contributing item shipped."""

import datetime as dt
import math
from decimal import Decimal

from prodops.core import charts

from .models import Metric

# Above this many measurements the chart draws a reduced series (see downsample).
MAX_POINTS = 500


def downsample(
    points: list[tuple[dt.date, Decimal]], *, limit: int = MAX_POINTS
) -> list[tuple[dt.date, Decimal]]:
    """At most `limit` points, in date order: the series is cut into limit/2 runs and each run
    keeps its lowest and highest value (in date order), so peaks and troughs survive; the
    first and last points always stay. A series within the limit is returned as it is."""
    if len(points) <= limit:
        return list(points)
    runs = max(limit // 2 - 1, 1)
    size = math.ceil((len(points) - 2) / runs)
    kept = [points[0]]
    middle = points[1:-1]
    for start in range(0, len(middle), size):
        run = middle[start : start + size]
        low = min(range(len(run)), key=lambda i: run[i][1])
        high = max(range(len(run)), key=lambda i: run[i][1])
        kept.extend(run[i] for i in sorted({low, high}))
    kept.append(points[-1])
    return kept


def _fmt(value) -> str:
    number = Decimal(value).normalize()
    return f"{number:f}"


def _ticks(low: float, high: float) -> tuple[float, float, float]:
    """A round axis from below `low` to above `high`: (bottom, top, step)."""
    span = high - low or abs(high) or 1.0
    step = charts.nice_ceiling(span / charts.Y_TICKS)
    bottom = math.floor(low / step) * step
    top = bottom + step * charts.Y_TICKS
    while top < high:
        top += step
    return bottom, top, step


def metric_chart(
    *,
    metric: Metric,
    points: list[tuple[dt.date, Decimal]],
    shipped: list[tuple[dt.date, str]] = (),
    today: dt.date,
) -> charts.Chart:
    """Measurements as a line over time from the baseline date to the later of the target
    date and the last measurement; baseline and target as reference lines; a vertical mark at
    each ship date of a contributing item."""
    shown = downsample(points)
    reduced = len(shown) < len(points)
    desc = (
        f"{metric.name} in {metric.unit}: baseline {_fmt(metric.baseline_value)} on "
        f"{metric.baseline_on:%-d %b %Y}, target {_fmt(metric.target_value)} by "
        f"{metric.target_on:%-d %b %Y}. "
    )
    if points:
        last_on, last = points[-1]
        desc += f"{len(points)} measurements, the latest {_fmt(last)} on {last_on:%-d %b %Y}."
    if reduced:
        desc += f" The chart and table show {len(shown)} of them, keeping each period's lowest and highest."
    chart = charts.Chart(
        id=f"metric-{metric.pk}",
        title=f"{metric.name} over time",
        desc=desc,
        x_unit="Date",
        y_unit=metric.unit,
    )
    start = min([metric.baseline_on] + [d for d, _v in points[:1]])
    end = max([metric.target_on, today] + [d for d, _v in points[-1:]])
    span = max((end - start).days, 1)
    x_scale = charts.LinearScale(span, chart.left, chart.right)

    def x_of(day: dt.date) -> float:
        return x_scale(min(max((day - start).days, 0), span))

    values = [float(v) for _d, v in shown] + [
        float(metric.baseline_value),
        float(metric.target_value),
    ]
    bottom, top, step = _ticks(min(values), max(values))
    y_scale = charts.LinearScale(top - bottom, chart.bottom, chart.top)

    def y_of(value) -> float:
        return y_scale(float(value) - bottom)

    chart.y_ticks = []
    tick = bottom
    while tick <= top + 1e-9:
        chart.y_ticks.append((y_of(tick), _fmt(Decimal(str(round(tick, 6))))))
        tick += step
    years = range(start.year, end.year + 1)
    quarters = [
        dt.date(y, m, 1) for y in years for m in (1, 4, 7, 10) if start <= dt.date(y, m, 1) <= end
    ]
    every = max(1, math.ceil(len(quarters) / 6))
    chart.x_ticks = [(x_of(day), f"{day:%b %Y}") for day in quarters[::every]]
    chart.refs = [
        {
            "y": y_of(metric.baseline_value),
            "label": f"Baseline {_fmt(metric.baseline_value)}",
            "tone": "base",
        },
        {
            "y": y_of(metric.target_value),
            "label": f"Target {_fmt(metric.target_value)}",
            "tone": "goal",
        },
    ]
    chart.marks = [
        {"x": x_of(day), "label": f"{title} shipped {day:%-d %b %Y}"}
        for day, title in shipped
        if start <= day <= end
    ]
    if shown:
        chart.lines.append(
            {
                "points": " ".join(f"{x_of(d)},{y_of(v)}" for d, v in shown),
                "css": "c0",
                "label": chart.title,
            }
        )
        if len(shown) <= 120:
            chart.dots = [
                {"x": x_of(d), "y": y_of(v), "label": f"{d:%-d %b %Y}: {_fmt(v)} {metric.unit}"}
                for d, v in shown
            ]
    else:
        chart.empty_text = "No measurements yet."
    chart.table_head = ["Date", metric.unit]
    chart.table_rows = [[f"{d:%-d %b %Y}", _fmt(v)] for d, v in shown]
    return chart
