from django.contrib.contenttypes.models import ContentType

from .models import ActivityEvent


def activity_record(
    *, actor, target, verb: str, changes: dict | None = None, summary: str = ""
) -> ActivityEvent:
    """Every service that changes a tracked object records who, what and when here, inside the
    same transaction as the change, so the trail never disagrees with the data."""
    return ActivityEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=target.pk,
        changes=changes or {},
        summary=summary[:300],
    )
