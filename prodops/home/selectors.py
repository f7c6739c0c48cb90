"""Reads for home: what needs each person, by role, as sections of a few lines each.

Every section costs a fixed number of queries (a count and the first few rows), so home does
not slow down as the workspace grows; the browser page and `/api/v1/home/` read the same
sections."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from intake import scoring_selectors
from intake.assessments import Assessment
from intake.lifecycle import OPEN_STATUSES
from intake.models import Request, RequestStatus, StatusChange
from prodops.accounts.models import Team
from prodops.accounts.roles import Role, has_role
from prodops.reviews.models import Cadence
from roadmap import selectors as roadmap_selectors

from .models import RoadmapVisit

# How many lines a section lists; its count says how many there are in all.
LINES_PER_SECTION = 5
# Reviews due within this many days are listed as due (overdue ones always are).
REVIEW_DUE_WITHIN_DAYS = 7
# With no recorded visit, "changes since your last visit" looks back this far.
FIRST_VISIT_LOOKBACK_DAYS = 30
# Shipped work for a department is listed for this long after it shipped.
SHIPPED_LOOKBACK_DAYS = 90
# Assigned work still in the team's hands: open, planned or being done.
ASSIGNED_STATUSES = OPEN_STATUSES | {RequestStatus.PLANNED, RequestStatus.IN_PROGRESS}
SHIPPED_STATUSES = (RequestStatus.SHIPPED, RequestStatus.MEASURED)


@dataclass(frozen=True)
class HomeLine:
    """One thing that needs attention, linking to where it is done."""

    title: str
    url: str
    detail: str = ""
    when: dt.datetime | dt.date | None = None
    tone: str = ""  # "", "warn" or "danger"


@dataclass(frozen=True)
class HomeSection:
    """A kind of work with how many there are, where to do it, and what to do when none."""

    key: str
    title: str
    count: int
    url: str
    link_label: str
    empty: str
    lines: list[HomeLine] = field(default_factory=list)


def _queue_url(**params) -> str:
    return reverse("intake:queue") + "?" + urlencode(params, doseq=True)


def _request_url(pk: int) -> str:
    return reverse("intake:detail", args=[pk])


def _request_has_team() -> bool:
    return any(f.name == "team" for f in Request._meta.get_fields())


def _my_team_ids(user) -> list[int]:
    return list(
        Team.objects.filter(Q(memberships__user=user) | Q(lead=user))
        .values_list("pk", flat=True)
        .distinct()
    )


def _for_my_teams(qs: QuerySet[Request], team_ids: list[int]) -> QuerySet[Request]:
    """Where requests carry a team, a member sees those of their teams and those not yet
    routed to any; a person on no team sees them all."""
    if not team_ids or not _request_has_team():
        return qs
    return qs.filter(Q(team_id__in=team_ids) | Q(team__isnull=True))


def _request_section(qs: QuerySet[Request], *, lines=None, **section) -> HomeSection:
    rows = list(qs[:LINES_PER_SECTION])
    if lines is None:
        lines = [
            HomeLine(
                title=f"#{r.pk} {r.title}",
                url=_request_url(r.pk),
                detail=r.department.name if r.department_id else "",
                when=r.created_at,
            )
            for r in rows
        ]
    else:
        lines = [lines(r) for r in rows]
    return HomeSection(count=qs.count(), lines=lines, **section)


# --- member ------------------------------------------------------------------------------


def untriaged_section(*, user, team_ids) -> HomeSection:
    qs = _for_my_teams(
        Request.objects.filter(status=RequestStatus.NEW).select_related("department"), team_ids
    ).order_by("created_at", "id")
    return _request_section(
        qs,
        key="untriaged",
        title="Untriaged requests",
        url=_queue_url(status="new", sort="created_at"),
        link_label="Open the triage queue",
        empty="Nothing waits for triage. New requests appear here as they come in.",
    )


def needs_info_answered_section(*, user, team_ids) -> HomeSection:
    answered = StatusChange.objects.filter(
        request=OuterRef("pk"), from_status=RequestStatus.NEEDS_INFO, to_status=RequestStatus.NEW
    )
    qs = _for_my_teams(
        Request.objects.filter(status=RequestStatus.NEW)
        .filter(Exists(answered))
        .select_related("department"),
        team_ids,
    ).order_by("-updated_at", "-id")
    return _request_section(
        qs,
        key="needs_info_answered",
        title="Needs info — answered",
        url=_queue_url(status="new"),
        link_label="Open new requests",
        empty="No answers waiting. When a requester answers a question, the request shows here.",
    )


def assigned_section(*, user) -> HomeSection:
    qs = (
        Request.objects.filter(assignee=user, status__in=ASSIGNED_STATUSES)
        .select_related("department")
        .order_by("created_at", "id")
    )
    return _request_section(
        qs,
        key="assigned",
        title="Assigned to me",
        url=_queue_url(assignee="me"),
        link_label="See all assigned to me",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=_request_url(r.pk),
            detail=r.get_status_display(),
            when=r.created_at,
        ),
        empty="Nothing is assigned to you. Pick a request from the triage queue and assign it to yourself.",
    )


def assessments_asked_section(*, user, team_ids) -> HomeSection:
    """An assessment is asked of a member for a triaged or scored request assigned to them,
    or one that others have assessed and they have not (several members assess each
    request, and the score uses the mean)."""
    mine = Assessment.objects.filter(request=OuterRef("pk"), assessor=user)
    others = Assessment.objects.filter(request=OuterRef("pk")).exclude(assessor=user)
    qs = _for_my_teams(
        Request.objects.filter(status__in=[RequestStatus.TRIAGED, RequestStatus.SCORED])
        .filter(~Exists(mine))
        .filter(Q(assignee=user) | Exists(others))
        .select_related("department"),
        team_ids,
    ).order_by("created_at", "id")
    return _request_section(
        qs,
        key="assessments",
        title="Assessments asked of me",
        url=_queue_url(status=["triaged", "scored"]),
        link_label="Open triaged and scored requests",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=reverse("intake:assess", args=[r.pk]),
            detail=r.get_status_display(),
            when=r.created_at,
        ),
        empty="No assessments wait for you. Requests others have scored show here until you add yours.",
    )


def revisits_section(*, today: dt.date) -> HomeSection:
    qs = (
        Request.objects.filter(status=RequestStatus.PARKED, revisit_on__lte=today)
        .select_related("department")
        .order_by("revisit_on", "id")
    )
    return _request_section(
        qs,
        key="revisits",
        title="Parked requests to revisit",
        url=_queue_url(status="parked"),
        link_label="Open parked requests",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=_request_url(r.pk),
            detail="Revisit due",
            when=r.revisit_on,
            tone="warn",
        ),
        empty="No parked request is due for a second look.",
    )


def reviews_due_section(*, user, today: dt.date, escalated: bool = False) -> HomeSection:
    """Reviews a person runs due within a week or overdue, and for leads the overdue ones
    escalated to them."""
    who = Q(owner=user)
    if escalated:
        who |= Q(escalate_to=user, next_due_on__lt=today)
    qs = Cadence.objects.filter(
        who, active=True, next_due_on__lte=today + dt.timedelta(days=REVIEW_DUE_WITHIN_DAYS)
    ).order_by("next_due_on", "id")
    rows = list(qs[:LINES_PER_SECTION])
    lines = [
        HomeLine(
            title=c.title,
            url=c.url or reverse("reviews:index"),
            detail="Overdue" if c.next_due_on < today else "Due",
            when=c.next_due_on,
            tone="danger" if c.next_due_on < today else "",
        )
        for c in rows
    ]
    return HomeSection(
        key="reviews_due",
        title="Reviews due",
        count=qs.count(),
        url=reverse("reviews:index"),
        link_label="Open reviews",
        empty="No review is due this week. Cadences and their next dates are on the reviews page.",
        lines=lines,
    )


# --- lead --------------------------------------------------------------------------------


def _lead_roadmaps(*, user, today: dt.date):
    """Current and future roadmaps of the teams a lead leads or sits on (all when none),
    each with its figures."""
    team_ids = _my_team_ids(user)
    qs = roadmap_selectors.roadmap_list(team_ids=team_ids or None).filter(period_end__gte=today)
    return [
        (r, roadmap_selectors.roadmap_figures(r)) for r in qs.order_by("period_start", "team__name")
    ]


def overcommit_section(roadmaps) -> HomeSection:
    over = [(r, f) for r, f in roadmaps if f.overcommitted]
    return HomeSection(
        key="overcommits",
        title="Over-commits",
        count=len(over),
        url=reverse("roadmap:index"),
        link_label="Open roadmaps",
        empty="Every roadmap fits inside its plannable days.",
        lines=[
            HomeLine(
                title=f"{r.team} · {r.period}",
                url=r.get_absolute_url(),
                detail=f"Planned {f.planned_days} d of {f.plannable_days} d plannable ({f.over_days} d over)",
                tone="danger",
            )
            for r, f in over[:LINES_PER_SECTION]
        ],
    )


def buffer_alert_section(roadmaps) -> HomeSection:
    burning = [(r, f) for r, f in roadmaps if f.burn_level != "ok"]
    return HomeSection(
        key="buffer_alerts",
        title="Buffer-burn alerts",
        count=len(burning),
        url=reverse("roadmap:index"),
        link_label="Open roadmaps",
        empty="No buffer is past 80 %. Unplanned work logged on a roadmap burns its buffer.",
        lines=[
            HomeLine(
                title=f"{r.team} · {r.period}",
                url=reverse("roadmap:unplanned", args=[r.pk]),
                detail=f"Buffer {f.buffer_burn_percent.normalize():f} % used ({f.unplanned_days} of {f.buffer_days} d)",
                tone="danger" if f.burn_level == "danger" else "warn",
            )
            for r, f in burning[:LINES_PER_SECTION]
        ],
    )


def approvals_section() -> HomeSection:
    """Scored requests wait for a lead's decision: accept or decline."""
    qs = scoring_selectors.backlog_list(status=RequestStatus.SCORED).order_by("updated_at", "id")
    return _request_section(
        qs,
        key="approvals",
        title="Decisions waiting",
        url=reverse("intake:backlog") + "?status=scored",
        link_label="Decide in the backlog",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=reverse("intake:backlog") + "?status=scored",
            detail=f"Score {r.score}" if r.score is not None else "Scored",
            when=r.updated_at,
        ),
        empty="No scored request waits for a decision. Requests arrive here once members assess them.",
    )


