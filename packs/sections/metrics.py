"""Outcomes: how the metrics moved against their targets in the quarter, and the revisits
recorded in it with their results."""

from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery

from outcomes import progress
from outcomes.models import Measurement, Metric, Revisit

from . import NO_DATA, Scope, Section, Table, register

OUTCOME_LABELS = dict(Revisit.Outcome.choices)
MOVED_LABELS = {"toward": "Toward target", "away": "Away from target", "flat": "Did not move"}


def _value(value) -> str | None:
    """A metric value as text without trailing zeros (12.5000 → "12.5")."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def moved(*, change: Decimal | None, baseline: Decimal, target: Decimal) -> str | None:
    """A metric moved "toward" its target in the quarter when its change has the sign of
    (target − baseline), "away" when the opposite sign, "flat" when it did not change; None
    when nothing was measured in the quarter."""
    if change is None:
        return None
    if change == 0:
        return "flat"
    return "toward" if (change > 0) == (target > baseline) else "away"


def _latest(*, before=None, upto=None):
    """The value of a metric's latest measurement strictly before `before` or on/before `upto`."""
    rows = Measurement.objects.filter(metric=OuterRef("pk"))
    rows = rows.filter(measured_on__lt=before) if before else rows.filter(measured_on__lte=upto)
    return Subquery(rows.order_by("-measured_on").values("value")[:1])


def compute(scope: Scope) -> dict:
    """Metrics whose baseline→target span overlaps the quarter (a team's pack: the metrics the
    team measures), each with its value when the quarter opened (the last measurement before
    it, else the baseline), its latest value by the quarter's as-of day, the change between
    them, whether that moved it toward the target, its progress (outcomes.progress) and its
    status on the as-of day. Revisits recorded in the quarter with their outcome, and the
    revisits due in it still without one (a team's: of its items and requests). Two
    queries."""
    start, end = scope.period.start, scope.period.end
    as_of = scope.as_of()
    metrics = (
        Metric.objects.filter(baseline_on__lte=end, target_on__gte=start)
        .select_related("objective")
        .annotate(
            opening=_latest(before=start),
            closing=_latest(upto=as_of),
            measured=Count("measurements", filter=Q(measurements__measured_on__range=(start, end))),
        )
        .order_by("name", "id")
    )
    if scope.team is not None:
        metrics = metrics.filter(team_id=scope.team_id)
    rows = []
    for m in metrics:
        opening = m.opening if m.opening is not None else m.baseline_value
        change = (m.closing - opening) if m.measured else None
        share = progress.metric_progress(
            baseline=m.baseline_value, target=m.target_value, latest=m.closing
        )
        rows.append(
            {
                "id": m.pk,
                "name": m.name,
                "unit": m.unit,
                "objective": m.objective.title,
                "baseline": _value(m.baseline_value),
                "target": _value(m.target_value),
                "target_on": m.target_on.isoformat(),
                "opening": _value(opening),
                "closing": _value(m.closing),
                "change": _value(change),
                "measurements": m.measured,
                "moved": moved(change=change, baseline=m.baseline_value, target=m.target_value),
                "progress_percent": None
                if share is None
                else str((share * 100).quantize(Decimal("1"))),
                "status": progress.metric_status(
                    progress=share, baseline_on=m.baseline_on, target_on=m.target_on, today=as_of
                ),
            }
        )
    revisits = Revisit.objects.select_related(
        "contribution__metric", "contribution__roadmap_item", "contribution__request"
    ).order_by("recorded_at", "id")
    if scope.team is not None:
        revisits = revisits.filter(
            Q(contribution__roadmap_item__roadmap__team_id=scope.team_id)
            | Q(contribution__request__team_id=scope.team_id)
        )
    bounds = scope.bounds()
    recorded, open_due = [], 0
    for r in revisits.filter(
        Q(recorded_at__gte=bounds[0], recorded_at__lt=bounds[1], outcome__gt="")
        | Q(due_on__range=(start, end), outcome="")
    ):
        if not r.outcome:
            open_due += 1
            continue
        c = r.contribution
        recorded.append(
            {
                "work": str(c.roadmap_item or c.request),
                "metric": c.metric.name,
                "due_on": r.due_on.isoformat(),
                "recorded_on": r.recorded_at.date().isoformat(),
                "outcome": r.outcome,
                "expected_change": _value(c.expected_change),
                "observed_change": _value(r.observed_change),
                "impact_statement": r.impact_statement,
            }
        )
    by_outcome = [
        {"outcome": key, "label": str(label), "count": n}
        for key, label in Revisit.Outcome.choices
        if (n := sum(1 for r in recorded if r["outcome"] == key))
    ]
    by_moved = {key: sum(1 for row in rows if row["moved"] == key) for key in MOVED_LABELS}
    has_data = bool(rows or recorded or open_due)
    return {
        "has_data": has_data,
        "message": "" if has_data else NO_DATA,
        "metrics": rows,
        "moved_toward": by_moved["toward"],
        "moved_away": by_moved["away"],
        "not_moved": by_moved["flat"],
        "not_measured": sum(1 for row in rows if row["moved"] is None),
        "revisits": recorded,
        "revisits_recorded": len(recorded),
        "revisits_by_outcome": by_outcome,
        "revisits_open": open_due,
    }


