"""Contributions to metrics, and the ship → revisit loop: revisit dates when an item ships,
their reminders through the review cadence sweep, and recording what was observed."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import belongs_to_team, require_team_scope
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure

from ..models import Contribution, Metric, Revisit
from ..selectors import guardrail_checks
from .metrics import _decimal


def _source_team(*, roadmap_item=None, request=None):
    if roadmap_item is not None:
        return roadmap_item.roadmap.team
    return request.team if request is not None else None


def contribution_may_change(
    user, *, metric: Metric, roadmap_item=None, request=None, team_ids=None
) -> bool:
    """Who says what work contributes, and changes or removes it: a member of the work's team
    or of the metric's team; a lead (or admin) for any work and metric; stakeholders never.
    `team_ids`, the teams the user belongs to, spares a query per row on a list."""
    if has_role(user, Role.LEAD):
        return True
    if not has_role(user, Role.MEMBER):
        return False
    teams = (_source_team(roadmap_item=roadmap_item, request=request), metric.team)
    if team_ids is not None:
        return any(team is not None and team.pk in team_ids for team in teams)
    return any(team is not None and belongs_to_team(user, team) for team in teams)


def _require_contribution_scope(actor, *, metric, roadmap_item=None, request=None, what) -> None:
    if not contribution_may_change(
        actor, metric=metric, roadmap_item=roadmap_item, request=request
    ):
        raise NotAllowed(
            f"Only a member of the work's team or the metric's team (or a lead) may {what}."
        )


def _has_shipped(*, roadmap_item=None, request=None) -> bool:
    from intake.models import RequestStatus

    if roadmap_item is not None:
        return roadmap_item.status == "shipped"
    return request.status == RequestStatus.SHIPPED


def _check_expected_by(expected_by) -> dt.date:
    if expected_by in (None, ""):
        raise ValidationFailed("Give the date the change is expected by.", field="expected_by")
    if isinstance(expected_by, str):
        try:
            expected_by = dt.date.fromisoformat(expected_by.strip())
        except ValueError:
            raise ValidationFailed("Give the date as YYYY-MM-DD.", field="expected_by") from None
    return expected_by


def _check_metric(metric: Metric) -> Metric:
    if metric is None:
        raise ValidationFailed("Choose the metric the work should move.", field="metric")
    if metric.archived_at is not None:
        raise ValidationFailed(
            f"“{metric.name}” is archived: choose a metric in use.", field="metric"
        )
    return metric


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
    """Someone contribution_may_change allows says a roadmap item or a request should move
    `metric` by `expected_change` (in the metric's unit) by `expected_by`. Exactly one of a
    roadmap item or a request contributes. Work that already shipped gets its revisit dates at
    once, counted from `shipped_on` (default today)."""
    if (roadmap_item is None) == (request is None):
        raise ValidationFailed(
            "Choose a roadmap item or a request, not both.", field="roadmap_item"
        )
    if metric is None:
        raise ValidationFailed("Choose the metric the work should move.", field="metric")
    _require_contribution_scope(
        actor,
        metric=metric,
        roadmap_item=roadmap_item,
        request=request,
        what="say what this work contributes",
    )
    _check_metric(metric)
    if expected_change in (None, ""):
        raise ValidationFailed("Give the expected change.", field="expected_change")
    contribution = Contribution.objects.create(
        metric=metric,
        roadmap_item=roadmap_item,
        request=request,
        expected_change=_decimal(expected_change, "expected_change"),
        expected_by=_check_expected_by(expected_by),
        note=(note or "").strip()[:500],
        created_by=actor,
    )
    activity_record(actor=actor, target=contribution, verb="created")
    if _has_shipped(roadmap_item=roadmap_item, request=request):
        revisits_schedule(contribution=contribution, shipped_on=shipped_on or timezone.localdate())
    return contribution


CONTRIBUTION_FIELDS = ("metric", "expected_change", "expected_by", "note")


@transaction.atomic
def contribution_update(
    *, contribution: Contribution, actor, expected_version: int | None = None, **fields
) -> Contribution:
    """Change what a contribution expects (metric, change, date, note), under the rule of
    contribution_may_change for the metric it had and the one it gets; a stale version is
    refused. Its revisit dates stay: they follow the ship date, not the expectation."""
    locked = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("metric__team", "roadmap_item__roadmap__team", "request__team")
        .get(pk=contribution.pk)
    )
    scope = {"roadmap_item": locked.roadmap_item, "request": locked.request}
    _require_contribution_scope(
        actor, metric=locked.metric, **scope, what="change this contribution"
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    changes = {}
    for name, value in fields.items():
        if name not in CONTRIBUTION_FIELDS:
            continue
        if name == "metric":
            if value is None or value.pk == locked.metric_id:
                continue
            _require_contribution_scope(
                actor, metric=value, **scope, what="point this work at that metric"
            )
            _check_metric(value)
        elif name == "expected_change":
            if value in (None, ""):
                raise ValidationFailed("Give the expected change.", field="expected_change")
            value = _decimal(value, "expected_change")
        elif name == "expected_by":
            value = _check_expected_by(value)
        elif name == "note":
            value = (value or "").strip()[:500]
        old = getattr(locked, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(locked, name, value)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    contribution.version = locked.version
    return locked


@transaction.atomic
def contribution_delete(*, contribution: Contribution, actor) -> None:
    """Remove a contribution (contribution_may_change's rule) with its open revisits and their
    reminders. One with a recorded revisit is refused: what was observed feeds calibration."""
    locked = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("metric__team", "roadmap_item__roadmap__team", "request__team")
        .get(pk=contribution.pk)
    )
    _require_contribution_scope(
        actor,
        metric=locked.metric,
        roadmap_item=locked.roadmap_item,
        request=locked.request,
        what="remove this contribution",
    )
    revisit_ids = list(locked.revisits.values_list("pk", flat=True))
    if locked.revisits.filter(recorded_at__isnull=False).exists():
        raise ValidationFailed(
            "A revisit of this contribution is recorded; what was observed stays for "
            "calibration, so the contribution cannot be removed.",
            field="revisits",
        )
    Cadence.objects.filter(
        kind=Cadence.Kind.OUTCOME_REVISIT,
        target_type=ContentType.objects.get_for_model(Revisit),
        target_id__in=revisit_ids,
    ).delete()
    activity_record(actor=actor, target=locked, verb="deleted", summary=str(locked))
    locked.delete()


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


def request_shipped_receiver(sender, *, request, actor, shipped_on, **kwargs) -> None:
    """intake.signals.request_shipped: a request shipped by itself (on no roadmap item) gets
    revisit dates for each of its contributions, reminding its assignee."""
    for contribution in Contribution.objects.filter(request=request).select_related(
        "request__assignee"
    ):
        revisits_schedule(contribution=contribution, shipped_on=shipped_on)


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
    reminder stops. The metric's guardrail is checked at the same time (selectors.guardrail_checks:
    its value at the ship date against its latest since) and kept on the revisit. When it is the
    last open revisit of the work (the item and the requests
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
    check = guardrail_checks(contribution.metric, [contribution.shipped_on]).get(
        contribution.shipped_on
    )
    locked.guardrail_at_ship = check.at_ship if check else None
    locked.guardrail_latest = check.latest if check else None
    locked.guardrail_worse = check.worse if check else None
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
