from django.db.models import Count, QuerySet

from .models import Objective


def objective_list(
    *, status: str | None = None, level: str | None = None, period: str | None = None
) -> QuerySet[Objective]:
    qs = Objective.objects.select_related("parent", "department", "owner").annotate(
        children_count=Count("children", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("level", "-period", "title")


def active_objectives() -> QuerySet[Objective]:
    return Objective.objects.filter(status=Objective.Status.ACTIVE).order_by("title")


def business_objectives() -> QuerySet[Objective]:
    return Objective.objects.filter(level=Objective.Level.BUSINESS).order_by("title")