def public(figures: dict) -> dict:
    """Metrics are open to stakeholders (their pages are); revisits name the work behind them
    (possibly internal items) and the team's impact statements, so only their counts show."""
    shown = {k: v for k, v in figures.items() if k != "revisits"}
    return shown


def tables(figures: dict) -> list[Table]:
    metric_rows = [
        [
            r["name"],
            r["unit"],
            r["objective"],
            r["opening"],
            r["closing"],
            r["change"],
            r["target"],
            MOVED_LABELS.get(r["moved"], "Not measured"),
            r["progress_percent"],
            progress.STATUS_LABELS.get(r["status"], r["status"]),
        ]
        for r in figures.get("metrics", [])
    ]
    found = [
        Table(
            "metrics",
            "Metrics against target",
            [
                "Metric",
                "Unit",
                "Objective",
                "At the start",
                "Latest",
                "Change",
                "Target",
                "Moved",
                "Progress (%)",
                "Status",
            ],
            metric_rows,
        ),
        Table(
            "revisit_outcomes",
            "Revisit results",
            ["Result", "Revisits"],
            [[r["label"], r["count"]] for r in figures.get("revisits_by_outcome", [])]
            + [["Due, not recorded yet", figures.get("revisits_open", 0)]],
        ),
    ]
    if "revisits" in figures:
        found.append(
            Table(
                "revisits",
                "Revisits recorded",
                ["Work", "Metric", "Due", "Recorded", "Result", "Expected", "Observed", "Impact"],
                [
                    [
                        r["work"],
                        r["metric"],
                        r["due_on"],
                        r["recorded_on"],
                        OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
                        r["expected_change"],
                        r["observed_change"],
                        r["impact_statement"],
                    ]
                    for r in figures["revisits"]
                ],
            )
        )
    return found


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Metrics", len(figures.get("metrics", []))),
        ("Moved toward target", figures.get("moved_toward", 0)),
        ("Moved away", figures.get("moved_away", 0)),
        ("Revisits recorded", figures.get("revisits_recorded", 0)),
    ]


def chart_list(figures: dict, prefix: str) -> list:
    from prodops.core import charts

    rows = [r for r in figures.get("metrics", []) if r["progress_percent"] is not None]
    return [
        charts.bar_chart(
            id=f"{prefix}-metrics-progress",
            title="Progress toward target",
            desc="Each metric's progress from baseline (0 %) to target (100 %).",
            labels=[r["name"] for r in rows],
            values=[max(Decimal(r["progress_percent"]), Decimal(0)) for r in rows],
            x_unit="Metric",
            y_unit="% of the way",
            refs=[(100, "Target", "warn")],
            empty_text="No metric measured yet.",
        )
    ]


SECTION = register(
    Section(
        key="metrics",
        title="Outcomes: metrics and revisits",
        compute=compute,
        public=public,
        tables=tables,
        headline=headline,
        charts=chart_list,
    )
)
