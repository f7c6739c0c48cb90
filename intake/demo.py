"""Demo routing rules and requests: about sixty requests, from every department, in every
status, with votes, comments and internal notes; each is routed to a team when submitted.
Idempotent: a rule for the same match or a request whose title already exists is left alone,
and a triaged-or-later request left without a team by an older seed gets the routed one."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from outcomes.models import Objective
from prodops.accounts.models import Department, Team, User

from . import lifecycle, services
from .models import Comment, Request, RoutingRule
from .models import RequestStatus as S
from .routing.rules import routing_suggest
from .routing.services import routing_rule_create

C = Request.Category
A = Request.Audience

# category, department, team slug, priority: which team serves which requests. Departments
# route to the team that serves them; marketing's reporting goes to Product Ops (naming both
# fields, that rule is the most specific); pricing requests go to Product Ops when no
# department rule claims them (equally specific, the department rules win by priority).
ROUTING_RULES = [
    ("", "Sales", "marketing-ops", 100),
    ("", "Marketing", "marketing-ops", 100),
    ("", "Customer Success", "product-ops", 100),
    ("", "Finance", "product-ops", 100),
    ("", "Product", "product-ops", 100),
    ("", "Support", "product-ops", 100),
    (C.PRICING, "", "product-ops", 200),
    (C.DATA_REPORTING, "Marketing", "product-ops", 100),
]

# title, requester, category, for whom, status
REQUESTS = [
    (
        "One-click quote from the CRM opportunity",
        "stakeholder",
        C.NEW_CAPABILITY,
        A.INTERNAL,
        S.PLANNED,
    ),
    (
        "Battlecard for the new competitor in mid-market",
        "stakeholder",
        C.ENABLEMENT_DOCS,
        A.INTERNAL,
        S.SHIPPED,
    ),
    ("Pipeline dashboard by stage and rep", "stakeholder", C.DATA_REPORTING, A.INTERNAL, S.SCORED),
    ("Discount approval in under 4 hours", "stakeholder", C.CHANGE, A.INTERNAL, S.TRIAGED),
    (
        "Case study template for enterprise wins",
        "stakeholder",
        C.ENABLEMENT_DOCS,
        A.EXTERNAL,
        S.NEW,
    ),
    ("Lead routing ignores territory overrides", "stakeholder", C.FIX, A.INTERNAL, S.IN_PROGRESS),
    ("Price sheet for the partner channel", "stakeholder", C.PRICING, A.EXTERNAL, S.NEEDS_INFO),
    ("Sales deck refresh for Q3 launch", "stakeholder", C.ENABLEMENT_DOCS, A.INTERNAL, S.ACCEPTED),
    (
        "Pipeline dashboard for sales leadership",
        "stakeholder",
        C.DATA_REPORTING,
        A.INTERNAL,
        S.DUPLICATE,
    ),
    (
        "Auto-create renewal opportunities 120 days out",
        "stakeholder",
        C.NEW_CAPABILITY,
        A.INTERNAL,
        S.DECLINED,
    ),
    ("Health score visible on the account page", "carla", C.DATA_REPORTING, A.INTERNAL, S.MEASURED),
    ("Onboarding email sequence for new admins", "carla", C.NEW_CAPABILITY, A.EXTERNAL, S.SHIPPED),
    ("Churn reasons picklist is out of date", "carla", C.FIX, A.INTERNAL, S.TRIAGED),
    ("QBR deck template with usage charts", "carla", C.ENABLEMENT_DOCS, A.BOTH, S.SCORED),
    ("Alert CSM when usage drops 30 % in a week", "carla", C.NEW_CAPABILITY, A.INTERNAL, S.NEW),
    ("Customer-facing release notes page", "carla", C.NEW_CAPABILITY, A.EXTERNAL, S.PARKED),
    ("How do I export the NPS responses?", "carla", C.OTHER, A.INTERNAL, S.DEFLECTED),
    ("In-app survey after onboarding call", "carla", C.CHANGE, A.EXTERNAL, S.PLANNED),
    ("Renewal risk report by segment", "carla", C.DATA_REPORTING, A.INTERNAL, S.ACCEPTED),
    (
        "Success plan template in the shared drive",
        "carla",
        C.ENABLEMENT_DOCS,
        A.INTERNAL,
        S.NEEDS_INFO,
    ),
    ("Monthly bookings vs. forecast report", "felix", C.DATA_REPORTING, A.INTERNAL, S.IN_PROGRESS),
    ("Annual prepay discount rules", "felix", C.PRICING, A.BOTH, S.SCORED),
    ("Invoice reminder wording is too aggressive", "felix", C.CHANGE, A.EXTERNAL, S.SHIPPED),
    ("Currency rounding on EUR price points", "felix", C.FIX, A.EXTERNAL, S.TRIAGED),
    ("Usage-based add-on pricing proposal", "felix", C.PRICING, A.EXTERNAL, S.NEW),
    ("Deferred revenue view for the board pack", "felix", C.DATA_REPORTING, A.INTERNAL, S.PARKED),
    ("Approval flow for non-standard payment terms", "felix", C.CHANGE, A.INTERNAL, S.DECLINED),
    ("Cost-to-serve per account dashboard", "felix", C.DATA_REPORTING, A.INTERNAL, S.ACCEPTED),
    ("Trial nurture emails by persona", "grace", C.NEW_CAPABILITY, A.EXTERNAL, S.IN_PROGRESS),
    ("UTM taxonomy clean-up", "grace", C.CHANGE, A.INTERNAL, S.MEASURED),
    ("Webinar landing page template", "grace", C.ENABLEMENT_DOCS, A.EXTERNAL, S.SHIPPED),
    ("Lead score ignores product sign-ups", "grace", C.FIX, A.INTERNAL, S.SCORED),
    ("Attribution report for paid social", "grace", C.DATA_REPORTING, A.INTERNAL, S.NEW),
    ("Pricing page A/B test on annual toggle", "grace", C.PRICING, A.EXTERNAL, S.PLANNED),
    ("Event follow-up sequence within 24 hours", "grace", C.NEW_CAPABILITY, A.EXTERNAL, S.TRIAGED),
    ("Brand guidelines in the docs hub", "grace", C.ENABLEMENT_DOCS, A.INTERNAL, S.DEFLECTED),
    ("Trial nurture emails for each persona", "grace", C.NEW_CAPABILITY, A.EXTERNAL, S.DUPLICATE),
    ("Newsletter sign-up on the blog", "grace", C.CHANGE, A.EXTERNAL, S.NEEDS_INFO),
    ("Macro library for top 20 tickets", "hugo", C.ENABLEMENT_DOCS, A.INTERNAL, S.SHIPPED),
    ("Help center search returns old articles", "hugo", C.FIX, A.EXTERNAL, S.IN_PROGRESS),
    ("Ticket tags synced to the CRM account", "hugo", C.NEW_CAPABILITY, A.INTERNAL, S.ACCEPTED),
    ("Status page subscription for customers", "hugo", C.NEW_CAPABILITY, A.EXTERNAL, S.NEW),
    ("Weekly top-issues report for product", "hugo", C.DATA_REPORTING, A.INTERNAL, S.SCORED),
    ("Escalation playbook for P1 incidents", "hugo", C.ENABLEMENT_DOCS, A.INTERNAL, S.TRIAGED),
    ("Chat widget on the pricing page", "hugo", C.CHANGE, A.EXTERNAL, S.DECLINED),
    ("Refund policy wording for annual plans", "hugo", C.PRICING, A.EXTERNAL, S.PARKED),
    ("Where is the SLA for enterprise support?", "hugo", C.OTHER, A.INTERNAL, S.DEFLECTED),
    ("Feature adoption funnel per release", "tom", C.DATA_REPORTING, A.INTERNAL, S.PLANNED),
    ("Beta program sign-up form", "tom", C.NEW_CAPABILITY, A.EXTERNAL, S.MEASURED),
    ("Release readiness checklist template", "tom", C.ENABLEMENT_DOCS, A.INTERNAL, S.SHIPPED),
    ("Competitor pricing tracker", "omar", C.PRICING, A.INTERNAL, S.IN_PROGRESS),
    ("Packaging review for the Starter plan", "omar", C.PRICING, A.BOTH, S.ACCEPTED),
    ("Marketing automation sync errors", "nora", C.FIX, A.INTERNAL, S.NEW),
    ("Consent field mapping for EU leads", "nora", C.FIX, A.EXTERNAL, S.TRIAGED),
    ("Partner referral form on the website", "stakeholder", C.NEW_CAPABILITY, A.EXTERNAL, S.NEW),
    (
        "Win/loss survey after every closed deal",
        "stakeholder",
        C.NEW_CAPABILITY,
        A.INTERNAL,
        S.SCORED,
    ),
    ("Expansion playbook for seat-based accounts", "carla", C.ENABLEMENT_DOCS, A.INTERNAL, S.NEW),
    ("Board metrics pack automation", "felix", C.DATA_REPORTING, A.INTERNAL, S.NEEDS_INFO),
    ("Customer advisory board invite list", "grace", C.OTHER, A.EXTERNAL, S.PARKED),
    ("Knowledge base article feedback buttons", "hugo", C.CHANGE, A.EXTERNAL, S.PLANNED),
]

# The steps a request takes from new to reach each status (the lifecycle refuses shortcuts).
PATHS = {
    S.NEW: [],
    S.NEEDS_INFO: [S.NEEDS_INFO],
    S.TRIAGED: [S.TRIAGED],
    S.SCORED: [S.TRIAGED, S.SCORED],
    S.ACCEPTED: [S.TRIAGED, S.SCORED, S.ACCEPTED],
    S.PLANNED: [S.TRIAGED, S.SCORED, S.ACCEPTED, S.PLANNED],
    S.IN_PROGRESS: [S.TRIAGED, S.SCORED, S.ACCEPTED, S.PLANNED, S.IN_PROGRESS],
    S.SHIPPED: [S.TRIAGED, S.SCORED, S.ACCEPTED, S.PLANNED, S.IN_PROGRESS, S.SHIPPED],
    S.MEASURED: [
        S.TRIAGED,
        S.SCORED,
        S.ACCEPTED,
        S.PLANNED,
        S.IN_PROGRESS,
        S.SHIPPED,
        S.MEASURED,
    ],
    S.DECLINED: [S.TRIAGED, S.DECLINED],
    S.DEFLECTED: [S.DEFLECTED],
    S.PARKED: [S.TRIAGED, S.PARKED],
}

REASONS = {
    S.NEEDS_INFO: "Which accounts or segments does this affect, and how often?",
    S.DECLINED: "Out of scope for ops this year; the CRM vendor ships this in Q4.",
    S.DEFLECTED: "Answered by the existing how-to in the docs hub.",
}

# Duplicates and what they repeat.
DUPLICATE_OF = {
    "Pipeline dashboard for sales leadership": "Pipeline dashboard by stage and rep",
    "Trial nurture emails for each persona": "Trial nurture emails by persona",
}

VOTERS = ["carla", "felix", "grace", "hugo", "stakeholder", "tom", "nora"]
NOTES = [
    "Blocks three renewals this quarter",
    "Saves my team an hour a day",
    "",
    "Customers ask weekly",
]


def _seed_routing(admin) -> int:
    made = 0
    for category, department_name, team_slug, priority in ROUTING_RULES:
        department = Department.objects.filter(name=department_name).first()
        team = Team.objects.filter(slug=team_slug).first()
        if team is None or (department_name and department is None):
            continue
        if RoutingRule.objects.filter(category=category, department=department).exists():
            continue
        routing_rule_create(
            actor=admin, team=team, category=category, department=department, priority=priority
        )
        made += 1
    return made


def _route_teamless(actor) -> None:
    """Requests an older seed triaged without a team get the routed one."""
    for request in Request.objects.filter(
        team__isnull=True, status__in=lifecycle.TEAM_REQUIRED
    ).order_by("pk"):
        team = routing_suggest(request=request)
        if team is not None:
            services.request_set_team(request=request, actor=actor, team=team)


def seed(stdout) -> None:
    people = {u.username: u for u in User.objects.all()}
    lead = people["priya"]
    rules_made = _seed_routing(people["admin"])
    _route_teamless(lead)
    triagers = [people["member"], people["tom"], people["nora"], people["omar"]]
    objectives = list(Objective.objects.filter(status=Objective.Status.ACTIVE).order_by("pk"))
    today = timezone.localdate()
    made = 0
    by_title = {}
    for index, (title, who, category, audience, status) in enumerate(REQUESTS):
        existing = Request.objects.filter(title=title).first()
        if existing is not None:
            by_title[title] = existing
            continue
        requester = people[who]
        req = services.request_create(
            requester=requester,
            title=title,
            description=_description(title, requester),
            category=category,
            audience=audience,
            objective=objectives[index % len(objectives)] if objectives and index % 3 else None,
            visible_to_stakeholders=index % 7 != 0,
            desired_date=today + dt.timedelta(days=30 + index) if index % 4 == 0 else None,
        )
        by_title[title] = req
        made += 1
        # Spread submissions over the last four months so age filters and time-to-triage mean
        # something.
        Request.objects.filter(pk=req.pk).update(
            created_at=timezone.now() - dt.timedelta(days=120 - index * 2, hours=index)
        )
        if status != S.NEW:
            services.request_assign(request=req, actor=lead, assignee=triagers[index % 4])
        for step in PATHS.get(status, []):
            services.request_transition(
                request=req,
                to=step,
                actor=lead,
                reason=REASONS.get(step, ""),
                revisit_on=today + dt.timedelta(days=60) if step == S.PARKED else None,
                notify_watchers=False,
            )
        # Triage happened hours after submission, not at seeding time.
        Request.objects.filter(pk=req.pk, first_triaged_at__isnull=False).update(
            first_triaged_at=F("created_at") + dt.timedelta(hours=4 + (index % 5) * 9)
        )
        for offset in range(index % 5):
            voter = people[VOTERS[(index + offset) % len(VOTERS)]]
            if voter != requester and req.visible_to_stakeholders:
                services.request_vote(request=req, voter=voter, note=NOTES[(index + offset) % 4])
        # Demo history is written directly: replaying it through comment_create would mail
        # every demo person about conversations that never happened.
        if index % 3 == 0:
            Comment.objects.create(
                request=req,
                author=triagers[index % 4],
                body="Thanks! Could you add **an example** of where this hurts today?",
            )
            Comment.objects.create(
                request=req, author=requester, body="Sure — last week three deals slipped on it."
            )
        if index % 4 == 1:
            Comment.objects.create(
                request=req,
                author=triagers[index % 4],
                body="Internal: overlaps with the CRM migration; check with Omar before scoring.",
                is_internal=True,
            )
    for dup_title, into_title in DUPLICATE_OF.items():
        dup, into = by_title.get(dup_title), by_title.get(into_title)
        if dup and into and dup.status != S.DUPLICATE:
            dup.refresh_from_db()
            services.request_merge(duplicate=dup, into=into, actor=lead)
    stdout.write(
        f"  routing rules: {rules_made} new; requests: {made} new, {Request.objects.count()} in all"
    )


def _description(title: str, requester) -> str:
    return (
        f"**What:** {title}.\n\n"
        f"**Why:** {requester.display_name}'s team runs into this every week; today it is a "
        "manual workaround in spreadsheets.\n\n"
        "**Done when:**\n\n- the team can do it without asking ops\n- we can see it in the numbers"
    )
