import io

import pytest

from intake import scoring_demo
from intake.assessments import Assessment, ScoringModel
from intake.models import Request, RequestStatus
from prodops.accounts import demo as accounts_demo
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def test_seed_assesses_most_triaged_or_later_requests_idempotently():
    accounts_demo.seed(io.StringIO())
    ScoringModel.objects.all().delete()
    statuses = (
        [RequestStatus.TRIAGED] * 9 + [RequestStatus.SCORED] * 4 + [RequestStatus.ACCEPTED] * 3
    )
    requests = [RequestFactory(status=s) for s in statuses] + [RequestFactory(status="new")]
    scoring_demo.seed(io.StringIO())
    counts = [Assessment.objects.filter(request=r).count() for r in requests]
    assessed = [c for c in counts[:-1] if c]
    assert len(assessed) >= 12  # a third of the triaged ones stay in the queue
    assert all(1 <= c <= 3 for c in assessed) and counts[-1] == 0
    assert ScoringModel.objects.get().cost_band_edges == [2, 5, 10, 20]
    assert not Request.objects.filter(assessments__isnull=False, score__isnull=True).exists()
    before = Assessment.objects.count()
    scoring_demo.seed(io.StringIO())
    assert Assessment.objects.count() == before
