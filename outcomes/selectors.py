import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from . import progress as progress_rules
from .models import (
    Coalition,
    CoalitionMeeting,
    Contribution,
    ImportBatch,
    Measurement,
    Metric,
    Objective,
    Revisit,
)


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


def _latest(field: str):
    return Subquery(
        Measurement.objects.filter(metric=OuterRef("pk")).order_by("-measured_on").values(field)[:1]
    )


def metric_list(
    *,
    objective: int | None = None,
    team: int | None = None,
    ids=None,
    archived: bool | None = False,
) -> QuerySet[Metric]:
    """Metrics with their latest measurement (value and date) annotated, in one query. Lists
    leave archived metrics out unless `archived` is True (only those) or None (both); metrics
    asked for by `ids` come whether archived or not."""
    qs = Metric.objects.select_related("objective", "team", "owner", "guardrail").annotate(
        latest_value=_latest("value"),
        latest_on=_latest("measured_on"),
    )
    if objective:
        qs = qs.filter(Q(objective_id=objective) | Q(objective__parent_id=objective))
    if team:
        qs = qs.filter(team_id=team)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    elif archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    return qs.order_by("name", "id")


@dataclass
class MetricFigures:
    """A metric's progress (a share: 0 at baseline, 1 at target) and status today."""

    progress: Decimal | None
    status: str

    @property
    def percent(self) -> str:
        return progress_rules.as_percent(self.progress)

    @property
    def status_label(self) -> str:
        return progress_rules.STATUS_LABELS[self.status]


def metric_figures(metric: Metric, *, today: dt.date | None = None) -> MetricFigures:
    """Progress and status of a metric annotated by metric_list (or given `latest_value`)."""
    today = today or timezone.localdate()
    progress = progress_rules.metric_progress(
        baseline=metric.baseline_value,
        target=metric.target_value,
        latest=getattr(metric, "latest_value", None),
    )
    status = progress_rules.metric_status(
        progress=progress, baseline_on=metric.baseline_on, target_on=metric.target_on, today=today
    )
    return MetricFigures(progress=progress, status=status)


def objective_health_map(objectives, *, today: dt.date | None = None) -> dict[int, Decimal | None]:
    """Health of each objective given (objectives_health rule): its own metrics, and for a
    business objective also those of its department objectives. Two queries whatever the
    number of objectives or metrics."""
    ids = [o.pk for o in objectives]
    metrics = list(
        metric_list()
        .filter(Q(objective_id__in=ids) | Q(objective__parent_id__in=ids))
        .values(
            "pk",
            "objective_id",
            "objective__parent_id",
            "baseline_value",
            "target_value",
            "latest_value",
        )
    )
    progress_by_objective: dict[int, list] = {pk: [] for pk in ids}
    for row in metrics:
        progress = progress_rules.metric_progress(
            baseline=row["baseline_value"], target=row["target_value"], latest=row["latest_value"]
        )
        for owner in (row["objective_id"], row["objective__parent_id"]):
            if owner in progress_by_objective:
                progress_by_objective[owner].append(progress)
    return {
        pk: progress_rules.objective_health(values) for pk, values in progress_by_objective.items()
    }


def measurement_series(metric: Metric) -> list[tuple[dt.date, Decimal]]:
    return list(
        Measurement.objects.filter(metric=metric)
        .order_by("measured_on")
        .values_list("measured_on", "value")
    )


def measurement_list(metric: Metric) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(metric=metric)
        .select_related("recorded_by")
        .order_by("-measured_on")
    )


def import_batches(metric: Metric) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(metric=metric).select_related("created_by")


def contribution_list(*, metric: Metric | None = None, roadmap_item=None) -> QuerySet[Contribution]:
    qs = Contribution.objects.select_related(
        "metric__team",
        "metric__guardrail",
        "roadmap_item__roadmap__team",
        "roadmap_item__owner",
        "request__team",
    )
    if metric is not None:
        qs = qs.filter(metric=metric)
    if roadmap_item is not None:
        qs = qs.filter(roadmap_item=roadmap_item)
    return qs.order_by("expected_by", "id")


