"""Demo roadmaps: one per team for the current quarter, partly planned, with unplanned work,
a snapshot, a share link and a review that is due today. Idempotent."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from intake.models import Assessment, Request, RequestStatus
from intake.scoring_services import request_score_refresh
from intake.services import request_transition
from outcomes.models import Objective
from prodops.accounts.models import Department, Team, User
from prodops.core.periods import quarter_of
from prodops.core.selectors import workspace_settings
from prodops.reviews.models import Cadence

from . import selectors, services
from .models import Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry

# title, department, effort, stakeholder-facing title (blank = stays internal), lane
DEMO_REQUESTS = {
    "marketing-ops": [
        (
            "Lifecycle emails for trial users",
            "Marketing",
            12,
            "Onboarding emails for new trials",
            "now",
        ),
        ("Lead routing rules for mid-market", "Sales", 8, "Faster lead hand-off to sales", "now"),
        ("Campaign attribution dashboard", "Marketing", 15, "", "next"),
        ("Webinar follow-up automation", "Marketing", 6, "", "later"),
    ],
    "product-ops": [
        ("One-click quote in CRM", "Sales", 14, "One-click quotes in the CRM", "now"),
        ("Churn-risk alert for CSMs", "Customer Success", 10, "Early churn-risk alerts", "next"),
        ("Usage data in billing export", "Finance", 9, "", "next"),
        ("Release notes template", "Product", 4, "", "later"),
    ],
}


def _accepted_request(title, department, effort, *, requester, member, lead, objective):
    request = Request.objects.filter(title=title).first()
    if request is None:
        request = Request.objects.create(
            title=title,
            description="Created by the demo data.",
            requester=requester,
            department=Department.objects.filter(name=department).first(),
            objective=objective,
        )
        for to, actor in (
            (RequestStatus.TRIAGED, member),
            (RequestStatus.SCORED, member),
            (RequestStatus.ACCEPTED, lead),
        ):
            request_transition(request=request, to=to, actor=actor, notify_watchers=False)
    Assessment.objects.get_or_create(
        request=request,
        assessor=member,
        defaults={"feasibility": 4, "effort_days": Decimal(effort), "impact": 4},
    )
    if request.score is None:
        # The assessment is written directly, so the score the backlog and the request page
        # show is refreshed here (also mending workspaces seeded before this step existed).
        request_score_refresh(request_id=request.pk)
    return request


def seed(stdout) -> None:
    today = timezone.localdate()
    period = quarter_of(today, fiscal_start_month=workspace_settings().fiscal_year_start_month)
    requester = User.objects.filter(username="stakeholder").first()
    objective = Objective.objects.filter(status=Objective.Status.ACTIVE).order_by("id").first()
    if requester is None or objective is None:
        stdout.write("  roadmaps: skipped (people or objectives missing)")
        return
    made = 0
    for team in Team.objects.filter(slug__in=DEMO_REQUESTS).select_related("lead"):
        lead = team.lead
        member = team.members.filter(role="member").order_by("username").first() or lead
        roadmap = Roadmap.objects.filter(team=team, period=period.label).first()
        if roadmap is None:
            roadmap = services.roadmap_create(actor=lead, team=team, period=period.label)
            made += 1
        if not RoadmapItem.objects.filter(roadmap=roadmap).exists():
            # Plan the first three; the fourth stays accepted for someone to plan in the demo.
            for title, department, effort, public, lane in DEMO_REQUESTS[team.slug][:3]:
                request = _accepted_request(
                    title,
                    department,
                    effort,
                    requester=requester,
                    member=member,
                    lead=lead,
                    objective=objective,
                )
                services.roadmap_item_create(
                    roadmap=roadmap,
                    actor=lead,
                    requests=[request],
                    objective=objective,
                    lane=lane,
                    owner=member,
                    visibility="shared" if public else "internal",
                    public_title=public,
                    public_summary=f"{public} — planned this quarter." if public else "",
                )
            title, department, effort, _, _ = DEMO_REQUESTS[team.slug][3]
            _accepted_request(
                title,
                department,
                effort,
                requester=requester,
                member=member,
                lead=lead,
                objective=objective,
            )
        if not UnplannedEntry.objects.filter(roadmap=roadmap).exists():
            for offset, days, what, who in (
                (3, "2", "Urgent pricing page fix", "Sales"),
                (1, "3.5", "Board deck data pull", "Finance"),
            ):
                services.unplanned_log(
                    roadmap=roadmap,
                    actor=member,
                    day=max(today - dt.timedelta(days=offset), roadmap.period_start),
                    days=days,
                    what=what,
                    requested_by=who,
                )
        if not Snapshot.objects.filter(roadmap=roadmap).exists():
            services.snapshot_take(roadmap=roadmap, actor=lead, note="Start of quarter")
            # The review falls due today so the sweep and the review page have work to show.
            Cadence.objects.filter(kind=Cadence.Kind.ROADMAP, target_id=roadmap.pk).update(
                next_due_on=today
            )
        if not ShareLink.objects.filter(roadmap=roadmap).exists():
            services.share_link_create(roadmap=roadmap, actor=lead, label="All-hands")
        figures = selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))
        stdout.write(
            f"  roadmap {roadmap}: planned {figures.planned_days} of {figures.plannable_days} d, "
            f"buffer burn {figures.buffer_burn_percent} %"
        )
    stdout.write(f"  roadmaps: {made} new")
