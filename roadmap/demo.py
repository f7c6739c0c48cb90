"""Demo roadmaps built from intake's demo requests, so requests and roadmap tell one story.

Per team: this quarter's roadmap holds the team's planned and in-progress requests (intake's
routing rules put each request in a team), last quarter's roadmap the shipped (and since measured) ones.
This quarter also gets unplanned work, a share link, and a completed review with its snapshot
followed by a few changes, so "what changed since the last review" has something real to
show; the next review falls due today. Idempotent: requests already on an item, roadmaps
that exist and reviews already held are left alone."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from intake.models import Request, RequestStatus
from intake.services import request_transition
from outcomes.models import Objective
from prodops.accounts.models import Team
from prodops.core.periods import quarter_of
from prodops.core.selectors import workspace_settings
from prodops.reviews.models import Cadence
from prodops.reviews.selectors import cadence_for
from prodops.reviews.services import cadence_update

from . import selectors, services
from .models import ItemRequest, Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry

# The demo teams that keep roadmaps.
DEMO_TEAMS = ("marketing-ops", "product-ops")
# Demo estimates stay small enough that every team's quarter is only partly planned.
MAX_ESTIMATE = Decimal(10)
DEFAULT_ESTIMATE = Decimal(5)
CURRENT = (RequestStatus.PLANNED, RequestStatus.IN_PROGRESS)
DONE = (RequestStatus.SHIPPED, RequestStatus.MEASURED)


def _roadmap(team, period: str) -> Roadmap:
    return Roadmap.objects.filter(team=team, period=period).first() or services.roadmap_create(
        actor=team.lead, team=team, period=period
    )


def _unlinked_requests(team, statuses):
    return list(
        Request.objects.filter(team=team, status__in=statuses, roadmap_link__isnull=True).order_by(
            "pk"
        )
    )


def _estimate(request: Request) -> Decimal:
    assessed = selectors.default_estimate_days([request.pk])
    return min(assessed or DEFAULT_ESTIMATE, MAX_ESTIMATE)


def _shared_fields(request: Request) -> dict:
    """Requests other stakeholders may see are shared on the roadmap under their own title."""
    if not request.visible_to_stakeholders:
        return {"visibility": RoadmapItem.Visibility.INTERNAL}
    return {
        "visibility": RoadmapItem.Visibility.SHARED,
        "public_title": request.title,
        "public_summary": "Planned with the requesting team; dates follow the roadmap.",
    }


def _plan_current(roadmap: Roadmap, *, member, objective) -> int:
    """Put the team's planned and in-progress requests on this quarter's roadmap through the
    services. Intake's demo moved them to planned on their own, so they step back to accepted
    first; the item then carries them forward again."""
    lead = roadmap.team.lead
    requests = _unlinked_requests(roadmap.team, CURRENT)
    for request in requests:
        started = request.status == RequestStatus.IN_PROGRESS
        steps = (
            [RequestStatus.PLANNED, RequestStatus.ACCEPTED] if started else [RequestStatus.ACCEPTED]
        )
        for step in steps:
            request_transition(
                request=request,
                to=step,
                actor=lead,
                reason="Re-planned on the team's roadmap.",
                notify_watchers=False,
            )
        item = services.roadmap_item_create(
            roadmap=roadmap,
            actor=lead,
            requests=[request],
            objective=request.objective or objective,
            estimate_days=_estimate(request),
            owner=member,
            lane="now" if started else "next",
            **_shared_fields(request),
        )
        if started:
            services.roadmap_item_update(item=item, actor=member, status="in_progress")
    return len(requests)


def _record_shipped(roadmap: Roadmap, *, member, objective) -> int:
    """Shipped and measured requests go on last quarter's roadmap as shipped items. The
    lifecycle has no way back from shipped, so these items are written directly."""
    requests = _unlinked_requests(roadmap.team, DONE)
    position = RoadmapItem.objects.filter(roadmap=roadmap).count()
    for offset, request in enumerate(requests):
        item = RoadmapItem.objects.create(
            roadmap=roadmap,
            title=request.title,
            estimate_days=_estimate(request),
            objective=request.objective or objective,
            owner=member,
            lane="now",
            status=RoadmapItem.Status.SHIPPED,
            position=position + offset,
            **_shared_fields(request),
        )
        ItemRequest.objects.create(item=item, request=request)
    return len(requests)


def _review_then_change(roadmap: Roadmap, *, member) -> None:
    """Hold the kick-off review (snapshot included), then move on a little: one item starts,
    another is pulled forward and re-estimated."""
    services.roadmap_complete_review(
        roadmap=roadmap,
        actor=roadmap.team.lead,
        notes="Quarter kick-off: plan agreed with the departments.",
    )
    planned = list(
        RoadmapItem.objects.filter(roadmap=roadmap, status=RoadmapItem.Status.PLANNED).order_by(
            "position"
        )
    )
    if planned:
        services.roadmap_item_update(item=planned[0], actor=member, status="in_progress")
    if len(planned) > 1:
        services.roadmap_item_update(
            item=planned[1],
            actor=member,
            lane="now",
            estimate_days=planned[1].estimate_days + 2,
        )


def seed(stdout) -> None:
    today = timezone.localdate()
    fiscal = workspace_settings().fiscal_year_start_month
    current = quarter_of(today, fiscal_start_month=fiscal)
    previous = quarter_of(current.start - dt.timedelta(days=1), fiscal_start_month=fiscal)
    objective = Objective.objects.filter(status=Objective.Status.ACTIVE).order_by("id").first()
    if objective is None:
        stdout.write("  roadmaps: skipped (no objectives)")
        return
    teams = Team.objects.filter(slug__in=DEMO_TEAMS, lead__isnull=False)
    for team in teams.select_related("lead").order_by("name"):
        lead = team.lead
        member = team.members.filter(role="member").order_by("username").first() or lead
        now, before = _roadmap(team, current.label), _roadmap(team, previous.label)
        past_cadence = cadence_for(target=before, kind=Cadence.Kind.ROADMAP)
        if past_cadence and past_cadence.active:
            # Last quarter is done: its roadmap is history, not a review to hold.
            cadence_update(cadence=past_cadence, actor=lead, active=False)
        planned = _plan_current(now, member=member, objective=objective)
        shipped = _record_shipped(before, member=member, objective=objective)
        if not UnplannedEntry.objects.filter(roadmap=now).exists():
            for offset, days, what, who, category in (
                (3, "2", "Urgent pricing page fix", "Sales", UnplannedEntry.Category.BUG),
                (1, "3.5", "Board deck data pull", "Finance", "ad_hoc_request"),
            ):
                services.unplanned_log(
                    roadmap=now,
                    actor=member,
                    day=max(today - dt.timedelta(days=offset), now.period_start),
                    days=days,
                    what=what,
                    requested_by=who,
                    category=category,
                )
        if not Snapshot.objects.filter(roadmap=now, review__isnull=False).exists():
            _review_then_change(now, member=member)
            # The next review falls due today so the sweep and the review page have work.
            Cadence.objects.filter(kind=Cadence.Kind.ROADMAP, target_id=now.pk).update(
                next_due_on=today
            )
        if not ShareLink.objects.filter(roadmap=now).exists():
            services.share_link_create(roadmap=now, actor=lead, label="All-hands")
        figures = selectors.roadmap_figures(selectors.roadmap_get(now.pk))
        stdout.write(
            f"  roadmap {now}: {planned} requests newly planned, planned {figures.planned_days} "
            f"of {figures.plannable_days} d, buffer burn {figures.buffer_burn_percent} %; "
            f"{before}: {shipped} shipped requests newly recorded"
        )
