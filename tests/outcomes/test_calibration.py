import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.assessments import Assessment
from intake.models import RequestStatus
from outcomes.calibration import scoring_calibration
from outcomes.models import Contribution, Revisit
from tests.factories import RequestFactory, TeamFactory, UserFactory
from tests.helpers import count_queries


def _shipped_request(team, metric, *, outcomes, calls):
    """A shipped request of `team` contributing to `metric`, its revisits recorded with
    `outcomes` (in date order), assessed by `calls` = [(assessor, impact, confidence)]."""
    request = RequestFactory(status=RequestStatus.SHIPPED, team=team)
    contribution = Contribution.objects.create(
        metric=metric,
        request=request,
        expected_change=Decimal(1),
        expected_by=dt.date(2026, 6, 1),
        shipped_on=dt.date(2026, 1, 1),
    )
    for days, outcome in zip((30, 90), outcomes, strict=False):
        Revisit.objects.create(
            contribution=contribution,
            due_on=dt.date(2026, 1, 1) + dt.timedelta(days=days),
            outcome=outcome,
            impact_statement="observed",
            recorded_at=timezone.now(),
        )
    for assessor, impact, confidence in calls:
        Assessment.objects.create(
            request=request,
            assessor=assessor,
            feasibility=3,
            effort_days=Decimal(2),
            impact=impact,
            confidence=confidence,
        )
    return request


@pytest.mark.django_db
def test_calibration_from_a_hand_built_history(metric):
    ann = UserFactory(username="ann", first_name="Ann", last_name="A", role="member")
    bob = UserFactory(username="bob", first_name="Bob", last_name="B", role="member")
    growth, ops = TeamFactory(name="Growth"), TeamFactory(name="Ops")
    # Ann: three high-impact calls: moved, moved, not moved (the last revisit is what counts).
    _shipped_request(growth, metric, outcomes=["not_moved", "moved"], calls=[(ann, 5, 100)])
    _shipped_request(growth, metric, outcomes=["moved"], calls=[(ann, 4, 80), (bob, 2, 50)])
    _shipped_request(ops, metric, outcomes=["moved", "not_moved"], calls=[(ann, 4, 80)])
    # Bob: one high-impact call, inconclusive; one low-impact call is not a high-impact call.
    _shipped_request(ops, metric, outcomes=["inconclusive"], calls=[(bob, 5, 50)])
    # Not revisited yet: left out.
    RequestFactory(status=RequestStatus.SHIPPED, team=ops)
    queries, figures = count_queries(scoring_calibration)
    assessors = {r.name: r for r in figures["assessors"]}
    ann_row, bob_row = assessors[str(ann)], assessors[str(bob)]
    assert (ann_row.calls, ann_row.moved, ann_row.not_moved, ann_row.inconclusive) == (3, 2, 1, 0)
    assert ann_row.moved_percent == 67
    assert ann_row.stated_confidence == 87
    assert (bob_row.calls, bob_row.inconclusive, bob_row.moved_percent) == (1, 1, None)
    teams = {r.name: r for r in figures["teams"]}
    assert (teams["Growth"].calls, teams["Growth"].moved) == (2, 2)
    assert teams["Growth"].moved_percent == 100
    assert (teams["Ops"].calls, teams["Ops"].not_moved, teams["Ops"].inconclusive) == (2, 1, 1)
    assert queries <= 3  # revisits, the items' requests (none here), assessments


@pytest.mark.django_db
def test_scoring_page_shows_calibration(clients, metric, users):
    _shipped_request(
        TeamFactory(name="Growth"), metric, outcomes=["moved"], calls=[(users["member"], 5, 80)]
    )
    html = clients["member"].get("/requests/scoring-model/").content.decode()
    assert 'data-testid="calibration"' in html
    assert "100 %" in html and "Growth" in html
