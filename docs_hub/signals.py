"""Doc-first: intake's status changes reach the docs hub through a signal, so intake never
imports it."""

from django.db import transaction
from django.db.models.signals import post_save


def _on_status_change(sender, instance, created, **kwargs):
    from intake.models import RequestStatus

    from .services import doc_first_on_accept

    if created and instance.to_status == RequestStatus.ACCEPTED:
        # In the same transaction as the move: accepted without its draft never happens.
        with transaction.atomic():
            doc_first_on_accept(request=instance.request, actor=instance.actor)


def connect() -> None:
    from intake.models import StatusChange

    post_save.connect(_on_status_change, sender=StatusChange, dispatch_uid="docs_hub.doc_first")
