"""Contributions to metrics, and the ship → revisit loop: revisit dates when an item ships,
their reminders through the review cadence sweep, and recording what was observed."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.accounts.scope import require_team_scope
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, ValidationFailed
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure

from ..models import Contribution, Metric, Revisit
from .metrics import _decimal


def _source_team(*, roadmap_item=None, request=None):
    if roadmap_item is not None:
        return roadmap_item.roadmap.team
    return request.team if request is not None else None


@transaction.atomic
def contribution_create(
    *,
    actor,
    metric: Metric,
    expected_change,
    expected_by: dt.date,
    roadmap_item=None,
    request=None,
    note: str = "",
    shipped_on: dt.date | None = None,
) -> Contribution:
    """A member of the item's (or request's) team says it should move `metric` by
    `expected_change` (in the metric's unit) by `expected_by`. Exactly one of a roadmap item
    or a request contributes. An item that already shipped gets its revisit dates at once,
    counted from `shipped_on` (default today)."""
    if (roadmap_item is None) == (request is None):
        raise ValidationFailed(
            "Choose a roadmap item or a request, not both.", field="roadmap_item"
        )
    require_team_scope(
        actor,
        _source_team(roadmap_item=roadmap_item, request=request),
        minimum=Role.MEMBER,
        what="say what this work contributes",
    )
    if expected_by is None:
        raise ValidationFailed("Give the date the change is expected by.", field="expected_by")
    contribution = Contribution.objects.create(
        metric=metric,
        roadmap_item=roadmap_item,
        request=request,
        expected_change=_decimal(expected_change, "expected_change"),
        expected_by=expected_by,
        note=(note or "").strip()[:500],
        created_by=actor,
    )
    activity_record(actor=actor, target=contribution, verb="created")
    if roadmap_item is not None and roadmap_item.status == "shipped":
        revisits_schedule(contribution=contribution, shipped_on=shipped_on or timezone.localdate())
    return contribution


def revisit_days() -> list[int]:
    """Days after shipping a contribution is revisited (workspace setting OUTCOMES_REVISIT_DAYS,
    +30 and +90 by default)."""
    return sorted({int(d) for d in settings.OUTCOMES_REVISIT_DAYS if int(d) > 0})


def _reminded(contribution: Contribution):
    """Who is reminded of a revisit: the item's owner, else its team's lead; for a request on
    no item, its assignee."""
    item = contribution.roadmap_item
    if item is not None:
        return item.owner or item.roadmap.team.lead
    return contribution.request.assignee


@transaction.atomic
def revisits_schedule(
    *, contribution: Contribution, shipped_on: dt.date, owner=None
) -> list[Revisit]:
    """Stamp the ship date and give the contribution one revisit per revisit_days() after it,
    each with an outcome-revisit cadence whose due date is the revisit date: the review sweep
    then reminds the owner exactly once per contribution and date (its delivery row is unique).
    Idempotent: shipping twice adds nothing."""
    if contribution.shipped_on is None:
        contribution.shipped_on = shipped_on
        contribution.save(update_fields=["shipped_on"])
    revisits = []
    owner = owner or _reminded(contribution)
    for days in revisit_days():
        due_on = contribution.shipped_on + dt.timedelta(days=days)
        revisit, _ = Revisit.objects.get_or_create(contribution=contribution, due_on=due_on)
        cadence_ensure(
            kind=Cadence.Kind.OUTCOME_REVISIT,
            target=revisit,
            title=f"Revisit: did {contribution} move? ({days} days after shipping)",
            owner=owner,
            url=reverse("outcomes:revisit", args=[revisit.pk]),
            interval_days=days,
            first_due_on=due_on,
        )
        revisits.append(revisit)
    return revisits


def item_shipped_receiver(sender, *, item, actor, shipped_on, **kwargs) -> None:
    """roadmap.signals.item_shipped: every contribution of the item, and of the requests it
    carries, gets its revisit dates."""
    contributions = Contribution.objects.filter(roadmap_item=item) | Contribution.objects.filter(
        request__in=item.requests.all()
    )
    # A request's revisits are owned by the item that shipped it.
    owner = item.owner or item.roadmap.team.lead
    for contribution in contributions.select_related("roadmap_item__roadmap__team", "request"):
        revisits_schedule(contribution=contribution, shipped_on=shipped_on, owner=owner)


def _all_recorded(contribution_ids) -> bool:
    return not Revisit.objects.filter(
        contribution_id__in=contribution_ids, recorded_at__isnull=True
    ).exists()


@transaction.atomic
def revisit_record(
    *,
    revisit: Revisit,
    actor,
    outcome: str,
    observed_change=None,
    impact_statement: str = "",
    expected_version: int | None = None,
) -> Revisit:
    """A member of the work's team records what was observed at a revisit: moved, not moved
    or inconclusive, the observed change (in the metric's unit) and an impact statement. Its
    reminder stops. When it is the last open revisit of the work (the item and the requests
    it carries), the shipped requests move on to measured through the intake lifecycle."""
    locked = (
        Revisit.objects.select_for_update(of=("self",))
        .select_related("contribution__roadmap_item__roadmap__team", "contribution__request__team")
        .get(pk=revisit.pk)
    )
    contribution = locked.contribution
    require_team_scope(actor, locked.team, minimum=Role.MEMBER, what="record this revisit")
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if outcome not in Revisit.Outcome.values:
        raise ValidationFailed("Choose moved, not moved or inconclusive.", field="outcome")
    statement = (impact_statement or "").strip()
    if not statement:
        raise ValidationFailed(
            "Say what changed, like “trial-to-paid +1.2 pts since X shipped”.",
            field="impact_statement",
        )
    change: Decimal | None = None
    if observed_change not in (None, ""):
        change = _decimal(observed_change, "observed_change")
    elif outcome == Revisit.Outcome.MOVED:
        raise ValidationFailed(
            "Give the observed change when the metric moved.", field="observed_change"
        )
    locked.outcome, locked.observed_change, locked.impact_statement = outcome, change, statement
    locked.recorded_by, locked.recorded_at = actor, timezone.now()
    locked.version += 1
    locked.save()
    # The reminder has done its work: the sweep skips an inactive cadence.
    Cadence.objects.filter(
        kind=Cadence.Kind.OUTCOME_REVISIT,
        target_type=ContentType.objects.get_for_model(Revisit),
        target_id=locked.pk,
    ).update(active=False)
    activity_record(actor=actor, target=locked, verb="recorded", summary=statement)
    _measure_requests_when_done(contribution=contribution, actor=actor)
    revisit.version = locked.version
    return locked


def _measure_requests_when_done(*, contribution: Contribution, actor) -> None:
    from intake.models import RequestStatus
    from intake.services import request_transition

    item = contribution.roadmap_item
    if item is not None:
        requests = list(item.requests.all())
        scope = Contribution.objects.filter(roadmap_item=item) | Contribution.objects.filter(
            request__in=requests
        )
    else:
        requests = [contribution.request]
        scope = Contribution.objects.filter(request=contribution.request)
    if not _all_recorded(scope.values("pk")):
        return
    for request in requests:
        if request.status == RequestStatus.SHIPPED:
            request_transition(
                request=request,
                to=RequestStatus.MEASURED,
                actor=actor,
                reason="All revisits of its shipped work are recorded.",
            )
