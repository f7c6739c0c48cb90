"""The roadmap's charts: buffer burn over the quarter, and capacity against what is planned."""

import datetime as dt
from decimal import Decimal

from prodops.core import charts

from . import rules
from .models import Roadmap
from .selectors import Figures


def buffer_burn_chart(
    *,
    roadmap: Roadmap,
    figures: Figures,
    unplanned_by_day: list,
    months: list[dt.date],
    today: dt.date,
) -> charts.Chart:
    """Cumulative unplanned person-days through the quarter against the buffer, with the
    alert thresholds (rules.BURN_THRESHOLDS, 80 % and 100 % of the buffer) drawn as lines."""
    total = Decimal(0)
    points = []
    for day, days in unplanned_by_day:
        total += days
        points.append((day, total))
    until = min(today, roadmap.period_end) if today >= roadmap.period_start else None
    refs = [
        (
            figures.buffer_days * Decimal(threshold) / 100,
            f"{threshold} % of buffer ({rules.round_days(figures.buffer_days * Decimal(threshold) / 100)} d)",
            "danger" if threshold >= 100 else "warn",
        )
        for threshold in rules.BURN_THRESHOLDS
    ]
    return charts.step_line_chart(
        id=f"burn-{roadmap.pk}",
        title="Buffer burn over the quarter",
        desc=(
            f"Unplanned work logged so far: {figures.unplanned_days} of {figures.buffer_days} "
            f"buffer person-days ({figures.buffer_burn_percent.normalize():f} %)."
        ),
        start=roadmap.period_start,
        end=roadmap.period_end,
        points=points,
        until=until,
        x_unit="Date",
        y_unit="Person-days",
        refs=refs,
        tick_dates=months,
        empty_text="No unplanned work logged yet.",
    )


def capacity_chart(*, roadmap: Roadmap, figures: Figures) -> charts.Chart:
    """Capacity, buffer, plannable, planned and unplanned person-days side by side, with a
    line at plannable; planned turns red when it is over it."""
    labels = ["Capacity", "Buffer", "Plannable", "Planned", "Unplanned"]
    values = [
        figures.capacity_days,
        figures.buffer_days,
        figures.plannable_days,
        figures.planned_days,
        figures.unplanned_days,
    ]
    planned_class = "c5" if figures.overcommitted else "c1"
    return charts.bar_chart(
        id=f"capacity-{roadmap.pk}",
        title="Capacity vs planned",
        desc=(
            f"Planned {figures.planned_days} of {figures.plannable_days} plannable person-days "
            f"(capacity {figures.capacity_days}, buffer {figures.buffer_days})."
            + (f" Over-committed by {figures.over_days}." if figures.overcommitted else "")
        ),
        labels=labels,
        values=values,
        classes=["c6", "c7", "c0", planned_class, "c2"],
        refs=[(figures.plannable_days, f"Plannable {figures.plannable_days} d", "warn")],
        x_unit="Figure",
        y_unit="Person-days",
        empty_text="No capacity yet: add people to the team.",
    )
