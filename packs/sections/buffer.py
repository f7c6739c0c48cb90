"""Buffer: the buffer planned, the unplanned work actually logged, against the 20–30 % rule."""

from decimal import Decimal

from django.db.models import Count, Sum

from roadmap import selectors as roadmap_selectors
from roadmap.models import UnplannedEntry
from roadmap.rules import round_days

from . import Scope, Section, Table, register

RULE_LOW, RULE_HIGH = Decimal(20), Decimal(30)


def _percent(part, whole) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))


def against_rule(unplanned_share) -> str | None:
    """The 20–30 % rule: a team keeps 20–30 % of capacity for unplanned work. Unplanned work
    logged at under 20 % of capacity is "under" (the buffer could be smaller), 20–30 %
    "within", over 30 % "over" (the buffer is too small); None without capacity."""
    if unplanned_share is None:
        return None
    share = Decimal(unplanned_share)
    if share < RULE_LOW:
        return "under"
    return "over" if share > RULE_HIGH else "within"


def compute(scope: Scope) -> dict:
    """Per roadmap of the quarter: capacity, buffer % and days, unplanned person-days logged,
    burn (unplanned as a share of the buffer) and unplanned as a share of capacity against
    the rule; the unplanned work grouped by category (in the categories' order) and by who
    asked (most days first). Five queries."""
    roadmaps = roadmap_selectors.roadmap_list(
        period=scope.period.label, team=scope.team_id if scope.team is not None else None
    )
    rows, total_capacity, total_buffer, total_unplanned = [], Decimal(0), Decimal(0), Decimal(0)
    for roadmap in roadmaps:
        f = roadmap_selectors.roadmap_figures(roadmap)
        share = _percent(f.unplanned_days, f.capacity_days)
        rows.append(
            {
                "team": roadmap.team.name,
                "capacity_days": str(f.capacity_days),
                "buffer_percent": str(f.buffer_percent),
                "buffer_days": str(f.buffer_days),
                "unplanned_days": str(f.unplanned_days),
                "burn_percent": str(f.buffer_burn_percent),
                "unplanned_share_percent": share,
                "against_rule": against_rule(share),
            }
        )
        total_capacity += f.capacity_days
        total_buffer += f.buffer_days
        total_unplanned += f.unplanned_days
    who = (
        UnplannedEntry.objects.filter(roadmap__period=scope.period.label)
        .order_by()
        .values("requested_by")
        .annotate(days=Sum("days"), entries=Count("id"))
        .order_by("-days", "requested_by")
    )
    kinds = (
        UnplannedEntry.objects.filter(roadmap__period=scope.period.label)
        .order_by()
        .values("category")
        .annotate(days=Sum("days"), entries=Count("id"))
    )
    if scope.team is not None:
        who = who.filter(roadmap__team_id=scope.team_id)
        kinds = kinds.filter(roadmap__team_id=scope.team_id)
    by_kind = {row["category"]: row for row in kinds}
    share = _percent(total_unplanned, total_capacity)
    return {
        "has_data": bool(rows),
        "roadmaps": rows,
        "capacity_days": str(round_days(total_capacity)),
        "buffer_days": str(round_days(total_buffer)),
        "buffer_percent": _percent(total_buffer, total_capacity),
        "unplanned_days": str(round_days(total_unplanned)),
        "burn_percent": _percent(total_unplanned, total_buffer),
        "unplanned_share_percent": share,
        "against_rule": against_rule(share),
        "by_who_asked": [
            {"who": row["requested_by"], "days": str(row["days"]), "entries": row["entries"]}
            for row in who
        ],
        "by_category": [
            {
                "category": key,
                "label": str(label),
                "days": str(by_kind[key]["days"]),
                "entries": by_kind[key]["entries"],
            }
            for key, label in UnplannedEntry.Category.choices
            if key in by_kind
        ],
    }


def tables(figures: dict) -> list[Table]:
    return [
        Table(
            "roadmaps",
            "Buffer by roadmap",
            [
                "Team",
                "Capacity (d)",
                "Buffer %",
                "Buffer (d)",
                "Unplanned (d)",
                "Burn %",
                "Unplanned % of capacity",
                "20–30 % rule",
            ],
            [
                [
                    r["team"],
                    r["capacity_days"],
                    r["buffer_percent"],
                    r["buffer_days"],
                    r["unplanned_days"],
                    r["burn_percent"],
                    r["unplanned_share_percent"] or "—",
                    r["against_rule"] or "—",
                ]
                for r in figures.get("roadmaps", [])
            ],
        ),
        Table(
            "by_category",
            "Unplanned work by category",
            ["Category", "Person-days", "Entries"],
            [[r["label"], r["days"], r["entries"]] for r in figures.get("by_category") or []],
        ),
        Table(
            "by_who_asked",
            "Unplanned work by who asked",
            ["Who asked", "Person-days", "Entries"],
            [[r["who"], r["days"], r["entries"]] for r in figures.get("by_who_asked", [])],
        ),
    ]


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Buffer planned (%)", figures.get("buffer_percent")),
        ("Unplanned (person-days)", figures.get("unplanned_days")),
        ("Buffer burn (%)", figures.get("burn_percent")),
        ("Unplanned share of capacity (%)", figures.get("unplanned_share_percent")),
        ("20–30 % rule", figures.get("against_rule")),
    ]


def chart_list(figures: dict, prefix: str) -> list:
    from prodops.core import charts

    rows = figures.get("by_who_asked", [])
    kinds = figures.get("by_category") or []
    return [
        charts.bar_chart(
            id=f"{prefix}-buffer-category",
            title="Unplanned work by category",
            desc=f"{figures.get('unplanned_days', 0)} unplanned person-days logged.",
            labels=[r["label"] for r in kinds],
            values=[Decimal(r["days"]) for r in kinds],
            x_unit="Category",
            y_unit="Person-days",
            empty_text="No unplanned work logged.",
        ),
        charts.bar_chart(
            id=f"{prefix}-buffer-who",
            title="Unplanned work by who asked",
            desc=f"{figures.get('unplanned_days', 0)} unplanned person-days logged.",
            labels=[r["who"] for r in rows],
            values=[Decimal(r["days"]) for r in rows],
            x_unit="Who asked",
            y_unit="Person-days",
            empty_text="No unplanned work logged.",
        ),
    ]


# Capacity, estimates and unplanned work are internal: stakeholders never see this section.
SECTION = register(
    Section(
        key="buffer",
        title="Buffer",
        compute=compute,
        public=None,
        tables=tables,
        headline=headline,
        charts=chart_list,
    )
)
