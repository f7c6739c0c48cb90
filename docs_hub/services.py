"""Writes for docs: create and edit (each save a revision), restore, publish, verify, and the
deflections docs earn."""

import datetime as dt

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from prodops.accounts.roles import Role, has_role
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from .models import LINK_KINDS, Deflection, Doc, DocRevision, SuggestionOpen

EDITABLE_FIELDS = ("title", "body", "audience", "owner", "reviewer", "tags", "verify_interval_days")

# Who may move a doc from one status to another: the lowest role, plus whether the doc's
# named reviewer may make the move whatever their role.
STATUS_MOVES: dict[tuple[str, str], tuple[Role, bool]] = {
    (Doc.Status.DRAFT, Doc.Status.IN_REVIEW): (Role.MEMBER, False),
    (Doc.Status.IN_REVIEW, Doc.Status.DRAFT): (Role.MEMBER, True),
    (Doc.Status.IN_REVIEW, Doc.Status.PUBLISHED): (Role.LEAD, True),
    (Doc.Status.DRAFT, Doc.Status.PUBLISHED): (Role.LEAD, True),
    (Doc.Status.PUBLISHED, Doc.Status.DRAFT): (Role.MEMBER, False),
    (Doc.Status.PUBLISHED, Doc.Status.ARCHIVED): (Role.MEMBER, False),
    (Doc.Status.DRAFT, Doc.Status.ARCHIVED): (Role.MEMBER, False),
    (Doc.Status.ARCHIVED, Doc.Status.DRAFT): (Role.MEMBER, False),
}


def doc_url(doc: Doc) -> str:
    return reverse("docs_hub:detail", args=[doc.slug])


def doc_may_move(*, doc: Doc, user, to_status: str) -> bool:
    """The status rule: draft → in review → published → archived (and back to draft). Members
    write docs and send them for review; a lead, or the doc's named reviewer, publishes."""
    rule = STATUS_MOVES.get((doc.status, to_status))
    if rule is None:
        return False
    minimum, reviewer_may = rule
    if reviewer_may and doc.reviewer_id and user.pk == doc.reviewer_id:
        return True
    return has_role(user, minimum)


def _require_member(actor, what: str) -> None:
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed(f"Only team members may {what}.")


def _clean(fields: dict) -> dict:
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = (clean["title"] or "").strip()
        if not clean["title"]:
            raise ValidationFailed("Give the doc a title.", field="title")
    if "tags" in clean:
        tags = clean["tags"] or []
        if isinstance(tags, str):
            tags = tags.split(",")
        seen: list[str] = []
        for tag in tags:
            tag = tag.strip().lower()[:40]
            if tag and tag not in seen:
                seen.append(tag)
        clean["tags"] = seen
    if "verify_interval_days" in clean:
        value = clean["verify_interval_days"]
        if value is None or not 1 <= int(value) <= 730:
            raise ValidationFailed("Verify every 1 to 730 days.", field="verify_interval_days")
    if "owner" in clean and clean["owner"] is None:
        clean.pop("owner")  # every doc has an owner; leaving it empty keeps the one it has
    if clean.get("owner") is not None and not has_role(clean["owner"], Role.MEMBER):
        raise ValidationFailed("A doc's owner must be a team member.", field="owner")
    return clean


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "doc"
    if base == "new":  # /docs/new/ is the form for a new doc
        base = "new-doc"
    slug, n = base, 2
    qs = Doc.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def doc_search_vector_refresh(*, doc_id: int) -> None:
    """The stored search vector: title weighs most (A), then tags (B), then body (C)."""
    doc = Doc.objects.only("title", "tags", "body").get(pk=doc_id)
    Doc.objects.filter(pk=doc_id).update(
        search_vector=SearchVector(Value(doc.title), weight="A", config="english")
        + SearchVector(Value(" ".join(doc.tags)), weight="B", config="english")
        + SearchVector(Value(doc.body), weight="C", config="english")
    )


def _revision(doc: Doc, actor, note: str = "") -> DocRevision:
    last = doc.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return DocRevision.objects.create(
        doc=doc, number=last + 1, title=doc.title, body=doc.body, author=actor, note=note
    )


def _sync_cadence(doc: Doc) -> None:
    """Keep the doc's review cadence (prodops.reviews) due on the day its verification runs
    out, so the reviews sweep reminds the owner exactly once per doc and due date."""
    from prodops.reviews.models import Cadence
    from prodops.reviews.services import cadence_ensure

    due = doc.verify_due_on or timezone.localdate()
    cadence = cadence_ensure(
        kind=Cadence.Kind.DOC,
        target=doc,
        title=f"Verify doc “{doc.title}”",
        owner=doc.owner,
        url=doc_url(doc),
        interval_days=doc.verify_interval_days,
        first_due_on=due,
    )
    changes = {}
    for name, value in (
        ("next_due_on", due),
        ("owner_id", doc.owner_id),
        ("interval_days", doc.verify_interval_days),
        ("active", doc.status == Doc.Status.PUBLISHED),
        ("url", doc_url(doc)),
    ):
        if getattr(cadence, name) != value:
            changes[name] = value
    if changes:
        Cadence.objects.filter(pk=cadence.pk).update(version=cadence.version + 1, **changes)


