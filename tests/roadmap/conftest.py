from decimal import Decimal

import pytest

from intake.models import Assessment, RequestStatus
from roadmap import services
from tests.factories import MembershipFactory, ObjectiveFactory, RequestFactory, TeamFactory


@pytest.fixture
def team(users):
    """Two people at 50 days × 100 % → capacity 100; at 25 % buffer, plannable 75."""
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=users["lead"])
    MembershipFactory(team=team, user=users["lead"], capacity_days=50, allocation_percent=100)
    MembershipFactory(team=team, user=users["member"], capacity_days=50, allocation_percent=100)
    return team


@pytest.fixture
def objective(db):
    return ObjectiveFactory(title="Grow NRR")


@pytest.fixture
def roadmap(team, users):
    return services.roadmap_create(actor=users["lead"], team=team, period="2027-Q1")


@pytest.fixture
def accepted(users, objective, team):
    """accepted(effort=…) makes an accepted request of `team` (or the `team` given), assessed
    at that effort when given."""

    def make(effort=None, title=None, **kwargs):
        kwargs.setdefault("team", team)
        request = RequestFactory(status=RequestStatus.ACCEPTED, objective=objective, **kwargs)
        if title:
            request.title = title
            request.save()
        if effort is not None:
            Assessment.objects.create(
                request=request,
                assessor=users["member"],
                feasibility=4,
                effort_days=Decimal(effort),
                impact=4,
            )
        return request

    return make


@pytest.fixture
def plan(roadmap, users, objective, accepted):
    """plan(estimate, **fields) plans one new accepted request (or the given `requests`) as an
    item on `roadmap` (or the given `on` roadmap); estimate None means the assessed effort."""

    def make(estimate, *, actor=None, requests=None, on=None, **fields):
        return services.roadmap_item_create(
            roadmap=on or roadmap,
            actor=actor or users["lead"],
            requests=requests or [accepted()],
            objective=objective,
            estimate_days=estimate,
            **fields,
        )

    return make


@pytest.fixture
def log_unplanned(roadmap, users):
    """log_unplanned(days, **fields) logs unplanned work on `roadmap` on a day of its quarter."""

    def log(days, *, actor=None, day="2027-01-11", what="Urgent fix", requested_by="Sales"):
        return services.unplanned_log(
            roadmap=roadmap,
            actor=actor or users["member"],
            day=day,
            days=days,
            what=what,
            requested_by=requested_by,
        )

    return log
