"""Writes for home: the last time a person looked at the roadmap."""

from django.db import transaction
from django.utils import timezone

from .models import RoadmapVisit


@transaction.atomic
def roadmap_visit_record(*, user, at=None) -> RoadmapVisit | None:
    """Remember that `user` has now seen the stakeholder roadmap: later changes are "since
    your last visit" on home. Anonymous visitors leave no trace."""
    if not getattr(user, "is_authenticated", False):
        return None
    visit, _created = RoadmapVisit.objects.update_or_create(
        user=user, defaults={"seen_at": at or timezone.now()}
    )
    return visit
