import datetime as dt

import pytest

from prodops.reviews.models import Cadence
from roadmap import services
from tests.factories import MembershipFactory, TeamFactory, UserFactory

START = dt.date(2027, 1, 4)


@pytest.fixture
def review_people(db):
    owner = UserFactory(username="owner", role="lead")
    boss = UserFactory(username="boss", role="lead")
    return owner, boss


@pytest.fixture
def cadence(review_people):
    """A roadmap's review cadence: owner gets "due" reminders, boss gets escalations."""
    owner, boss = review_people
    team = TeamFactory(name="Product Ops", slug="product-ops", lead=boss)
    MembershipFactory(team=team, user=owner)
    roadmap = services.roadmap_create(actor=boss, team=team, period="2027-Q1")
    cadence = Cadence.objects.get(target_id=roadmap.pk, kind=Cadence.Kind.ROADMAP)
    cadence.owner = owner
    cadence.next_due_on = START
    cadence.save()
    return cadence