def revisit_list(*, due_by: dt.date | None = None, open_only: bool = False) -> QuerySet[Revisit]:
    qs = Revisit.objects.select_related(
        "contribution__metric__guardrail",
        "contribution__roadmap_item__roadmap__team",
        "contribution__roadmap_item__owner",
        "contribution__request__team",
        "recorded_by",
    )
    if due_by is not None:
        qs = qs.filter(due_on__lte=due_by)
    if open_only:
        qs = qs.filter(recorded_at__isnull=True)
    return qs.order_by("due_on", "id")


def revisit_confounders(revisit: Revisit) -> list[Contribution]:
    """Other work that shipped to the same metric between this work's ship date and the
    revisit date: it may have moved the metric too."""
    contribution = revisit.contribution
    if contribution.shipped_on is None:
        return []
    qs = (
        contribution_list(metric=contribution.metric)
        .filter(shipped_on__gte=contribution.shipped_on, shipped_on__lte=revisit.due_on)
        .exclude(pk=contribution.pk)
    )
    if contribution.roadmap_item_id:
        qs = qs.exclude(roadmap_item_id=contribution.roadmap_item_id)
    return list(qs)


@dataclass
class GuardrailCheck:
    """The guardrail's value at a ship date and now, and whether it got worse in between."""

    guardrail: Metric
    shipped_on: dt.date
    at_ship: Decimal | None
    latest: Decimal | None
    latest_on: dt.date | None
    worse: bool | None

    @property
    def label(self) -> str:
        if self.worse is None:
            return "Not known yet"
        return "Got worse" if self.worse else "Held"


def guardrail_checks(
    metric: Metric, ship_dates, *, today: dt.date | None = None
) -> dict[dt.date, GuardrailCheck]:
    """For each ship date, the metric's guardrail at that date (its last measurement on or
    before it, else its baseline when the baseline is not later) against its latest
    measurement since (up to `today`), judged by progress.guardrail_worse. One query for all
    dates; empty when the metric has no guardrail."""
    guardrail = metric.guardrail
    dates = sorted({d for d in ship_dates if d is not None})
    if guardrail is None or not dates:
        return {}
    today = today or timezone.localdate()
    series = list(
        Measurement.objects.filter(metric=guardrail, measured_on__lte=today)
        .order_by("measured_on")
        .values_list("measured_on", "value")
    )
    checks = {}
    for shipped_on in dates:
        before = [v for d, v in series if d <= shipped_on]
        at_ship = before[-1] if before else None
        if at_ship is None and guardrail.baseline_on <= shipped_on:
            at_ship = guardrail.baseline_value
        after = [(d, v) for d, v in series if d > shipped_on]
        latest_on, latest = after[-1] if after else (None, None)
        checks[shipped_on] = GuardrailCheck(
            guardrail=guardrail,
            shipped_on=shipped_on,
            at_ship=at_ship,
            latest=latest,
            latest_on=latest_on,
            worse=progress_rules.guardrail_worse(
                direction=guardrail.direction, at_ship=at_ship, latest=latest
            ),
        )
    return checks


def coalition_list(*, user=None) -> QuerySet[Coalition]:
    """Coalitions `user` may see (coalition_visible's rule as a queryset), with their lead."""
    from prodops.accounts.roles import Role, has_role

    qs = Coalition.objects.select_related("lead").annotate(
        member_count=Count("members", distinct=True)
    )
    if user is not None and not has_role(user, Role.MEMBER):
        qs = qs.filter(
            pk__in=Coalition.members.through.objects.filter(user_id=user.pk).values("coalition_id")
        )
    return qs.order_by("name", "id")


def coalition_meetings(coalition: Coalition) -> QuerySet[CoalitionMeeting]:
    return CoalitionMeeting.objects.filter(coalition=coalition).select_related("recorded_by")
