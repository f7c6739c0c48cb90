"""What a snapshot records about each item, and how two states differ."""

from decimal import Decimal

TRACKED = (
    "title",
    "public_title",
    "lane",
    "start_month",
    "end_month",
    "estimate_days",
    "status",
    "visibility",
)


def item_state(item) -> dict:
    return {
        "title": item.title,
        "public_title": item.public_title,
        "lane": item.lane,
        "start_month": item.start_month.isoformat() if item.start_month else None,
        "end_month": item.end_month.isoformat() if item.end_month else None,
        "estimate_days": str(item.estimate_days),
        "status": item.status,
        "visibility": item.visibility,
    }


def roadmap_state(items) -> dict:
    return {"items": {str(item.pk): item_state(item) for item in items}}


def _changed_estimate(before: dict, after: dict) -> bool:
    return Decimal(before["estimate_days"]) != Decimal(after["estimate_days"])


def _period_move(direction: str, move: dict) -> dict:
    return {"kind": "moved_period", "direction": direction, "from": move["from"], "to": move["to"]}


def diff(before: dict, after: dict, *, period_moves: dict | None = None) -> list[dict]:
    """Per item, what changed from `before` to `after`: added, removed, moved (lane or month
    span), moved (period), re-estimated, status changed. Items are matched by id. Snapshots
    are per roadmap, so an item that moved to another quarter would look removed here and
    added there: `period_moves` ({item id: {"from": period, "to": period}}, from
    selectors.period_moves) turns those into "moved out to" and "moved in from"."""
    old, new = before.get("items", {}), after.get("items", {})
    moves = period_moves or {}
    changes = []
    for key in sorted(set(old) | set(new), key=int):
        a, b = old.get(key), new.get(key)
        entry = {"item_id": int(key), "title": (b or a)["title"], "changes": []}
        if a is None:
            move = moves.get(key)
            entry["changes"].append(_period_move("in", move) if move else {"kind": "added"})
        elif b is None:
            move = moves.get(key)
            entry["changes"].append(_period_move("out", move) if move else {"kind": "removed"})
        else:
            if a["lane"] != b["lane"] or (a["start_month"], a["end_month"]) != (
                b["start_month"],
                b["end_month"],
            ):
                entry["changes"].append(
                    {
                        "kind": "moved",
                        "from": {k: a[k] for k in ("lane", "start_month", "end_month")},
                        "to": {k: b[k] for k in ("lane", "start_month", "end_month")},
                    }
                )
            if _changed_estimate(a, b):
                entry["changes"].append(
                    {"kind": "re_estimated", "from": a["estimate_days"], "to": b["estimate_days"]}
                )
            if a["status"] != b["status"]:
                entry["changes"].append(
                    {"kind": "status_changed", "from": a["status"], "to": b["status"]}
                )
        if entry["changes"]:
            changes.append(entry)
    return changes


def stakeholder_lines(before: dict, after: dict, *, period_moves: dict | None = None) -> list[str]:
    """Changes a stakeholder may hear about: shared items only, by their stakeholder-facing
    title; estimates and internal items never appear. An item that moved to or from another
    quarter says so instead of looking dropped or new."""
    old, new = before.get("items", {}), after.get("items", {})
    moves = period_moves or {}
    lines = []
    for key in sorted(set(old) | set(new), key=int):
        a, b = old.get(key), new.get(key)
        a_shared = a is not None and a["visibility"] == "shared"
        b_shared = b is not None and b["visibility"] == "shared"
        if not (a_shared or b_shared):
            continue
        title = (b if b_shared else a)["public_title"]
        move = moves.get(key)
        if a is None and move:
            lines.append(f"Moved here from {move['from']}: {title}")
        elif b is None and move:
            lines.append(f"Moved to {move['to']}: {title}")
        elif not a_shared:
            lines.append(f"Added: {title}")
        elif not b_shared:
            lines.append(f"No longer on the shared roadmap: {title}")
        else:
            if a["lane"] != b["lane"]:
                lines.append(f"Moved: {title} ({a['lane']} → {b['lane']})")
            elif (a["start_month"], a["end_month"]) != (b["start_month"], b["end_month"]):
                lines.append(f"Rescheduled: {title}")
            if a["status"] != b["status"]:
                lines.append(
                    f"{title}: {a['status'].replace('_', ' ')} → {b['status'].replace('_', ' ')}"
                )
    return lines
