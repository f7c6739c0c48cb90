"""The alignment factor follows the objective link and the objective's status, wherever they
change: the stored score must move with them."""

from decimal import Decimal

import pytest

from intake.services import request_update
from outcomes.models import Objective
from outcomes.services import objective_update
from tests.factories import ObjectiveFactory

ONE = {"impact": 4, "feasibility": 4, "effort_days": Decimal("3")}


@pytest.mark.django_db
def test_linking_an_active_objective_raises_the_score(make_scored, member):
    request = make_scored("Unlinked", [ONE])
    unaligned = request.score
    objective = ObjectiveFactory(status=Objective.Status.ACTIVE)
    request_update(
        request=request, actor=member, expected_version=request.version, objective=objective
    )
    request.refresh_from_db()
    assert request.score > unaligned
    # 0.7 is the default factor for unaligned work: linked score × 0.7 == unlinked score.
    assert (request.score * Decimal("0.7")).quantize(Decimal("0.01")) == unaligned


@pytest.mark.django_db
def test_dropping_the_objective_lowers_linked_scores(make_scored, lead):
    objective = ObjectiveFactory(status=Objective.Status.ACTIVE)
    request = make_scored("Linked", [ONE], objective=objective)
    aligned = request.score
    objective_update(objective=objective, actor=lead, status=Objective.Status.DROPPED)
    request.refresh_from_db()
    assert request.score < aligned
