"""Reads for scoring: the active model, the ranked backlog, assessments and the objective view."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from outcomes.models import Objective

from . import scoring
from .assessments import Assessment, AssessmentRevision, RequestScore, ScoringModel
from .models import Request, RequestStatus

BACKLOG_STATUSES = (RequestStatus.SCORED, RequestStatus.ACCEPTED)
# Requests that claim (or may soon claim) the team's effort, for the objective view.
PIPELINE_STATUSES = (
    RequestStatus.SCORED,
    RequestStatus.ACCEPTED,
    RequestStatus.PLANNED,
    RequestStatus.IN_PROGRESS,
)
NO_OBJECTIVE = "none"


def scoring_model_current() -> ScoringModel:
    """The workspace's scoring model; an unsaved default when none was ever set."""
    model = ScoringModel.objects.order_by("pk").first()
    if model is None:
        model = ScoringModel(cost_band_edges=list(scoring.DEFAULT_BAND_EDGES))
    if not model.cost_band_edges:
        model.cost_band_edges = list(scoring.DEFAULT_BAND_EDGES)
    return model


def scoring_params_current() -> scoring.ScoringParams:
    return scoring.ScoringParams.from_model(scoring_model_current())


def backlog_list(
    *,
    department=None,
    objective=None,
    audience: str | None = None,
    category: str | None = None,
    status: str | None = None,
) -> QuerySet[Request]:
    """Scored and accepted requests ranked by score, then votes, then age (oldest first).
    `objective="none"` keeps requests linked to no objective."""
    qs = Request.objects.filter(status__in=BACKLOG_STATUSES, score_record__isnull=False)
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department=department)
    if objective == NO_OBJECTIVE:
        qs = qs.filter(objective__isnull=True)
    elif objective:
        qs = qs.filter(objective=objective)
    if audience:
        qs = qs.filter(audience=audience)
    if category:
        qs = qs.filter(category=category)
    return (
        qs.select_related("score_record", "department", "objective")
        .defer("description", "objective__description")
        .order_by(F("score").desc(nulls_last=True), "-vote_count", "created_at", "id")
    )


def is_aligned(request: Request) -> bool:
    """Linked to an objective that is active (needs `objective` loaded)."""
    return request.objective_id is not None and request.objective.status == Objective.Status.ACTIVE


def score_explain(request: Request, params: scoring.ScoringParams) -> None:
    """Attach `breakdown` and `spread` to a request whose `score_record` and `objective` are
    loaded; no queries."""
    record = getattr(request, "score_record", None)
    if record is None:
        request.breakdown = request.spread = None
        return
    request.breakdown = scoring.score_breakdown(
        scoring.inputs_of(record, aligned=is_aligned(request)), params
    )
    request.spread = scoring.spread_of(record, params.band_edges)


def backlog_explain(requests, params: scoring.ScoringParams, *, first_rank: int = 1) -> list:
    """The rows of a backlog page with their rank, score breakdown and spread."""
    rows = list(requests)
    for rank, request in enumerate(rows, start=first_rank):
        request.rank = rank
        score_explain(request, params)
    return rows


def backlog_row(*, request_id: int) -> Request | None:
    """One request as a backlog row (after an inline decision)."""
    return (
        Request.objects.select_related("score_record", "department", "objective")
        .filter(pk=request_id)
        .first()
    )


def assessments_for_request(*, request: Request) -> list[Assessment]:
    """A request's assessments with their assessors and edit history."""
    return list(
        Assessment.objects.filter(request=request)
        .select_related("assessor")
        .prefetch_related(
            Prefetch("revisions", queryset=AssessmentRevision.objects.select_related("editor"))
        )
        .order_by("created_at", "id")
    )


def request_with_score(*, pk: int) -> Request | None:
    return (
        Request.objects.select_related("score_record", "objective", "department")
        .filter(pk=pk)
        .first()
    )


