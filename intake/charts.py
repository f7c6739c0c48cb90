"""Intake's charts: requests received per week by department, and the backlog's scores."""

import datetime as dt
from collections import Counter, defaultdict

from prodops.core import charts

INTAKE_WEEKS = 12
# Departments beyond this many (by requests in the window) are drawn together as "Other".
INTAKE_NAMED_DEPARTMENTS = 5


def intake_window_start(today: dt.date) -> dt.date:
    """The Monday INTAKE_WEEKS − 1 weeks before this week's Monday: twelve whole weeks,
    this one included."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=INTAKE_WEEKS - 1)


def intake_chart(*, rows: list[tuple], today: dt.date) -> charts.Chart:
    """Stacked bars of requests received per week for the last INTAKE_WEEKS weeks, one colour
    per department (the biggest INTAKE_NAMED_DEPARTMENTS by name, the rest as "Other")."""
    start = intake_window_start(today)
    weeks = [start + dt.timedelta(weeks=i) for i in range(INTAKE_WEEKS)]
    totals: Counter = Counter()
    per_week: dict = defaultdict(Counter)
    for week, name, count in rows:
        key = name or "No department"
        totals[key] += count
        per_week[week][key] += count
    named = [
        name
        for name, _n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        if name != "No department"
    ][:INTAKE_NAMED_DEPARTMENTS]
    series = [
        (name, [per_week[w][name] for w in weeks], css)
        for name, css in zip(named, charts.colour_classes(len(named)), strict=True)
    ]
    other = [
        sum(n for key, n in per_week[w].items() if key not in named and key != "No department")
        for w in weeks
    ]
    if any(other):
        series.append(("Other", other, charts.OTHER_CLASS))
    unassigned = [per_week[w]["No department"] for w in weeks]
    if any(unassigned):
        series.append(("No department", unassigned, charts.NONE_CLASS))
    total = sum(totals.values())
    return charts.stacked_bar_chart(
        id="intake-weekly",
        title=f"Requests received per week, last {INTAKE_WEEKS} weeks",
        desc=f"{total} request{'s' if total != 1 else ''} received since {start:%-d %b %Y}, by department.",
        labels=[f"{w:%-d %b}" for w in weeks],
        series=series,
        x_unit="Week starting",
        y_unit="Requests",
        empty_text=f"No requests in the last {INTAKE_WEEKS} weeks.",
    )


def score_chart(*, bins: list[tuple[int, int, int]]) -> charts.Chart:
    """How the backlog's scores spread over 0–100."""
    total = sum(count for _l, _h, count in bins)
    return charts.histogram(
        id="score-distribution",
        title="Score distribution",
        desc=f"{total} scored request{'s' if total != 1 else ''} in the backlog, by score band.",
        bins=bins,
        x_unit="Score",
        y_unit="Requests",
        empty_text="No scored requests match.",
    )
