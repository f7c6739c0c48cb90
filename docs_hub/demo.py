"""Demo docs for every audience (one past its verification), deflections, and a roadmap item
with an open release checklist. Safe to run again."""

import datetime as dt

from django.utils import timezone

from prodops.accounts.models import User

from . import services
from .models import Deflection, Doc, ReadinessCheck, SuggestionOpen
from .readiness import readiness_checklist_set

DOCS = [
    (
        "How triage works",
        "team",
        ["intake", "triage"],
        "Every new request is read within two working days.\n\n"
        "1. Check it is complete; ask for what is missing.\n"
        "2. Pick the team and score it.\n3. Decline with a reason, or accept.",
    ),
    (
        "Requesting a change from product ops",
        "stakeholders",
        ["requests", "intake"],
        "Describe the **outcome** you need, who it is for and by when. "
        "Search the docs first: many questions already have an answer.",
    ),
    (
        "Exporting invoices as CSV",
        "customers",
        ["billing", "export", "invoices"],
        "Open **Billing → Invoices**, choose the period and press *Export CSV*. "
        "The file lists one invoice a line with its tax.",
    ),
    (
        "Resetting your password",
        "customers",
        ["login", "password"],
        "On the sign-in page choose *Forgot password* and follow the link we email you.",
    ),
    (
        "Quoting a multi-year discount",
        "stakeholders",
        ["pricing", "quote", "discount"],
        "Multi-year deals get the discount in the price book; anything above needs a lead's "
        "approval.",
    ),
]


def seed(stdout) -> None:
    users = {
        u.username: u for u in User.objects.filter(username__in=["lead", "member", "stakeholder"])
    }
    lead, member, stakeholder = users.get("lead"), users.get("member"), users.get("stakeholder")
    if not (lead and member and stakeholder):
        return
    today = timezone.localdate()
    made = {}
    for title, audience, tags, body in DOCS:
        doc = Doc.objects.filter(title=title).first()
        if doc is None:
            doc = services.doc_create(
                actor=member, title=title, audience=audience, tags=tags, body=body, reviewer=lead
            )
            doc = services.doc_publish(doc=doc, actor=lead)
        made[title] = doc
    # One doc past its verification: shows "needs review" and reminds its owner.
    expired = made["Quoting a multi-year discount"]
    if not expired.needs_review():
        expired = services.doc_verify(
            doc=expired,
            actor=lead,
            today=today - dt.timedelta(days=expired.verify_interval_days + 5),
        )
    if Doc.objects.filter(title="Sales battlecard draft").first() is None:
        services.doc_create(actor=member, title="Sales battlecard draft", audience="team")
    if not Deflection.objects.exists():
        services.deflection_record(
            doc=made["Exporting invoices as CSV"], person=stakeholder, query="export invoices"
        )
        services.deflection_record(
            doc=made["Requesting a change from product ops"],
            person=stakeholder,
            query="new request",
        )
        open_ = services.suggestion_open_record(
            doc=made["Resetting your password"], person=stakeholder, query="password reset"
        )
        SuggestionOpen.objects.filter(pk=open_.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=2)
        )
    from roadmap.models import RoadmapItem

    item = (
        RoadmapItem.objects.exclude(status=RoadmapItem.Status.SHIPPED)
        .select_related("roadmap__team")
        .order_by("roadmap__period_start", "position", "id")
        .first()
    )
    team_lead = item.roadmap.team.lead if item is not None else None
    if team_lead is not None and not ReadinessCheck.objects.filter(item=item).exists():
        readiness_checklist_set(
            item=item,
            actor=team_lead,
            kinds=[
                ReadinessCheck.Kind.DOC_CUSTOMERS,
                ReadinessCheck.Kind.SALES_BRIEFED,
                ReadinessCheck.Kind.SUPPORT_BRIEFED,
                ReadinessCheck.Kind.ANNOUNCEMENT,
            ],
            owner=member,
            due_on=today + dt.timedelta(days=14),
        )
    stdout.write(f"Docs: {Doc.objects.count()}, deflections: {Deflection.objects.count()}.")
