"""The events sent to webhook endpoints, in the product's words, and how each one is
recognised in the activity trail that every service already writes.

Each service records what it did with ``prodops.activity.services.activity_record`` in the
same transaction as the change; `event_for_activity` names the webhook event (if any) that
such an entry means. A feature whose change is not in the trail calls `emit` itself."""

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.urls import NoReverseMatch

EVENT_TYPES: tuple[str, ...] = (
    "request.created",
    "request.status_changed",
    "request.merged",
    "roadmap_item.created",
    "roadmap_item.shipped",
    "roadmap.reviewed",
    "outcome.revisit_recorded",
    "doc.published",
    "price_change.approved",
    "outreach.touch_logged",
)


def _status_to(changes: dict) -> str | None:
    moved = (changes or {}).get("status")
    return moved[1] if isinstance(moved, list | tuple) and len(moved) == 2 else None


def _is_roadmap_review(target) -> bool:
    return getattr(target, "kind", None) == "roadmap"


# (app label, model name, activity verb) → (event type, condition on target and changes).
_FROM_ACTIVITY: dict[tuple[str, str, str], tuple[str, Callable]] = {
    ("intake", "request", "created"): ("request.created", lambda target, changes: True),
    ("intake", "request", "status_changed"): (
        "request.status_changed",
        lambda target, changes: True,
    ),
    ("intake", "request", "merged"): ("request.merged", lambda target, changes: True),
    ("roadmap", "roadmapitem", "created"): (
        "roadmap_item.created",
        lambda target, changes: True,
    ),
    ("roadmap", "roadmapitem", "updated"): (
        "roadmap_item.shipped",
        lambda target, changes: _status_to(changes) == "shipped",
    ),
    ("docs_hub", "doc", "status_changed"): (
        "doc.published",
        lambda target, changes: _status_to(changes) == "published",
    ),
    ("outcomes", "revisit", "recorded"): (
        "outcome.revisit_recorded",
        lambda target, changes: True,
    ),
    ("pricing", "priceproposal", "status_changed"): (
        "price_change.approved",
        lambda target, changes: _status_to(changes) == "approved",
    ),
    ("outreach", "touch", "logged"): ("outreach.touch_logged", lambda target, changes: True),
    ("reviews", "cadence", "review_completed"): (
        "roadmap.reviewed",
        lambda target, changes: _is_roadmap_review(target),
    ),
}


def event_for_activity(*, target, verb: str, changes: dict) -> str | None:
    """The webhook event an activity entry means, or None."""
    meta = target._meta
    found = _FROM_ACTIVITY.get((meta.app_label, meta.model_name, verb))
    if found is None:
        return None
    event_type, condition = found
    return event_type if condition(target, changes) else None


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def payload_data(target, *, changes: dict | None = None) -> dict:
    """What a message says about its object: ids, names, status and a link; never notes,
    assessments or anything only the team may read."""
    meta = target._meta
    data: dict = {"object": meta.model_name, "id": target.pk}
    for name in ("title", "name", "status", "kind"):
        value = getattr(target, name, None)
        if isinstance(value, str | int) and value != "":
            data[name] = value
    for name in ("team_id", "roadmap_id", "department_id", "merged_into_id"):
        value = getattr(target, name, None)
        if value is not None:
            data[name.removesuffix("_id")] = value
    if changes and "merged_from" in changes:
        data["merged_from"] = changes["merged_from"]
    if changes and "status" in changes:
        data["status_change"] = {"from": changes["status"][0], "to": changes["status"][1]}
    get_url = getattr(target, "get_absolute_url", None)
    if callable(get_url):
        # An object whose page cannot be reversed simply goes without a link.
        with contextlib.suppress(NoReverseMatch):
            data["url"] = _link(get_url())
    return data
