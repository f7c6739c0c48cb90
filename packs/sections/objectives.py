"""Objectives: how the objectives of the quarter stand, from what outcomes holds today."""

from django.db.models import Count, Q

from outcomes.models import Objective
from roadmap.models import RoadmapItem

from . import Scope, Section, Table, register

STATUS_LABELS = dict(Objective.Status.choices)


def health(*, status: str, items: int, shipped: int) -> str:
    """An achieved, missed or dropped objective is that; an active (or draft) one is "on
    track" when at least half of the quarter's items serving it shipped, "at risk" when fewer
    did, and "no work planned" when no item of the quarter serves it."""
    if status in (Objective.Status.ACHIEVED, Objective.Status.MISSED, Objective.Status.DROPPED):
        return str(status)
    if not items:
        return "no work planned"
    return "on track" if shipped * 2 >= items else "at risk"


def compute(scope: Scope) -> dict:
    """The objectives set for the quarter or its fiscal year (the organisation's pack), or
    served by the team's items this quarter (a team's pack, which also lists the quarter's
    objectives its items serve), each with the quarter's items serving it, how many shipped,
    and its health. Two queries."""
    items = RoadmapItem.objects.filter(roadmap__period=scope.period.label)
    if scope.team is not None:
        items = items.filter(roadmap__team_id=scope.team_id)
    counts = {
        row["objective_id"]: row
        for row in items.order_by()
        .values("objective_id")
        .annotate(n=Count("id"), shipped=Count("id", filter=Q(status=RoadmapItem.Status.SHIPPED)))
    }
    year = scope.period.label[:4]
    chosen = Q(pk__in=list(counts))
    if scope.team is None:
        chosen |= Q(period__in=[scope.period.label, year])
    objectives = Objective.objects.filter(chosen).order_by("level", "title", "id")
    rows = []
    for o in objectives:
        c = counts.get(o.pk, {"n": 0, "shipped": 0})
        rows.append(
            {
                "id": o.pk,
                "title": o.title,
                "level": o.level,
                "period": o.period,
                "status": o.status,
                "items": c["n"],
                "shipped": c["shipped"],
                "health": health(status=o.status, items=c["n"], shipped=c["shipped"]),
            }
        )
    by_health: dict[str, int] = {}
    for row in rows:
        by_health[row["health"]] = by_health.get(row["health"], 0) + 1
    return {
        "has_data": bool(rows),
        "objectives": rows,
        "by_health": [{"health": k, "count": v} for k, v in sorted(by_health.items())],
    }


def public(figures: dict) -> dict:
    """Objectives are open to stakeholders; the counts of (possibly internal) items are not."""
    shown = dict(figures)
    shown["objectives"] = [
        {k: v for k, v in row.items() if k not in ("items", "shipped")}
        for row in figures.get("objectives", [])
    ]
    return shown


def tables(figures: dict) -> list[Table]:
    rows = figures.get("objectives", [])
    internal = any("items" in row for row in rows)
    return [
        Table(
            "objectives",
            "Objectives",
            ["Objective", "Level", "Period", "Status"]
            + (["Items", "Shipped"] if internal else [])
            + ["Health"],
            [
                [r["title"], r["level"], r["period"], STATUS_LABELS.get(r["status"], r["status"])]
                + ([r["items"], r["shipped"]] if internal else [])
                + [r["health"]]
                for r in rows
            ],
        )
    ]


def headline(figures: dict) -> list[tuple[str, object]]:
    counts = {row["health"]: row["count"] for row in figures.get("by_health", [])}
    return [
        ("Objectives", len(figures.get("objectives", []))),
        ("On track", counts.get("on track", 0)),
        ("At risk", counts.get("at risk", 0)),
        ("Achieved", counts.get("achieved", 0)),
    ]


SECTION = register(
    Section(
        key="objectives",
        title="Objectives' health",
        compute=compute,
        public=public,
        tables=tables,
        headline=headline,
    )
)