@dataclass
class ObjectiveLoad:
    """How much of the pipeline (scored → in progress) serves one objective."""

    objective: Objective | None
    request_count: int
    total_score: Decimal
    total_effort: Decimal
    effort_share: Decimal
    service: str  # "under", "over", "balanced" or "" (not judged)


def objective_service_level(*, effort_share: Decimal, even_share: Decimal, count: int) -> str:
    """An active objective is under-served when it gets less than half of an even share of the
    pipeline's effort (or none at all), over-served when it gets more than one and a half times
    an even share; an even share is 1 ÷ the number of active objectives."""
    if count == 0 or effort_share < even_share / 2:
        return "under"
    if effort_share > even_share * Decimal("1.5"):
        return "over"
    return "balanced"


def objective_loads() -> list[ObjectiveLoad]:
    """Requests, total score and total effort (mean effort of each request) per objective, over
    scored, accepted, planned and in-progress requests; plus a row for requests with no
    objective. Two queries."""
    in_pipeline = Q(requests__status__in=PIPELINE_STATUSES)
    objectives = list(
        Objective.objects.select_related("parent", "department")
        .annotate(
            request_count=Count("requests", filter=in_pipeline),
            total_score=Sum("requests__score", filter=in_pipeline),
            total_effort=Sum("requests__score_record__mean_effort", filter=in_pipeline),
        )
        .filter(Q(status=Objective.Status.ACTIVE) | Q(request_count__gt=0))
        .order_by("title")
    )
    unlinked = Request.objects.filter(
        status__in=PIPELINE_STATUSES, objective__isnull=True
    ).aggregate(
        request_count=Count("id"),
        total_score=Sum("score"),
        total_effort=Sum("score_record__mean_effort"),
    )
    zero = Decimal(0)
    total_effort = sum((o.total_effort or zero for o in objectives), zero) + (
        unlinked["total_effort"] or zero
    )
    active = [o for o in objectives if o.status == Objective.Status.ACTIVE]
    even_share = Decimal(1) / len(active) if active else zero
    loads = []
    for objective in objectives:
        effort = objective.total_effort or zero
        share = effort / total_effort if total_effort else zero
        service = ""
        if objective.status == Objective.Status.ACTIVE:
            service = objective_service_level(
                effort_share=share, even_share=even_share, count=objective.request_count
            )
        loads.append(
            ObjectiveLoad(
                objective=objective,
                request_count=objective.request_count,
                total_score=objective.total_score or zero,
                total_effort=effort,
                effort_share=share,
                service=service,
            )
        )
    unlinked_effort = unlinked["total_effort"] or zero
    loads.append(
        ObjectiveLoad(
            objective=None,
            request_count=unlinked["request_count"],
            total_score=unlinked["total_score"] or zero,
            total_effort=unlinked_effort,
            effort_share=unlinked_effort / total_effort if total_effort else zero,
            service="",
        )
    )
    return loads


def score_record_for(*, request: Request) -> RequestScore | None:
    return RequestScore.objects.filter(request=request).first()


# The backlog's score histogram: bins this wide over the 0–100 score range.
SCORE_BIN_WIDTH = 10


def score_histogram(**filters) -> list[tuple[int, int, int]]:
    """How many backlog requests (under the backlog's filters) score in each bin of
    SCORE_BIN_WIDTH points, as (low, high, count) from 0 to 100; a score of 100 counts in
    the top bin. One query."""
    from django.db.models import IntegerField, Value
    from django.db.models.functions import Cast, Floor, Least

    top_bin = 100 // SCORE_BIN_WIDTH - 1
    counts = dict(
        backlog_list(**filters)
        .filter(score__isnull=False)
        .annotate(
            bin=Least(
                Cast(Floor(F("score") / SCORE_BIN_WIDTH), IntegerField()),
                Value(top_bin),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("bin")
        .annotate(n=Count("id"))
        .values_list("bin", "n")
    )
    return [
        (i * SCORE_BIN_WIDTH, (i + 1) * SCORE_BIN_WIDTH, counts.get(i, 0))
        for i in range(top_bin + 1)
    ]
