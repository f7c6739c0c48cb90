from django.db.models import Count, Prefetch, Q

from .models import Attempt, Delivery, Endpoint


def endpoint_list():
    return Endpoint.objects.annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)),
        failed_count=Count("deliveries", filter=Q(deliveries__failed_at__isnull=False)),
    ).order_by("id")


def delivery_list(*, endpoint: Endpoint):
    """An endpoint's deliveries, newest first, each with its attempts (two queries)."""
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("log", queryset=Attempt.objects.order_by("-number")))
        .order_by("-created_at", "-id")
    )
