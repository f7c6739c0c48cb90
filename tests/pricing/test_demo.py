"""The demo workspace has a believable price book."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from pricing.models import Plan, PricePoint, PriceProposal, Product, ProposalStatus
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_state


@pytest.fixture
def demo(demo_data, db):
    """The demo workspace, seeded once per module."""


def test_demo_price_book(demo):
    assert Product.objects.count() == 2
    assert Plan.objects.count() >= 5
    oldest = PricePoint.objects.order_by("effective_from").first().effective_from
    assert (timezone.localdate() - oldest).days >= 3 * 365
    waiting = PriceProposal.objects.get(status=ProposalStatus.IN_REVIEW)
    assert waiting.approvals.count() == 1  # the lead's; the admin's is awaited
    today = timezone.localdate()
    states = [
        cadence_state(cadence=c, today=today)
        for c in Cadence.objects.filter(kind=Cadence.Kind.PRICE_PLAN)
    ]
    assert states.count("overdue") == 1


def test_seeding_again_adds_nothing(demo):
    before = (PricePoint.objects.count(), PriceProposal.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (PricePoint.objects.count(), PriceProposal.objects.count()) == before
