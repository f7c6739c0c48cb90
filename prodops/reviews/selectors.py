from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import Cadence, ReminderDelivery, Review


def cadence_list(*, kind: str | None = None) -> QuerySet[Cadence]:
    qs = Cadence.objects.select_related("owner", "escalate_to", "target_type")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("next_due_on", "id")


def cadence_for(*, target, kind: str) -> Cadence | None:
    return (
        Cadence.objects.select_related("owner", "escalate_to")
        .filter(
            kind=kind,
            target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            target_id=target.pk,
        )
        .first()
    )


def review_list(*, cadence: Cadence) -> QuerySet[Review]:
    return Review.objects.filter(cadence=cadence).select_related("completed_by")


def delivery_list(*, cadence: Cadence) -> QuerySet[ReminderDelivery]:
    return ReminderDelivery.objects.filter(cadence=cadence).select_related("recipient")


def cadence_team(cadence: Cadence):
    """The team a cadence belongs to: the team of the thing it reviews (a team's roadmap),
    or None for a review that is nobody's team's (a price plan, the quarterly review)."""
    target = cadence.target
    return getattr(target, "team", None) if target is not None else None