def backlog_top_section() -> HomeSection:
    qs = scoring_selectors.backlog_list()
    return _request_section(
        qs,
        key="backlog_top",
        title="Top of the backlog",
        url=reverse("intake:backlog"),
        link_label="Open the ranked backlog",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=_request_url(r.pk),
            detail=f"Score {r.score} · {r.get_status_display()}",
        ),
        empty="The backlog is empty. Assess triaged requests to rank them here.",
    )


# --- stakeholder -------------------------------------------------------------------------


def my_requests_section(*, user) -> HomeSection:
    latest = StatusChange.objects.filter(request=OuterRef("pk")).order_by("-created_at", "-id")
    qs = (
        Request.objects.filter(requester=user)
        .exclude(status=RequestStatus.DUPLICATE)
        .annotate(
            latest_to=Subquery(latest.values("to_status")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-updated_at", "-id")
    )
    labels = dict(RequestStatus.choices)
    return _request_section(
        qs,
        key="my_requests",
        title="My requests",
        url=reverse("intake:mine"),
        link_label="See all my requests",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}",
            url=_request_url(r.pk),
            detail=(
                f"Now {labels.get(r.latest_to, r.latest_to).lower()}"
                if r.latest_to
                else f"Submitted · {r.get_status_display().lower()}"
            ),
            when=r.latest_at or r.created_at,
            tone="warn" if r.status == RequestStatus.NEEDS_INFO else "",
        ),
        empty="You have no requests yet. Submit one and follow it here.",
    )


