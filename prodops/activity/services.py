from django.contrib.contenttypes.models import ContentType

from prodops.webhooks.events import event_for_activity
from prodops.webhooks.services import emit as webhook_emit
from prodops.webhooks.services import emit_many as webhook_emit_many

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


def activity_record_many(
    *, actor, targets, verb: str, summaries=None, batch_size: int = 5_000
) -> int:
    """`activity_record` for many objects of one model at once (an import): the same trail
    entries, written in bulk, and the same webhook event for each, in the same transaction.
    `summaries`, when given, says one line per target. Returns how many entries."""
    targets = list(targets)
    if not targets:
        return 0
    kind = ContentType.objects.get_for_model(targets[0], for_concrete_model=True)
    summaries = list(summaries) if summaries is not None else [""] * len(targets)
    ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                verb=verb,
                target_type=kind,
                target_id=target.pk,
                changes={},
                summary=summary[:300],
            )
            for target, summary in zip(targets, summaries, strict=True)
        ],
        batch_size=batch_size,
    )
    # One webhook event per target; the rule that maps an entry to an event may look at the
    # target, so it is asked for each (they are alike, so this is cheap).
    by_type: dict[str, list] = {}
    for target in targets:
        event_type = event_for_activity(target=target, verb=verb, changes={})
        if event_type is not None:
            by_type.setdefault(event_type, []).append(target)
    for event_type, found in by_type.items():
        webhook_emit_many(event_type=event_type, targets=found)
    return len(targets)
