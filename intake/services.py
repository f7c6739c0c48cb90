"""Writes for intake. Every status change goes through `request_transition` (a person's move
through `request_move`, which sends a reopen to `request_reopen`); every other write to a
request, its votes, watchers and comments goes through a function here."""

import datetime as dt

from django.db import transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.activity.services import activity_record
from prodops.core.errors import DomainError, EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.notifications.services import notify

from . import lifecycle
from .models import Comment, Request, RequestStatus, StatusChange, Vote, Watcher
from .routing.rules import routing_suggest
from .selectors import request_is_visible, request_readers_may_see
from .signals import request_shipped

# Fields the requester owns; status, assignee and merging belong to the team.
EDITABLE_FIELDS = (
    "title",
    "description",
    "department",
    "audience",
    "category",
    "desired_date",
    "objective",
    "visible_to_stakeholders",
)
# A requester may still reword the request until the team has triaged it.
REQUESTER_EDITABLE_STATUSES = lifecycle.UNTRIAGED


def _request_url(request: Request) -> str:
    return reverse("intake:detail", args=[request.pk])


def _clean_fields(fields: dict) -> dict:
    """Shared input rules for create and update; raises naming the field at fault."""
    cleaned = {key: value for key, value in fields.items() if key in EDITABLE_FIELDS}
    if "title" in cleaned:
        title = (cleaned["title"] or "").strip()
        if not title:
            raise ValidationFailed("Give the request a title.", field="title")
        if len(title) > 200:
            raise ValidationFailed("Keep the title under 200 characters.", field="title")
        cleaned["title"] = title
    if "description" in cleaned:
        cleaned["description"] = (cleaned["description"] or "").strip()
    if cleaned.get("audience") and cleaned["audience"] not in Request.Audience.values:
        raise ValidationFailed("Choose who the request is for.", field="audience")
    if cleaned.get("category") and cleaned["category"] not in Request.Category.values:
        raise ValidationFailed("Choose a category.", field="category")
    return cleaned


def desired_date_check(value, previous=None) -> None:
    """A desired date may not be in the past, unless it is the one already stored."""
    if value and value != previous and value < timezone.localdate():
        raise ValidationFailed("The desired date cannot be in the past.", field="desired_date")


def _watch(request: Request, user) -> None:
    Watcher.objects.get_or_create(request=request, user=user)


@transaction.atomic
def request_create(
    *,
    requester,
    title: str,
    description: str = "",
    department=None,
    audience: str = Request.Audience.INTERNAL,
    category: str = Request.Category.OTHER,
    desired_date: dt.date | None = None,
    objective=None,
    visible_to_stakeholders: bool = True,
    source: str = Request.Source.WEB,
) -> Request:
    """Anyone signed in may submit a request; it starts as new, in the requester's department
    unless another is named, and the requester watches it. The team the routing rules suggest
    is stored as its team at once (see request_team_apply): each team then finds its incoming
    requests under its own name in the queue, and triage confirms or changes it."""
    if not has_role(requester, Role.STAKEHOLDER):
        raise NotAllowed("Sign in to submit a request.")
    fields = _clean_fields(
        {
            "title": title,
            "description": description,
            "department": department or requester.department,
            "audience": audience or Request.Audience.INTERNAL,
            "category": category or Request.Category.OTHER,
            "desired_date": desired_date,
            "objective": objective,
            "visible_to_stakeholders": visible_to_stakeholders,
        }
    )
    desired_date_check(desired_date)
    request = Request.objects.create(requester=requester, source=source, **fields)
    _watch(request, requester)
    activity_record(actor=requester, target=request, verb="created", summary=request.title)
    suggested = routing_suggest(request=request)
    if suggested is not None:
        request_team_apply(request=request, team=suggested, actor=None, by_rule=True)
        request.save(update_fields=["team", "updated_at"])
    return request


