"""Price change proposals: notice period, two-step approval, readiness, the effective switch."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.test import override_settings

from pricing import services
from pricing.models import Approval, PricePoint, PriceProposal, ProposalStatus, ReadinessItem
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.reviews.models import Cadence
from tests.factories import UserFactory
from tests.pricing.conftest import TODAY, make_proposal

pytestmark = pytest.mark.django_db


# --- notice period -------------------------------------------------------------------------


def test_effective_date_inside_notice_period_is_refused(plan, lead):
    with pytest.raises(ValidationFailed) as refused:
        make_proposal(lead=lead, plan=plan, days=59)
    assert refused.value.field == "effective_on"
    assert "60 days" in refused.value.message


def test_notice_period_boundary_is_kept(plan, lead):
    assert make_proposal(lead=lead, plan=plan, days=60).status == ProposalStatus.DRAFT


def test_lead_overrides_notice_with_a_reason(plan, lead):
    proposal = make_proposal(
        lead=lead, plan=plan, days=10, notice_override_reason="Regulator requires it."
    )
    assert proposal.notice_overridden_by == lead
    assert proposal.notice_override_reason == "Regulator requires it."


def test_member_cannot_propose_even_with_a_reason(plan, member):
    with pytest.raises(NotAllowed):
        make_proposal(lead=member, plan=plan)


@override_settings(PRICING_NOTICE_DAYS=30)
def test_notice_period_is_a_setting(plan, lead):
    assert make_proposal(lead=lead, plan=plan, days=30)


def test_grandfathering_until_needs_a_later_date(plan, lead):
    with pytest.raises(ValidationFailed) as refused:
        make_proposal(lead=lead, plan=plan, grandfathering="until")
    assert refused.value.field == "grandfathered_until"
    proposal = make_proposal(
        lead=lead,
        plan=plan,
        grandfathering="until",
        grandfathered_until=TODAY + dt.timedelta(days=400),
    )
    assert proposal.grandfathered_until


# --- approvals -----------------------------------------------------------------------------


def _submitted(lead, plan, amount):
    proposal = make_proposal(lead=lead, plan=plan, amount=amount)
    return services.proposal_submit(proposal=proposal, actor=lead, today=TODAY)


def test_small_change_needs_only_a_lead(plan, lead):
    proposal = _submitted(lead, plan, "53.90")  # +10 % exactly: not more than the threshold
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    assert proposal.status == ProposalStatus.APPROVED
    assert [a.step for a in proposal.approvals.all()] == [Approval.Step.LEAD]


def test_exactly_ten_percent_is_computed_without_float_error(plan, lead):
    """49.90 → 54.89 in floats is 10.000000000000005 %: above the threshold. In Decimal it is
    exactly 10 % and needs no admin."""
    PricePoint.objects.filter(plan=plan).update(amount=Decimal("49.90"))
    proposal = make_proposal(lead=lead, plan=plan, amount="54.89")
    assert (54.89 - 49.90) / 49.90 * 100 > 10  # the float trap this test guards against
    assert services.needs_admin_approval(proposal) is False


def test_large_change_needs_lead_then_admin_in_order(plan, lead, admin_user):
    proposal = _submitted(lead, plan, "59.00")  # +20 %
    # The admin step cannot come first: the first approval is always the lead step.
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    assert proposal.status == ProposalStatus.IN_REVIEW
    # Another lead cannot give the second step.
    other_lead = UserFactory(username="lead2", role="lead")
    with pytest.raises(NotAllowed):
        services.proposal_approve(proposal=proposal, actor=other_lead, today=TODAY)
    proposal = services.proposal_approve(proposal=proposal, actor=admin_user, today=TODAY)
    assert proposal.status == ProposalStatus.APPROVED
    trail = list(proposal.approvals.order_by("decided_at", "id"))
    assert [(a.step, a.approver) for a in trail] == [
        (Approval.Step.LEAD, lead),
        (Approval.Step.ADMIN, admin_user),
    ]
    assert Notification.objects.filter(
        recipient=admin_user, title__startswith="Second approval"
    ).exists()


def test_admin_first_counts_as_the_lead_step_then_needs_another_admin(plan, lead, admin_user):
    proposal = _submitted(lead, plan, "40.00")  # −18 %
    proposal = services.proposal_approve(proposal=proposal, actor=admin_user, today=TODAY)
    assert proposal.approvals.get().step == Approval.Step.LEAD
    with pytest.raises(NotAllowed):
        services.proposal_approve(proposal=proposal, actor=admin_user, today=TODAY)
    assert proposal.status == ProposalStatus.IN_REVIEW


@override_settings(PRICING_SECOND_APPROVAL_PERCENT="25")
def test_threshold_is_a_setting(plan, lead):
    proposal = _submitted(lead, plan, "59.00")
    assert (
        services.proposal_approve(proposal=proposal, actor=lead, today=TODAY).status == "approved"
    )


def test_draft_cannot_be_approved_and_reject_needs_reason(plan, lead):
    proposal = make_proposal(lead=lead, plan=plan)
    with pytest.raises(ValidationFailed):
        services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    proposal = services.proposal_submit(proposal=proposal, actor=lead, today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_reject(proposal=proposal, actor=lead, reason=" ")
    assert refused.value.field == "reason"
    assert (
        services.proposal_reject(proposal=proposal, actor=lead, reason="No.").status == "rejected"
    )


def test_stale_version_is_a_conflict(plan, lead):
    proposal = make_proposal(lead=lead, plan=plan)
    services.proposal_update(
        proposal=proposal, actor=lead, expected_version=1, title="New", today=TODAY
    )
    with pytest.raises(EditConflict):
        services.proposal_update(
            proposal=proposal, actor=lead, expected_version=1, title="Other", today=TODAY
        )


# --- readiness and the effective switch ----------------------------------------------------


def _scheduled(lead, plan, amount="53.90"):
    proposal = _submitted(lead, plan, amount)
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=TODAY)
    return services.proposal_schedule(proposal=proposal, actor=lead, today=TODAY)


def _ready(proposal, lead):
    for item in proposal.readiness.all():
        services.readiness_mark_done(item=item, actor=lead)


def test_open_readiness_holds_the_change_back_until_waived(plan, lead, member):
    proposal = _scheduled(lead, plan)
    day = proposal.effective_on
    items = list(proposal.readiness.all())
    for item in items[1:]:
        services.readiness_mark_done(item=item, actor=lead)
    assert services.prices_switch_due(today=day) == 0
    with pytest.raises(NotAllowed):
        services.readiness_waive(item=items[0], actor=member, reason="x")
    with pytest.raises(ValidationFailed):
        services.readiness_waive(item=items[0], actor=lead, reason="")
    services.readiness_waive(item=items[0], actor=lead, reason="Page is generated nightly.")
    assert services.prices_switch_due(today=day) == 1


def test_owner_of_an_item_may_tick_it_off(plan, lead, member):
    proposal = make_proposal(
        lead=lead, plan=plan, readiness_owners={ReadinessItem.Kind.SALES_BRIEFED: member}
    )
    item = proposal.readiness.get(kind=ReadinessItem.Kind.SALES_BRIEFED)
    assert services.readiness_mark_done(item=item, actor=member).done_by == member
    other = proposal.readiness.exclude(pk=item.pk).first()
    with pytest.raises(NotAllowed):
        services.readiness_mark_done(item=other, actor=member)


def test_switch_happens_on_the_date_and_exactly_once(plan, lead):
    proposal = _scheduled(lead, plan)
    _ready(proposal, lead)
    day = proposal.effective_on
    assert services.prices_switch_due(today=day - dt.timedelta(days=1)) == 0
    assert services.prices_switch_due(today=day) == 1
    # Duplicate beats, the same day and later.
    assert services.prices_switch_due(today=day) == 0
    assert services.proposal_make_effective(proposal_id=proposal.pk, today=day) is False
    assert services.prices_switch_due(today=day + dt.timedelta(days=3)) == 0
    points = list(PricePoint.objects.filter(plan=plan).order_by("effective_from"))
    assert [(p.amount, p.effective_from, p.effective_to) for p in points] == [
        (Decimal("49.00"), dt.date(2024, 1, 1), day),
        (Decimal("53.90"), day, None),
    ]
    assert points[1].proposal == proposal
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EFFECTIVE
    assert Notification.objects.filter(title__startswith="New prices are live").count() == 1
    post = Cadence.objects.get(
        kind=Cadence.Kind.PRICE_PLAN, target_id=proposal.pk, title__startswith="Post-change"
    )
    assert post.next_due_on == day + dt.timedelta(days=90)


def test_crash_between_insert_and_notification_leaves_nothing_half_done(plan, lead):
    proposal = _scheduled(lead, plan)
    _ready(proposal, lead)
    day = proposal.effective_on
    with mock.patch("pricing.services.notify", side_effect=RuntimeError("worker killed")):
        assert services.prices_switch_due(today=day) == 0
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCHEDULED
    assert PricePoint.objects.filter(plan=plan).count() == 1
    assert PricePoint.objects.get(plan=plan).effective_to is None
    # The next beat does it all, once.
    assert services.prices_switch_due(today=day) == 1
    assert services.prices_switch_due(today=day) == 0
    assert PricePoint.objects.filter(plan=plan).count() == 2
    assert Notification.objects.filter(title__startswith="New prices are live").count() == 1


def test_switch_task_is_on_the_beat_schedule():
    from prodops.schedule import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert "pricing.tasks.switch_due_prices" in tasks


def test_a_switch_locked_by_another_run_is_skipped(plan, lead, django_db_blocker):
    """A second run while the first holds the proposal's lock does nothing (SKIP LOCKED)."""
    proposal = _scheduled(lead, plan)
    _ready(proposal, lead)
    seen = []
    real = services.notify

    def during_first_run(**kwargs):
        # Inside the first run's transaction: a nested call finds the proposal already
        # moved to effective (same transaction) and does nothing.
        seen.append(
            services.proposal_make_effective(proposal_id=proposal.pk, today=proposal.effective_on)
        )
        return real(**kwargs)

    with mock.patch("pricing.services.notify", side_effect=during_first_run):
        assert services.proposal_make_effective(
            proposal_id=proposal.pk, today=proposal.effective_on
        )
    assert seen == [False]
    assert PriceProposal.objects.get(pk=proposal.pk).price_points.count() == 1
