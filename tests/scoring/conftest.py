"""Fixtures for scoring: scored requests built through the real services, and a fast bulk
builder for query-count tests."""

from decimal import Decimal

import pytest

from intake.assessments import Assessment, AssessmentRevision, RequestScore
from intake.models import RequestStatus
from intake.scoring_services import assessment_save, scores_recompute_all
from prodops.accounts.roles import Role
from tests.factories import RequestFactory, UserFactory


@pytest.fixture
def assessors(db):
    return [UserFactory(username=f"assessor{n}", role=Role.MEMBER) for n in range(3)]


@pytest.fixture
def make_scored(assessors):
    """make_scored(title, [ {impact, feasibility, effort_days, confidence, reach}, … ], **request
    fields) → a request assessed by one assessor per dict, through assessment_save."""

    def _make(title: str, assessments: list[dict], **fields):
        request = RequestFactory(title=title, status=RequestStatus.TRIAGED, **fields)
        for assessor, values in zip(assessors, assessments, strict=False):
            values = {"confidence": 80, **values}
            assessment_save(request=request, assessor=assessor, **values)
        request.refresh_from_db()
        return request

    return _make


@pytest.fixture
def bulk_scored(db):
    """bulk_scored(n) adds n scored requests with aggregates, scored in one UPDATE."""

    def _add(n: int, **fields):
        requests = RequestFactory.create_batch(n, status=RequestStatus.SCORED, **fields)
        RequestScore.objects.bulk_create(
            [
                RequestScore(
                    request=r,
                    assessment_count=2,
                    mean_impact=Decimal(1 + i % 5),
                    mean_feasibility=Decimal(1 + (i * 3) % 5),
                    mean_effort=Decimal(1 + i % 25),
                    mean_confidence=Decimal(80),
                    mean_reach=None if i % 2 else Decimal(50),
                    impact_min=1,
                    impact_max=5,
                    feasibility_min=2,
                    feasibility_max=3,
                    effort_min=Decimal(1),
                    effort_max=Decimal(30),
                    confidence_min=50,
                    confidence_max=100,
                )
                for i, r in enumerate(requests)
            ]
        )
        scores_recompute_all()
        return requests

    return _add


@pytest.fixture
def add_assessments(db):
    """add_assessments(request) → add(n): n more assessments of `request`, each by a member of
    its own and with two earlier revisions (for query-count tests)."""

    def _for(request):
        def add(n: int):
            for i in range(n):
                assessor = UserFactory(role=Role.MEMBER)
                assessment = Assessment.objects.create(
                    request=request,
                    assessor=assessor,
                    feasibility=1 + i % 5,
                    effort_days=Decimal(1 + i % 20),
                    impact=1 + (i * 2) % 5,
                    confidence=80,
                    version=3,
                )
                AssessmentRevision.objects.bulk_create(
                    [
                        AssessmentRevision(assessment=assessment, editor=assessor, values={"v": v})
                        for v in (1, 2)
                    ]
                )

        return add

    return _for