def roadmap_changes_section(*, user, now: dt.datetime) -> HomeSection:
    """Shared roadmap items changed (added, re-laned, started, shipped) since the person last
    opened the stakeholder roadmap; with no visit yet, over the last month."""
    since = RoadmapVisit.objects.filter(user=user).values_list(
        "seen_at", flat=True
    ).first() or now - dt.timedelta(days=FIRST_VISIT_LOOKBACK_DAYS)
    qs = (
        roadmap_selectors.shared_items()
        .filter(updated_at__gt=since)
        .select_related("roadmap", "roadmap__team")
        .order_by("-updated_at", "-id")
    )
    rows = list(qs[:LINES_PER_SECTION])
    url = reverse("roadmap:shared")
    return HomeSection(
        key="roadmap_changes",
        title="Roadmap changes since your last visit",
        count=qs.count(),
        url=url,
        link_label="Open the roadmap",
        empty="Nothing changed on the shared roadmap since you last looked.",
        lines=[
            HomeLine(
                title=item.public_title,
                url=url,
                detail=f"{item.roadmap.team} · {item.roadmap.period} · {item.get_lane_display()} · {item.get_status_display()}",
                when=item.updated_at,
            )
            for item in rows
        ],
    )


def shipped_section(*, user, now: dt.datetime) -> HomeSection:
    from intake.selectors import request_visible

    url = reverse("roadmap:shared")
    if not user.department_id:
        return HomeSection(
            key="shipped",
            title="Shipped for my department",
            count=0,
            url=url,
            link_label="Open the roadmap",
            empty="You belong to no department yet; ask an admin to set it to follow what ships for it.",
        )
    qs = (
        request_visible(user=user)
        .filter(
            department_id=user.department_id,
            status__in=SHIPPED_STATUSES,
            updated_at__gte=now - dt.timedelta(days=SHIPPED_LOOKBACK_DAYS),
        )
        .select_related("department")
        .order_by("-updated_at", "-id")
    )
    return _request_section(
        qs,
        key="shipped",
        title=f"Shipped for {user.department.name}",
        url=url,
        link_label="Open the roadmap",
        lines=lambda r: HomeLine(
            title=f"#{r.pk} {r.title}", url=_request_url(r.pk), detail="Shipped", when=r.updated_at
        ),
        empty="Nothing shipped for your department in the last 90 days. The roadmap shows what is coming.",
    )