def team_change_summary(old, new) -> str:
    """How a team change reads on the request's timeline."""
    if old is None:
        return f"team set to {new}"
    if new is None:
        return f"team {old} removed"
    return f"moved from {old} to {new}"


def request_team_apply(*, request: Request, team, actor, by_rule: bool = False) -> bool:
    """Put `request` (already locked, not saved here) in `team` and record it on the timeline;
    returns whether anything changed. The checks are the caller's (request_set_team)."""
    if request.team_id == getattr(team, "pk", None):
        return False
    old = request.team
    request.team = team
    summary = team_change_summary(old, team)
    activity_record(
        actor=actor,
        target=request,
        verb="team_changed",
        changes={"team": [_plain(old), _plain(team)]},
        summary=summary + (" by a routing rule" if by_rule else ""),
    )
    return True


def request_team_refusal(*, request: Request, team, actor) -> DomainError | None:
    """Why `actor` may not put `request` in `team` (None means no team), or None when they may:
    team members and up set or change a request's team; a request past triage keeps a team
    (lifecycle.TEAM_REQUIRED), and one on a roadmap item stays in the item's roadmap team
    (take it off the item first)."""
    if not has_role(actor, Role.MEMBER):
        return NotAllowed("Setting a request's team needs the team member role or higher.")
    if request.team_id == getattr(team, "pk", None):
        return None
    if team is None and request.status in lifecycle.TEAM_REQUIRED:
        return ValidationFailed(
            f"A {RequestStatus(request.status).label.lower()} request belongs to a team; choose "
            "another team instead of none.",
            field="team",
        )
    if item := _roadmap_item_name(request):
        return ValidationFailed(
            f"This request is on the roadmap item {item}; take it off the item before "
            "changing its team.",
            field="team",
        )
    return None


