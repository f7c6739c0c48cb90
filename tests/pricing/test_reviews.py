"""Pricing reviews ride on the review cadences: quarterly per plan, reminded exactly once,
escalated to the product's owner after 3 days overdue; post-change reviews 90 days out."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from pricing import services
from pricing.models import Plan, PricingReview
from prodops.notifications.models import Notification
from prodops.reviews.models import Cadence, ReminderDelivery
from prodops.reviews.services import reviews_sweep
from tests.factories import UserFactory
from tests.pricing.conftest import TODAY, make_proposal

pytestmark = pytest.mark.django_db

REMINDERS = (Notification.Kind.REVIEW_DUE, Notification.Kind.REVIEW_OVERDUE)


@pytest.fixture
def plan_owner(db):
    return UserFactory(username="planowner", role="lead")


@pytest.fixture
def reviewed_plan(product, plan_owner, lead):
    return services.plan_create(
        actor=lead, product=product, name="Team", owner=plan_owner, first_review_on=TODAY
    )


def _cadence(plan):
    return Cadence.objects.get(
        kind=Cadence.Kind.PRICE_PLAN, target_id=plan.pk, title__contains=plan.name
    )


def test_every_plan_gets_a_quarterly_review_with_owner_and_escalation(
    reviewed_plan, plan_owner, lead
):
    cadence = _cadence(reviewed_plan)
    assert cadence.interval_days == services.DEFAULT_REVIEW_INTERVAL_DAYS
    assert cadence.owner == plan_owner
    assert cadence.escalate_to == lead  # the product's owner
    assert cadence.url == f"/pricing/plans/{reviewed_plan.pk}/"


def sweep(capture, today):
    """One beat: the sweep, then the sends it queued after commit."""
    with capture(execute=True):
        reviews_sweep(today=today)


def test_reminders_exactly_once_and_escalation_after_three_days(
    reviewed_plan, plan_owner, lead, django_capture_on_commit_callbacks
):
    for day in (0, 0, 1, 3):
        sweep(django_capture_on_commit_callbacks, TODAY + dt.timedelta(days=day))
    assert Notification.objects.filter(kind__in=REMINDERS, recipient=plan_owner).count() == 1
    assert not Notification.objects.filter(kind__in=REMINDERS, recipient=lead).exists()
    for _ in range(3):
        sweep(django_capture_on_commit_callbacks, TODAY + dt.timedelta(days=4))
    escalated = Notification.objects.filter(kind__in=REMINDERS, recipient=lead)
    assert escalated.count() == 1
    assert escalated.get().kind == Notification.Kind.REVIEW_OVERDUE


def test_crash_between_delivery_insert_and_send_is_sent_once_later(
    reviewed_plan, plan_owner, django_capture_on_commit_callbacks
):
    with mock.patch("prodops.reviews.services.notify", side_effect=RuntimeError("killed")):
        sweep(django_capture_on_commit_callbacks, TODAY)
    assert not Notification.objects.filter(kind__in=REMINDERS).exists()
    assert ReminderDelivery.objects.filter(sent_at__isnull=True).count() == 1
    sweep(django_capture_on_commit_callbacks, TODAY)
    sweep(django_capture_on_commit_callbacks, TODAY)
    assert Notification.objects.filter(kind__in=REMINDERS, recipient=plan_owner).count() == 1


def test_review_records_decision_and_moves_the_next_due_date(reviewed_plan, plan_owner):
    review = services.pricing_review_record(
        plan=reviewed_plan,
        actor=plan_owner,
        decision=PricingReview.Decision.KEEP,
        rationale="Win rate steady.",
        input_win_loss="62 % win rate.",
        today=TODAY,
    )
    assert review.cadence_review is not None
    assert _cadence(reviewed_plan).next_due_on == TODAY + dt.timedelta(days=91)


def test_review_needs_a_lead_a_decision_and_a_rationale(reviewed_plan, member, lead):
    from prodops.core.errors import NotAllowed, ValidationFailed

    with pytest.raises(NotAllowed):
        services.pricing_review_record(
            plan=reviewed_plan, actor=member, decision="keep", rationale="x"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.pricing_review_record(
            plan=reviewed_plan, actor=lead, decision="maybe", rationale="x"
        )
    assert refused.value.field == "decision"


def test_retired_plan_is_no_longer_reviewed(reviewed_plan, lead):
    services.plan_update(plan=reviewed_plan, actor=lead, status=Plan.Status.RETIRED)
    assert _cadence(reviewed_plan).active is False


def test_post_change_review_compares_expected_and_observed(plan, lead):
    proposal = make_proposal(lead=lead, plan=plan, expected_effect="MRR +8 %, churn flat")
    proposal = services.proposal_submit(proposal=proposal, actor=lead, today=TODAY)
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    proposal = services.proposal_schedule(proposal=proposal, actor=lead, today=TODAY)
    for item in proposal.readiness.all():
        services.readiness_mark_done(item=item, actor=lead)
    services.prices_switch_due(today=proposal.effective_on)
    proposal.refresh_from_db()
    post = Cadence.objects.get(title__startswith="Post-change", target_id=proposal.pk)
    assert post.next_due_on == proposal.effective_on + dt.timedelta(days=90)
    review = services.pricing_review_record(
        plan=plan,
        actor=lead,
        change=proposal,
        decision="keep",
        rationale="Worked.",
        observed_effect="MRR +6 %, churn +0.2 pt",
        today=post.next_due_on,
    )
    proposal.refresh_from_db()
    assert proposal.observed_effect == "MRR +6 %, churn +0.2 pt"
    assert review.change == proposal
    post.refresh_from_db()
    assert post.active is False


def test_pricing_reviews_show_on_the_reviews_page_and_the_leads_home(
    clients, reviewed_plan, plan_owner, lead
):
    Cadence.objects.filter(pk=_cadence(reviewed_plan).pk).update(next_due_on=timezone.localdate())
    page = clients["member"].get("/reviews/?kind=price_plan").content.decode()
    assert f"Pricing review: {reviewed_plan}" in page
    from django.test import Client

    owner = Client()
    owner.force_login(plan_owner)
    assert f"Pricing review: {reviewed_plan}" in owner.get("/").content.decode()
