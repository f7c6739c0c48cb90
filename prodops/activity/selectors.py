from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import ActivityEvent


def activity_for(target, *, limit: int = 100) -> QuerySet[ActivityEvent]:
    """The timeline of one object, newest first."""
    return (
        ActivityEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            target_id=target.pk,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
