import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake.models import Request
from prodops.reviews.models import Cadence
from roadmap import selectors
from roadmap.models import Roadmap, RoadmapItem, Snapshot, UnplannedEntry


@pytest.mark.django_db
def test_seed_demo_builds_a_roadmap_per_team_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    roadmaps = list(Roadmap.objects.all())
    assert len(roadmaps) == 2
    for roadmap in roadmaps:
        assert roadmap.period_start <= timezone.localdate() <= roadmap.period_end
        assert RoadmapItem.objects.filter(roadmap=roadmap).count() == 3
        assert RoadmapItem.objects.filter(roadmap=roadmap, visibility="shared").exists()
        assert UnplannedEntry.objects.filter(roadmap=roadmap).count() == 2
        assert Snapshot.objects.filter(roadmap=roadmap).count() == 1
        cadence = Cadence.objects.get(kind="roadmap", target_id=roadmap.pk)
        assert cadence.next_due_on <= timezone.localdate()
        figures = selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))
        assert 0 < figures.planned_days < figures.plannable_days  # partly planned
        assert figures.unplanned_days > 0


@pytest.mark.django_db
def test_every_assessed_demo_request_has_a_score():
    call_command("seed_demo", stdout=io.StringIO())
    unscored = Request.objects.filter(assessments__isnull=False, score__isnull=True).distinct()
    assert not list(unscored.values_list("title", flat=True))
