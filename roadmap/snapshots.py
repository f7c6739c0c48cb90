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


def diff(before: dict, after: dict) -> list[dict]:
    """Per item, what changed from `before` to `after`: added, removed, moved (lane or month
    span), re-estimated, status changed. Items are matched by id."""
    old, new = before.get("items", {}), after.get("items", {})
    changes = []
    for key in sorted(set(old) | set(new), key=int):
        a, b = old.get(key), new.get(key)
        entry = {"item_id": int(key), "title": (b or a)["title"], "changes": []}
        if a is None:
            entry["changes"].append({"kind": "added"})
        elif b is None:
            entry["changes"].append({"kind": "removed"})
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


def stakeholder_lines(before: dict, after: dict) -> list[str]:
    """Changes a stakeholder may hear about: shared items only, by their stakeholder-facing
    title; estimates and internal items never appear."""
    old, new = before.get("items", {}), after.get("items", {})
    lines = []
    for key in sorted(set(old) | set(new), key=int):
        a, b = old.get(key), new.get(key)
        a_shared = a is not None and a["visibility"] == "shared"
        b_shared = b is not None and b["visibility"] == "shared"
        if not (a_shared or b_shared):
            continue
        title = (b if b_shared else a)["public_title"]
        if not a_shared:
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