@transaction.atomic
def request_set_team(
    *, request: Request, actor, team, expected_version: int | None = None
) -> Request:
    """Set or change the team a request belongs to (see request_team_refusal), as a logged
    activity on its timeline ("team set to Marketing Ops", "moved from A to B")."""
    locked = (
        Request.objects.select_for_update(of=("self",)).select_related("team").get(pk=request.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if refusal := request_team_refusal(request=locked, team=team, actor=actor):
        raise refusal
    if request_team_apply(request=locked, team=team, actor=actor):
        locked.version += 1
        locked.save(update_fields=["team", "version", "updated_at"])
    request.team, request.version = locked.team, locked.version
    return locked


def request_can_edit(*, request: Request, user) -> bool:
    """Team members may edit any request; the requester may edit their own until it is
    triaged."""
    if has_role(user, Role.MEMBER):
        return True
    return request.requester_id == user.pk and request.status in REQUESTER_EDITABLE_STATUSES


@transaction.atomic
def request_update(*, request: Request, actor, expected_version: int | None, **fields) -> Request:
    """Change the requester's fields. The caller's `expected_version` must match the stored
    one, so two people editing at once never silently overwrite each other."""
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if not request_can_edit(request=locked, user=actor):
        raise NotAllowed("Only the team, or the requester before triage, may edit this request.")
    if expected_version is None:
        raise ValidationFailed("Send the version you edited.", field="version")
    if locked.version != expected_version:
        raise EditConflict()
    cleaned = _clean_fields(fields)
    if "desired_date" in cleaned:
        desired_date_check(cleaned["desired_date"], locked.desired_date)
    changes = {}
    for key, value in cleaned.items():
        old = getattr(locked, key)
        if old != value:
            changes[key] = [_plain(old), _plain(value)]
            setattr(locked, key, value)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
        if "objective" in changes:
            # The alignment factor depends on the objective link, so the score moves with it.
            from .scoring_services import request_score_refresh

            request_score_refresh(request_id=locked.pk)
    return locked


def _plain(value):
    """A JSON-friendly rendering of a field value for the activity trail."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _roadmap_item_name(request: Request) -> str | None:
    """The roadmap item a request sits on, as “title” (team period), or None."""
    title, team, period = (
        Request.objects.filter(pk=request.pk)
        .values_list(
            "roadmap_link__item__title",
            "roadmap_link__item__roadmap__team__name",
            "roadmap_link__item__roadmap__period",
        )
        .get()
    )
    return None if title is None else f"“{title}” ({team} {period})"


def _merge_reason(*, dup: Request, target: Request) -> str:
    """What everyone who may see the duplicate reads (its page, the API, the watchers'
    notification): the target's title only if every one of them may see the target
    (selectors.request_readers_may_see)."""
    if request_readers_may_see(request_obj=dup, other=target):
        return f"Merged into #{target.pk} “{target.title}”."
    return f"Merged into #{target.pk}, which the team handles as one request."


def watchers_who_may_see(request: Request) -> list:
    """Watchers who may see the request. A watcher can outlive their view of it (a merge
    carries a requester over to a request they cannot see), and nobody hears about a request
    they cannot open."""
    watchers = Watcher.objects.filter(request=request).select_related("user")
    return [w.user for w in watchers if request_is_visible(request=request, user=w.user)]


@transaction.atomic
def request_transition(
    *,
    request: Request,
    to: str,
    actor,
    reason: str = "",
    revisit_on: dt.date | None = None,
    expected_version: int | None = None,
    via_merge: bool = False,
    via_roadmap: bool = False,
    notify_watchers: bool = True,
    team=None,
) -> Request:
    """Move a request to `to` if the lifecycle allows it (see intake.lifecycle.check_move),
    record the change with its reason, stamp time-to-triage on the first triage decision, and
    tell the watchers. A refused move raises with the reason; nothing is saved. Only the roadmap
    item services pass `via_roadmap` (see lifecycle.roadmap_item_refusal).

    The team: a `team` given with the move is set first (request_set_team's rules), so triage
    can choose it and move in one step. A move to triaged or later (lifecycle.TEAM_REQUIRED) of a
    request that still has no team takes the team the routing rules suggest, logged as set by a
    routing rule; with no rule to supply one it is refused naming `team`."""
    locked = (
        Request.objects.select_for_update(of=("self",)).select_related("team").get(pk=request.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if team is not None and team.pk != locked.team_id:
        if refusal := request_team_refusal(request=locked, team=team, actor=actor):
            raise refusal
        request_team_apply(request=locked, team=team, actor=actor)
    routed = None
    if locked.team_id is None and to in lifecycle.TEAM_REQUIRED:
        routed = routing_suggest(request=locked)
    check = lifecycle.check_move(
        current=locked.status,
        target=to,
        role_ok=lambda minimum: has_role(actor, minimum),
        is_requester=actor is not None and locked.requester_id == actor.pk,
        reason=reason,
        revisit_on=revisit_on,
        via_merge=via_merge,
        roadmap_item=lambda: _roadmap_item_name(locked),
        via_roadmap=via_roadmap,
        has_team=locked.team_id is not None or routed is not None,
    )
    if not check.allowed:
        if check.field is None:
            raise NotAllowed(check.reason)
        raise ValidationFailed(check.reason, field=check.field)
    if to == RequestStatus.PARKED and revisit_on <= timezone.localdate():
        raise ValidationFailed("The revisit date must be in the future.", field="revisit_on")
    if routed is not None:
        request_team_apply(request=locked, team=routed, actor=actor, by_rule=True)

    previous = locked.status
    locked.status = to
    locked.status_reason = (reason or "").strip()
    locked.revisit_on = revisit_on if to == RequestStatus.PARKED else None
    if (
        previous in lifecycle.UNTRIAGED
        and locked.first_triaged_at is None
        and has_role(actor, "member")
    ):
        locked.first_triaged_at = timezone.now()
    locked.version += 1
    locked.save()
    StatusChange.objects.create(
        request=locked, from_status=previous, to_status=to, reason=locked.status_reason, actor=actor
    )
    activity_record(
        actor=actor,
        target=locked,
        verb="status_changed",
        changes={"status": [previous, to]},
        summary=locked.status_reason,
    )
    if to == RequestStatus.SHIPPED and not via_roadmap:
        request_shipped.send(
            sender=Request, request=locked, actor=actor, shipped_on=timezone.localdate()
        )
    if notify_watchers:
        watchers = watchers_who_may_see(locked)
        label = RequestStatus(to).label.lower()
        notify(
            recipients=watchers,
            kind=Notification.Kind.STATUS_CHANGE,
            title=f"“{locked.title}” is now {label}",
            body=locked.status_reason,
            url=_request_url(locked),
            exclude=actor,
        )
    request.status = locked.status
    request.version = locked.version
    request.team = locked.team
    return locked


@transaction.atomic
def request_reopen(
    *, request: Request, actor, reason: str = "", expected_version: int | None = None
) -> Request:
    """Reopen a request from a side exit back to new, through the lifecycle (a member's move).
    A reopened duplicate no longer points at the request it was merged into; the votes,
    watchers and comments that moved there stay there."""
    locked = request_transition(
        request=request,
        to=RequestStatus.NEW,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
    )
    if locked.merged_into_id is not None:
        previous = locked.merged_into_id
        locked.merged_into = None
        locked.save(update_fields=["merged_into", "updated_at"])
        activity_record(
            actor=actor, target=locked, verb="unmerged", changes={"merged_into": [previous, None]}
        )
    request.merged_into = None
    return locked


def request_move(
    *,
    request: Request,
    to: str,
    actor,
    reason: str = "",
    revisit_on: dt.date | None = None,
    expected_version: int | None = None,
    team=None,
) -> Request:
    """A move a person asks for in the browser, the API or a bulk action: back to new from a
    side exit is a reopen (see request_reopen); any other move is request_transition, with the
    team chosen alongside it (if any)."""
    if to == RequestStatus.NEW and request.status in lifecycle.SIDE_EXITS:
        return request_reopen(
            request=request, actor=actor, reason=reason, expected_version=expected_version
        )
    return request_transition(
        request=request,
        to=to,
        actor=actor,
        reason=reason,
        revisit_on=revisit_on,
        expected_version=expected_version,
        team=team,
    )


@transaction.atomic
def request_assign(
    *, request: Request, actor, assignee, expected_version: int | None = None
) -> Request:
    """Team members assign a request to a team member (or to nobody); the new assignee is told."""
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Assigning requests needs the team member role or higher.")
    if assignee is not None and not has_role(assignee, Role.MEMBER):
        raise ValidationFailed("Requests can only be assigned to team members.", field="assignee")
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if locked.assignee_id == getattr(assignee, "pk", None):
        return locked
    previous = locked.assignee
    locked.assignee = assignee
    locked.version += 1
    locked.save(update_fields=["assignee", "version", "updated_at"])
    activity_record(
        actor=actor,
        target=locked,
        verb="assigned",
        changes={"assignee": [_plain(previous), _plain(assignee)]},
    )
    if assignee is not None:
        _watch(locked, assignee)
        notify(
            recipients=[assignee],
            kind=Notification.Kind.GENERAL,
            title=f"You were assigned “{locked.title}”",
            url=_request_url(locked),
            exclude=actor,
        )
    return locked


@transaction.atomic
def requests_bulk_update(
    *,
    requests: list[Request],
    actor,
    to: str | None = None,
    assignee=None,
    assign: bool = False,
    reason: str = "",
    revisit_on: dt.date | None = None,
) -> int:
    """Apply one move and/or one assignment to several requests at once. All or nothing: if
    any request refuses, none changes and the message names the request."""
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Bulk changes need the team member role or higher.")
    if not requests:
        raise ValidationFailed("Select at least one request.", field="ids")
    if not to and not assign:
        raise ValidationFailed("Choose a status or an assignee to apply.", field="action")
    for request in requests:
        try:
            if assign:
                request_assign(request=request, actor=actor, assignee=assignee)
            if to and request.status != to:
                request_move(
                    request=request, to=to, actor=actor, reason=reason, revisit_on=revisit_on
                )
        except (NotAllowed, ValidationFailed) as error:
            raise type(error)(
                f"#{request.pk} “{request.title}”: {error.message}", field=error.field
            ) from error
    return len(requests)


def request_vote_refusal(*, request: Request, user) -> DomainError | None:
    """Why `user` may not vote on `request`, or None when they may: a merged duplicate takes
    no votes, and below member only requests open to stakeholders do."""
    if request.status == RequestStatus.DUPLICATE:
        return ValidationFailed(
            "This request was merged; vote on the request it was merged into.", field="request"
        )
    if not has_role(user, Role.MEMBER) and not request.visible_to_stakeholders:
        return NotAllowed("Only requests open to stakeholders take votes.")
    return None


def _can_vote(request: Request, user) -> None:
    if refusal := request_vote_refusal(request=request, user=user):
        raise refusal


@transaction.atomic
def request_vote(*, request: Request, voter, note: str = "") -> Vote:
    """One +1 per person on a request they may vote on (stakeholders: requests open to
    stakeholders); voting again updates the note. Voters watch the request."""
    if not has_role(voter, Role.STAKEHOLDER):
        raise NotAllowed("Sign in to vote.")
    _can_vote(request, voter)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed("Keep the note under 500 characters.", field="note")
    vote, created = Vote.objects.get_or_create(
        request=request, voter=voter, defaults={"note": note}
    )
    if created:
        Request.objects.filter(pk=request.pk).update(vote_count=F("vote_count") + 1)
        activity_record(actor=voter, target=request, verb="voted", summary=note)
    elif note and vote.note != note:
        vote.note = note
        vote.save(update_fields=["note"])
    _watch(request, voter)
    request.refresh_from_db(fields=["vote_count"])
    return vote


@transaction.atomic
def request_unvote(*, request: Request, voter) -> bool:
    """Take back one's own vote; returns whether there was one. Watching stays."""
    deleted, _ = Vote.objects.filter(request=request, voter=voter).delete()
    if deleted:
        Request.objects.filter(pk=request.pk).update(vote_count=F("vote_count") - 1)
        activity_record(actor=voter, target=request, verb="unvoted")
    request.refresh_from_db(fields=["vote_count"])
    return bool(deleted)


def request_watch(*, request: Request, user) -> None:
    """Make `user` a watcher (idempotent)."""
    _watch(request, user)


def request_unwatch(*, request: Request, user) -> None:
    """Stop watching (idempotent)."""
    Watcher.objects.filter(request=request, user=user).delete()


def comment_can_write(*, request: Request, user, is_internal: bool = False) -> bool:
    """Team members comment anywhere and may write internal notes; a stakeholder comments on
    their own requests only, and never internally."""
    if has_role(user, Role.MEMBER):
        return True
    return not is_internal and request.requester_id == getattr(user, "pk", None)


@transaction.atomic
def comment_create(*, request: Request, author, body: str, is_internal: bool = False) -> Comment:
    """Add a comment (Markdown) and tell the watchers; an internal note reaches only the team
    members among them."""
    if not comment_can_write(request=request, user=author, is_internal=is_internal):
        if is_internal:
            raise NotAllowed("Internal notes are for team members.")
        raise NotAllowed("You can comment on your own requests only.")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write something first.", field="body")
    if len(body) > 10_000:
        raise ValidationFailed("Keep the comment under 10,000 characters.", field="body")
    comment = Comment.objects.create(
        request=request, author=author, body=body, is_internal=is_internal
    )
    activity_record(
        actor=author,
        target=request,
        verb="noted internally" if is_internal else "commented",
        summary=body,
    )
    watchers = watchers_who_may_see(request)
    if is_internal:
        watchers = [user for user in watchers if has_role(user, Role.MEMBER)]
    label = "Internal note" if is_internal else "New comment"
    notify(
        recipients=watchers,
        kind=Notification.Kind.COMMENT,
        title=f"{label} on “{request.title}” by {author.display_name}",
        body=body[:500],
        url=_request_url(request) + f"#comment-{comment.pk}",
        exclude=author,
    )
    return comment


@transaction.atomic
def request_answer(*, request: Request, actor, body: str) -> Request:
    """The requester answers a needs-info question: the answer becomes a comment and the
    request goes back to new (the lifecycle decides who may)."""
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.NEEDS_INFO:
        raise ValidationFailed("This request is not waiting for information.", field="body")
    if not (locked.requester_id == actor.pk or has_role(actor, Role.MEMBER)):
        raise NotAllowed("Only the requester or the team may answer.")
    comment_create(request=locked, author=actor, body=body)
    return request_transition(request=locked, to=RequestStatus.NEW, actor=actor, reason="Answered.")


@transaction.atomic
def request_merge(*, duplicate: Request, into: Request, actor) -> Request:
    """A team member merges a duplicate into the request it repeats: votes (one per person),
    watchers and comments move over remembering the request they were first written on, the duplicate points to where it went
    and becomes `duplicate` through the lifecycle."""
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Merging needs the team member role or higher.")
    if duplicate.pk == into.pk:
        raise ValidationFailed("A request cannot be merged into itself.", field="into")
    # Lock both in id order so two merges in opposite directions cannot deadlock.
    locked = {
        r.pk: r
        for r in Request.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    dup, target = locked[duplicate.pk], locked[into.pk]
    if target.status == RequestStatus.DUPLICATE:
        raise ValidationFailed(
            f"#{target.pk} is itself a duplicate; merge into #{target.merged_into_id} instead.",
            field="into",
        )
    # The move comes first: it refuses anything the lifecycle does not allow before a vote
    # moves, and tells the duplicate's watchers where it went while they are still its own.
    request_transition(
        request=dup,
        to=RequestStatus.DUPLICATE,
        actor=actor,
        reason=_merge_reason(dup=dup, target=target),
        via_merge=True,
    )
    # Moved rows remember the request they were first written on, through any chain of
    # merges, so readers keep seeing only what came from requests they may see.
    origin = Coalesce(F("moved_from"), Value(dup.pk), output_field=BigIntegerField())
    existing_voters = set(Vote.objects.filter(request=target).values_list("voter_id", flat=True))
    moved_vote_count = (
        Vote.objects.filter(request=dup)
        .exclude(voter_id__in=existing_voters)
        .update(request=target, moved_from=origin)
    )
    Vote.objects.filter(request=dup).delete()
    watching = set(Watcher.objects.filter(request=target).values_list("user_id", flat=True))
    Watcher.objects.filter(request=dup).exclude(user_id__in=watching).update(request=target)
    _watch(target, dup.requester)
    moved_comments = Comment.objects.filter(request=dup).update(request=target, moved_from=origin)
    # Imported votes (counted before the request came in, with nobody to tie them to) move
    # over as a number.
    imported = target.imported_votes + dup.imported_votes
    Request.objects.filter(pk=target.pk).update(
        vote_count=Vote.objects.filter(request=target).count() + imported,
        imported_votes=imported,
    )
    Request.objects.filter(pk=dup.pk).update(vote_count=0, imported_votes=0, merged_into=target)
    activity_record(
        actor=actor,
        target=target,
        verb="merged",
        changes={"merged_from": dup.pk},
        summary=f"#{dup.pk} {dup.title}: {moved_vote_count} votes, {moved_comments} comments moved over",
    )
    duplicate.refresh_from_db()
    into.refresh_from_db()
    return into
