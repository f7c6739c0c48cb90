import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake.lifecycle import TEAM_REQUIRED
from intake.models import Request, RequestStatus, RoutingRule, StatusChange
from prodops.reviews.models import Cadence
from roadmap import selectors
from roadmap.models import Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry

ON_A_ROADMAP = ("planned", "in_progress", "shipped", "measured")


def _counts() -> dict:
    return {
        "roadmaps": Roadmap.objects.count(),
        "items": RoadmapItem.objects.count(),
        "snapshots": Snapshot.objects.count(),
        "unplanned": UnplannedEntry.objects.count(),
        "links": ShareLink.objects.count(),
        "status changes": StatusChange.objects.count(),
        "routing rules": RoutingRule.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_puts_intakes_requests_on_roadmaps_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    # Routing rules exist, and every triaged-or-later request belongs to a team.
    assert first["routing rules"] >= 6
    assert not Request.objects.filter(status__in=TEAM_REQUIRED, team__isnull=True).exists()
    assert Request.objects.filter(status__in=TEAM_REQUIRED).values("team").distinct().count() == 2

    today = timezone.localdate()
    current = [r for r in Roadmap.objects.all() if r.period_start <= today <= r.period_end]
    past = [r for r in Roadmap.objects.all() if r.period_end < today]
    assert len(current) == 2 and len(past) == 2

    # Every request the lifecycle says is planned or later sits on an item of its own team's
    # roadmap, in the quarter its status belongs to, with matching status.
    requests = Request.objects.filter(status__in=ON_A_ROADMAP).select_related(
        "department", "roadmap_link__item__roadmap__team"
    )
    assert requests.count() >= 15
    for request in requests:
        item = request.roadmap_link.item
        assert item.roadmap.team_id == request.team_id, request
        if request.status in ("planned", "in_progress"):
            assert item.roadmap in current and item.status == request.status, request
        else:
            assert item.roadmap in past and item.status == "shipped", request

    for roadmap in current:
        assert RoadmapItem.objects.filter(roadmap=roadmap, visibility="shared").exists()
        assert UnplannedEntry.objects.filter(roadmap=roadmap).count() == 2
        figures = selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))
        assert 0 < figures.planned_days < figures.plannable_days  # partly planned
        assert figures.unplanned_days > 0
        cadence = Cadence.objects.get(kind="roadmap", target_id=roadmap.pk)
        assert cadence.next_due_on <= today and cadence.active
        # One review held, then the roadmap moved on: the diff is real, not all "added".
        [review_snapshot] = Snapshot.objects.filter(roadmap=roadmap, review__isnull=False)
        changes = selectors.roadmap_changes(roadmap=roadmap, since=review_snapshot)
        kinds = {c["kind"] for entry in changes for c in entry["changes"]}
        assert {"status_changed", "moved", "re_estimated"} <= kinds
        assert "added" not in kinds
    for roadmap in past:
        assert not Cadence.objects.get(kind="roadmap", target_id=roadmap.pk).active
        assert set(
            RoadmapItem.objects.filter(roadmap=roadmap).values_list("status", flat=True)
        ) == {"shipped"}
    # Some accepted requests are left for someone to plan in the demo.
    assert any(selectors.plannable_requests(roadmap=roadmap).exists() for roadmap in current)
    assert not Request.objects.filter(status=RequestStatus.ACCEPTED, roadmap_link__isnull=False)


@pytest.mark.django_db
def test_every_assessed_demo_request_has_a_score():
    call_command("seed_demo", stdout=io.StringIO())
    unscored = Request.objects.filter(assessments__isnull=False, score__isnull=True).distinct()
    assert not list(unscored.values_list("title", flat=True))
