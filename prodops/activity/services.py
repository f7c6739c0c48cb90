from django.contrib.contenttypes.models import ContentType

from prodops.webhooks.events import event_for_activity
from prodops.webhooks.services import emit as webhook_emit

from .models import ActivityEvent


def activity_record(
    *, actor, target, verb: str, changes: dict | None = None, summary: str = ""
) -> ActivityEvent:
    """Every service that changes a tracked object records who, what and when here, inside the
    same transaction as the change, so the trail never disagrees with the data."""
    event = ActivityEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=target.pk,
        changes=changes or {},
        summary=summary[:300],
    )
    # What the trail records is also what webhook endpoints hear about, in the same commit.
    event_type = event_for_activity(target=target, verb=verb, changes=changes or {})
    if event_type is not None:
        webhook_emit(event_type=event_type, target=target, changes=changes)
    return event
