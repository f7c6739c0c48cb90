"""Roadmap: what was planned at the quarter's first snapshot against what shipped."""

from decimal import Decimal

from roadmap.models import ItemPeriodMove, Overcommit, Roadmap, RoadmapItem, Snapshot

from . import Scope, Section, Table, register

SHIPPED = RoadmapItem.Status.SHIPPED
STATUS_LABELS = dict(RoadmapItem.Status.choices)


def say_do_percent(planned: int, shipped: int) -> str | None:
    """Say/do ratio: of the items on a roadmap at its quarter's first snapshot, the share
    that shipped in that quarter, in percent with one decimal; None when nothing was
    planned at a snapshot."""
    if not planned:
        return None
    return str((Decimal(shipped) * 100 / planned).quantize(Decimal("0.1")))


def _derive(planned: list[dict], added: list[dict]) -> dict:
    shipped = sum(1 for row in planned if row["outcome"] == "shipped")
    return {
        "planned_at_start": len(planned),
        "shipped_of_planned": shipped,
        "say_do_percent": say_do_percent(len(planned), shipped),
        "shipped_added": sum(1 for row in added if row["status"] == SHIPPED),
        "slips": [row for row in planned if row["outcome"] != "shipped"],
    }


def compute(scope: Scope) -> dict:
    """Per roadmap of the quarter (the team's, or every team's): the items of its first
    snapshot are what was planned; each either shipped on this roadmap, moved to another
    quarter, was taken off, or did not ship by the quarter's end (a slip, with that as its
    reason). Items on the roadmap that the first snapshot did not hold were added
    mid-quarter (moved in from another quarter, or new). Over-commit overrides are listed
    with their reasons. Five queries whatever the number of items."""
    roadmaps = Roadmap.objects.filter(period=scope.period.label).select_related("team")
    if scope.team is not None:
        roadmaps = roadmaps.filter(team_id=scope.team_id)
    roadmaps = list(roadmaps.order_by("team__name"))
    ids = [r.pk for r in roadmaps]
    firsts = {
        s.roadmap_id: s
        for s in Snapshot.objects.filter(roadmap_id__in=ids)
        .order_by("roadmap_id", "taken_at", "id")
        .distinct("roadmap_id")
    }
    items = list(
        RoadmapItem.objects.filter(roadmap_id__in=ids).order_by("roadmap_id", "position", "id")
    )
    moves = list(
        ItemPeriodMove.objects.filter(from_roadmap_id__in=ids)
        .union(ItemPeriodMove.objects.filter(to_roadmap_id__in=ids))
        .order_by("moved_at", "id")
    )
    periods = (
        {
            r.pk: r.period
            for r in Roadmap.objects.filter(
                pk__in={m.from_roadmap_id for m in moves} | {m.to_roadmap_id for m in moves}
            )
        }
        if moves
        else {}
    )
    team_of = {r.pk: r.team.name for r in roadmaps}
    current = {item.pk: item for item in items}
    moved_out = {(m.item_id, m.from_roadmap_id): periods.get(m.to_roadmap_id) for m in moves}
    moved_in = {(m.item_id, m.to_roadmap_id): periods.get(m.from_roadmap_id) for m in moves}

    planned, in_snapshot = [], set()
    for roadmap in roadmaps:
        snapshot = firsts.get(roadmap.pk)
        if snapshot is None:
            continue
        for key, state in sorted(snapshot.data.get("items", {}).items(), key=lambda kv: int(kv[0])):
            item_id = int(key)
            in_snapshot.add((item_id, roadmap.pk))
            item = current.get(item_id)
            here = item is not None and item.roadmap_id == roadmap.pk
            if here and item.status == SHIPPED:
                outcome, reason = "shipped", ""
            elif (item_id, roadmap.pk) in moved_out and not here:
                outcome = "moved"
                reason = f"Moved to {moved_out[(item_id, roadmap.pk)]}"
            elif here:
                outcome = "not_shipped"
                reason = f"Not shipped by the quarter's end ({STATUS_LABELS[item.status].lower()})"
            else:
                outcome, reason = "removed", "Taken off the roadmap"
            planned.append(
                {
                    "id": item_id,
                    "team": team_of[roadmap.pk],
                    "title": item.title if item else state["title"],
                    "public_title": item.public_title if item else state["public_title"],
                    "visibility": item.visibility if item else state["visibility"],
                    "estimate_days": str(item.estimate_days if item else state["estimate_days"]),
                    "outcome": outcome,
                    "reason": reason,
                }
            )
    added = (
        [
            {
                "id": item.pk,
                "team": team_of[item.roadmap_id],
                "title": item.title,
                "public_title": item.public_title,
                "visibility": item.visibility,
                "estimate_days": str(item.estimate_days),
                "status": item.status,
                "moved_from": moved_in.get((item.pk, item.roadmap_id)),
            }
            for item in items
            if (item.pk, item.roadmap_id) not in in_snapshot and item.roadmap_id in firsts
        ]
        if firsts
        else []
    )
    overcommits = [
        {
            "team": team_of[o.roadmap_id],
            "date": o.created_at.date().isoformat(),
            "item": o.item.title if o.item_id else "",
            "reason": o.reason,
            "planned_days": str(o.planned_days),
            "plannable_days": str(o.plannable_days),
        }
        for o in Overcommit.objects.filter(roadmap_id__in=ids)
        .select_related("item")
        .order_by("created_at", "id")
    ]
    return {
        "has_data": bool(roadmaps),
        "roadmaps": [
            {
                "team": r.team.name,
                "first_snapshot_at": firsts[r.pk].taken_at.isoformat() if r.pk in firsts else None,
                "items": sum(1 for item in items if item.roadmap_id == r.pk),
                "shipped": sum(1 for i in items if i.roadmap_id == r.pk and i.status == SHIPPED),
            }
            for r in roadmaps
        ],
        "planned": planned,
        "added": added,
        "overcommits": overcommits,
        **_derive(planned, added),
    }