@transaction.atomic
def doc_create(
    *,
    actor,
    title: str,
    body: str = "",
    audience: str = Doc.Audience.TEAM,
    owner=None,
    reviewer=None,
    tags=None,
    verify_interval_days: int | None = None,
    requests=(),
    roadmap_items=(),
) -> Doc:
    """A team member starts a doc as a draft; its first revision is kept at once."""
    _require_member(actor, "write docs")
    fields = _clean(
        {
            "title": title,
            "tags": tags or [],
            "owner": owner or actor,
            **({"verify_interval_days": verify_interval_days} if verify_interval_days else {}),
        }
    )
    doc = Doc.objects.create(
        slug=_unique_slug(fields["title"]),
        body=body or "",
        audience=audience,
        reviewer=reviewer,
        **fields,
    )
    if requests:
        doc.requests.set(requests)
    if roadmap_items:
        doc.roadmap_items.set(roadmap_items)
    _revision(doc, actor, "Created")
    doc_search_vector_refresh(doc_id=doc.pk)
    _sync_cadence(doc)
    activity_record(actor=actor, target=doc, verb="created")
    return doc


@transaction.atomic
def doc_update(*, doc: Doc, actor, expected_version: int | None, **fields) -> Doc:
    """A team member edits a doc; a changed title or body is kept as a new revision. A
    published doc edited stays published (the reviewer already vouched for its subject)."""
    _require_member(actor, "edit docs")
    locked = Doc.objects.select_for_update().get(pk=doc.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    fields = _clean({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    changes = {}
    for name, value in fields.items():
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name))[:200], str(value)[:200]]
            setattr(locked, name, value)
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    if "title" in changes or "body" in changes:
        _revision(locked, actor)
    doc_search_vector_refresh(doc_id=locked.pk)
    _sync_cadence(locked)
    activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    return locked


@transaction.atomic
def doc_restore(*, doc: Doc, actor, revision: DocRevision) -> Doc:
    """Restoring an old revision makes a new revision with its text; history is never
    rewritten."""
    _require_member(actor, "restore docs")
    if revision.doc_id != doc.pk:
        raise ValidationFailed("That revision belongs to another doc.", field="revision")
    locked = Doc.objects.select_for_update().get(pk=doc.pk)
    locked.title, locked.body = revision.title, revision.body
    locked.version += 1
    locked.save()
    _revision(locked, actor, f"Restored revision {revision.number}")
    doc_search_vector_refresh(doc_id=locked.pk)
    activity_record(
        actor=actor, target=locked, verb="restored", summary=f"revision {revision.number}"
    )
    return locked


