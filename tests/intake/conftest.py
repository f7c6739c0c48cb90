import pytest

from intake.models import Request
from tests.factories import RequestFactory, UserFactory


@pytest.fixture
def other_stakeholder(db, department):
    return UserFactory(username="other", role="stakeholder", department=department)


@pytest.fixture
def own_request(stakeholder):
    """A request the `stakeholder` fixture filed; they watch it, as the service would make."""
    from intake.models import Watcher

    req = RequestFactory(requester=stakeholder, title="Quote template for enterprise deals")
    Watcher.objects.create(request=req, user=stakeholder)
    return req


@pytest.fixture
def private_request(other_stakeholder):
    """Someone else's request that is not open to other stakeholders."""
    return RequestFactory(
        requester=other_stakeholder, title="Private pricing question", visible_to_stakeholders=False
    )


@pytest.fixture
def open_request(other_stakeholder):
    return RequestFactory(
        requester=other_stakeholder, title="Churn dashboard for CS", visible_to_stakeholders=True
    )


@pytest.fixture
def routed(db):
    """A routing rule sending every factory-made request (category "change") to the triage
    team, so a request can move to triaged without choosing a team by hand."""
    from tests.factories import RoutingRuleFactory, triage_team

    return RoutingRuleFactory(category=Request.Category.CHANGE, team=triage_team())


def set_status(req: Request, status: str) -> Request:
    """Put a request in a status directly (test setup only; the app moves it by the service).
    From triaged on it belongs to a team, as the lifecycle requires."""
    from intake.lifecycle import TEAM_REQUIRED
    from tests.factories import triage_team

    team = req.team or (triage_team() if status in TEAM_REQUIRED else None)
    Request.objects.filter(pk=req.pk).update(status=status, team=team)
    req.refresh_from_db()
    return req