def _public_row(row: dict) -> dict:
    shown = {k: v for k, v in row.items() if k not in ("title", "estimate_days")}
    shown["title"] = row["public_title"]
    return shown


def public(figures: dict) -> dict:
    """Shared items only, by their stakeholder-facing title, without estimates; the say/do
    ratio is worked out over the shared items; over-commit overrides stay internal."""
    planned = [_public_row(r) for r in figures.get("planned", []) if r["visibility"] == "shared"]
    added = [_public_row(r) for r in figures.get("added", []) if r["visibility"] == "shared"]
    return {
        "has_data": figures.get("has_data", False),
        "roadmaps": [
            {"team": r["team"], "first_snapshot_at": r["first_snapshot_at"]}
            for r in figures.get("roadmaps", [])
        ],
        "planned": planned,
        "added": added,
        "overcommits": [],
        **_derive(planned, added),
    }


def tables(figures: dict) -> list[Table]:
    internal = any("estimate_days" in row for row in figures.get("planned", []))
    planned_head = ["Team", "Item", "Outcome", "Reason"] + (["Estimate (d)"] if internal else [])
    result = [
        Table(
            "planned",
            "Planned at the first snapshot",
            planned_head,
            [
                [r["team"], r["title"], r["outcome"].replace("_", " "), r["reason"]]
                + ([r["estimate_days"]] if internal else [])
                for r in figures.get("planned", [])
            ],
        ),
        Table(
            "slips",
            "Slips",
            ["Team", "Item", "Reason"],
            [[r["team"], r["title"], r["reason"]] for r in figures.get("slips", [])],
        ),
        Table(
            "added",
            "Added mid-quarter",
            ["Team", "Item", "Status", "Moved from"],
            [
                [
                    r["team"],
                    r["title"],
                    STATUS_LABELS.get(r["status"], r["status"]),
                    r["moved_from"] or "—",
                ]
                for r in figures.get("added", [])
            ],
        ),
    ]
    if internal:
        result.append(
            Table(
                "overcommits",
                "Over-commit overrides",
                ["Team", "Date", "Item", "Planned (d)", "Plannable (d)", "Reason"],
                [
                    [
                        o["team"],
                        o["date"],
                        o["item"] or "—",
                        o["planned_days"],
                        o["plannable_days"],
                        o["reason"],
                    ]
                    for o in figures.get("overcommits", [])
                ],
            )
        )
    return result


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Planned at first snapshot", figures.get("planned_at_start", 0)),
        ("Shipped of planned", figures.get("shipped_of_planned", 0)),
        ("Say/do ratio (%)", figures.get("say_do_percent")),
        ("Slips", len(figures.get("slips", []))),
        ("Added mid-quarter", len(figures.get("added", []))),
    ]


def chart_list(figures: dict, prefix: str) -> list:
    from prodops.core import charts

    labels = ["Planned", "Shipped of planned", "Slipped", "Added mid-quarter"]
    values = [
        figures.get("planned_at_start", 0),
        figures.get("shipped_of_planned", 0),
        len(figures.get("slips", [])),
        len(figures.get("added", [])),
    ]
    ratio = figures.get("say_do_percent")
    return [
        charts.bar_chart(
            id=f"{prefix}-roadmap-saydo",
            title="Planned against shipped",
            desc=f"Say/do ratio: {ratio} %." if ratio is not None else "No snapshot yet.",
            labels=labels,
            values=values,
            x_unit="Items",
            y_unit="Items",
            empty_text="No items planned at a snapshot.",
            whole=True,
        )
    ]


SECTION = register(
    Section(
        key="roadmap",
        title="Roadmap",
        compute=compute,
        public=public,
        tables=tables,
        headline=headline,
        charts=chart_list,
    )
)