@transaction.atomic
def doc_set_status(*, doc: Doc, actor, status: str, expected_version: int | None = None) -> Doc:
    """Move a doc along its status rule (doc_may_move). Publishing verifies it too: the
    reviewer has just read it."""
    locked = Doc.objects.select_for_update().get(pk=doc.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if status not in Doc.Status.values:
        raise ValidationFailed("Choose a known status.", field="status")
    if not doc_may_move(doc=locked, user=actor, to_status=status):
        if (locked.status, status) in STATUS_MOVES:
            raise NotAllowed(
                f"Only a lead or the doc's reviewer may make it {Doc.Status(status).label.lower()}."
            )
        raise ValidationFailed(
            f"A {locked.get_status_display().lower()} doc cannot become "
            f"{Doc.Status(status).label.lower()}.",
            field="status",
        )
    previous = locked.status
    locked.status = status
    if status == Doc.Status.PUBLISHED:
        locked.published_at = timezone.now()
        locked.last_verified_on = timezone.localdate()
    locked.version += 1
    locked.save()
    _sync_cadence(locked)
    activity_record(
        actor=actor, target=locked, verb="status_changed", changes={"status": [previous, status]}
    )
    return locked


def doc_publish(*, doc: Doc, actor, expected_version: int | None = None) -> Doc:
    return doc_set_status(
        doc=doc, actor=actor, status=Doc.Status.PUBLISHED, expected_version=expected_version
    )


@transaction.atomic
def doc_verify(
    *, doc: Doc, actor, today: dt.date | None = None, expected_version: int | None = None
) -> Doc:
    """The owner, the reviewer or a lead confirms the doc is still right: it is verified as
    of today and its next reminder moves one interval on."""
    locked = Doc.objects.select_for_update().get(pk=doc.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if actor.pk not in (locked.owner_id, locked.reviewer_id) and not has_role(actor, Role.LEAD):
        raise NotAllowed("Only the doc's owner, its reviewer or a lead may verify it.")
    locked.last_verified_on = today or timezone.localdate()
    locked.version += 1
    locked.save(update_fields=["last_verified_on", "version", "updated_at"])
    _sync_cadence(locked)
    activity_record(actor=actor, target=locked, verb="verified")
    return locked


@transaction.atomic
def deflection_record(*, doc: Doc, person, query: str = "") -> Deflection:
    """Someone said a doc answers their need: recorded instead of a request."""
    from . import selectors

    if not selectors.doc_is_visible(doc=doc, user=person):
        raise NotAllowed("You cannot see that doc.")
    return Deflection.objects.create(doc=doc, person=person, query=(query or "")[:300])


def suggestion_open_record(*, doc: Doc, person, query: str = "") -> SuggestionOpen:
    """Someone opened a doc suggested while they typed a request (see
    selectors.deflection_counts for when it counts as an implicit deflection)."""
    return SuggestionOpen.objects.create(doc=doc, person=person, query=(query or "")[:300])


@transaction.atomic
def request_deflect(*, request, doc: Doc, actor, expected_version: int | None = None):
    """A team member resolves a request as deflected by a doc: through intake's lifecycle
    (request_transition, which checks the move and tells the watchers), the doc is linked to
    the request and the requester gets a notification that links to the doc. The doc must
    be one the requester can read."""
    from intake.models import RequestStatus
    from intake.services import request_transition
    from prodops.notifications.models import Notification
    from prodops.notifications.services import notify

    from . import selectors

    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Only team members may resolve a request with a doc.")
    requester = request.requester
    if not selectors.doc_is_visible(doc=doc, user=requester):
        raise ValidationFailed(
            f"{requester.display_name} cannot read “{doc.title}”: pick a published doc for "
            "their audience.",
            field="doc",
        )
    url = doc_url(doc)
    moved = request_transition(
        request=request,
        to=RequestStatus.DEFLECTED,
        actor=actor,
        reason=f"Answered by the doc “{doc.title}”: {url}",
        expected_version=expected_version,
        notify_watchers=False,
    )
    doc.requests.add(moved)
    notify(
        recipients=[requester],
        kind=Notification.Kind.STATUS_CHANGE,
        title=f"“{moved.title}” is answered by a doc",
        body=f"Read “{doc.title}”.",
        url=url,
        exclude=actor,
    )
    return moved


def doc_first_on_accept(*, request, actor) -> Doc | None:
    """Doc-first: when a request is accepted, a draft doc is started for it, linked to it and
    owned by its assignee (or by whoever accepted it, when nobody is assigned). Once per
    request: a request that already has a doc gets no second one."""
    if request.docs.exists():
        return None
    owner = request.assignee if request.assignee_id else actor
    if owner is None or not has_role(owner, Role.MEMBER):
        return None
    return doc_create(
        actor=owner,
        title=request.title,
        body=f"Started when request #{request.pk} was accepted. Write what it changes here.",
        owner=owner,
        requests=[request],
    )


def _link_target(kind: str, target_id):
    """The object of `kind` with id `target_id`, or ValidationFailed naming the field."""
    from intake.models import Request
    from outcomes.models import Metric
    from roadmap.models import RoadmapItem

    models_by_kind = {"request": Request, "roadmap_item": RoadmapItem, "metric": Metric}
    if kind not in models_by_kind:
        raise ValidationFailed("Choose a request, a roadmap item or a metric.", field="kind")
    try:
        return models_by_kind[kind].objects.get(pk=int(target_id))
    except (TypeError, ValueError, OverflowError, models_by_kind[kind].DoesNotExist):
        raise ValidationFailed(
            f"There is no such {kind.replace('_', ' ')}.", field="target"
        ) from None


@transaction.atomic
def doc_link_set(
    *, doc: Doc, actor, kind: str, target_id, linked: bool, expected_version: int | None = None
) -> Doc:
    """A team member links a doc to a request, a roadmap item or a metric (`linked`), or
    removes the link. Links are internal: they show to the team, never on public help."""
    _require_member(actor, "link docs")
    target = _link_target(kind, target_id)
    locked = Doc.objects.select_for_update().get(pk=doc.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    relation = getattr(locked, LINK_KINDS[kind])
    present = relation.filter(pk=target.pk).exists()
    if present == linked:
        return locked
    if linked:
        relation.add(target)
    else:
        relation.remove(target)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    activity_record(
        actor=actor,
        target=locked,
        verb="linked" if linked else "unlinked",
        summary=f"{kind.replace('_', ' ')} {target}",
    )
    return locked