# --- per role ----------------------------------------------------------------------------


def home_sections(*, user, now: dt.datetime | None = None) -> list[HomeSection]:
    """Home for `user`: leads (and admins) see over-commits, buffer alerts, reviews due,
    decisions waiting and the top of the backlog; members see untriaged and answered
    requests, their assigned work and assessments, revisits and reviews due; stakeholders
    see their requests, roadmap changes since their last visit and what shipped for their
    department."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if has_role(user, Role.LEAD):
        roadmaps = _lead_roadmaps(user=user, today=today)
        return [
            overcommit_section(roadmaps),
            buffer_alert_section(roadmaps),
            reviews_due_section(user=user, today=today, escalated=True),
            approvals_section(),
            backlog_top_section(),
        ]
    if has_role(user, Role.MEMBER):
        team_ids = _my_team_ids(user)
        return [
            untriaged_section(user=user, team_ids=team_ids),
            needs_info_answered_section(user=user, team_ids=team_ids),
            assigned_section(user=user),
            assessments_asked_section(user=user, team_ids=team_ids),
            revisits_section(today=today),
            reviews_due_section(user=user, today=today),
        ]
    if has_role(user, Role.STAKEHOLDER):
        return [
            my_requests_section(user=user),
            roadmap_changes_section(user=user, now=now),
            shipped_section(user=user, now=now),
        ]
    return []
