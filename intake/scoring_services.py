"""Writes for scoring: assessments, the scoring model, and keeping `Request.score` current."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction

from outcomes.models import Objective
from prodops.accounts.roles import Role, has_role
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from . import scoring
from .assessments import Assessment, AssessmentRevision, RequestScore, ScoringModel
from .models import Request, RequestStatus
from .services import request_transition

# A request can be assessed from triage until work starts; later, its outcome is measured.
ASSESSABLE_STATUSES = frozenset(
    {
        RequestStatus.TRIAGED,
        RequestStatus.SCORED,
        RequestStatus.ACCEPTED,
        RequestStatus.PLANNED,
        RequestStatus.IN_PROGRESS,
    }
)
ASSESSMENT_FIELDS = ("feasibility", "effort_days", "impact", "reach", "confidence", "rationale")
MODEL_FIELDS = (
    "kind",
    "impact_weight",
    "feasibility_weight",
    "cost_weight",
    "alignment_factor",
    "cost_band_edges",
)
RATIONALE_MAX = 2000
EFFORT_MAX = Decimal("99999.9")


def _score_scale(value, *, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ValidationFailed("Give a whole number from 1 to 5.", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("Give a whole number from 1 to 5.", field=field) from None
    if number != value and str(number) != str(value).strip():
        raise ValidationFailed("Give a whole number from 1 to 5.", field=field)
    if not 1 <= number <= 5:
        raise ValidationFailed("Give a whole number from 1 to 5.", field=field)
    return number


def _assessment_clean(*, feasibility, effort_days, impact, reach, confidence, rationale) -> dict:
    """Check every value of an assessment; the first bad one is raised, naming its field."""
    values = {
        "feasibility": _score_scale(feasibility, field="feasibility"),
        "impact": _score_scale(impact, field="impact"),
    }
    try:
        effort = Decimal(str(effort_days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(
            "Give the effort in person-days, e.g. 3 or 2.5.", field="effort_days"
        ) from None
    if not effort.is_finite() or effort < Decimal("0.1"):
        raise ValidationFailed("Effort must be at least 0.1 person-days.", field="effort_days")
    if effort > EFFORT_MAX:
        raise ValidationFailed("Effort must stay below 100,000 person-days.", field="effort_days")
    values["effort_days"] = effort
    if reach in ("", None):
        values["reach"] = None
    else:
        try:
            values["reach"] = int(reach)
        except (TypeError, ValueError):
            raise ValidationFailed(
                "Reach is a whole number of people or accounts.", field="reach"
            ) from None
        if values["reach"] < 1 or values["reach"] > 2_000_000_000:
            raise ValidationFailed(
                "Reach is at least 1 person or account (or leave it empty).", field="reach"
            )
    try:
        values["confidence"] = int(confidence)
    except (TypeError, ValueError):
        values["confidence"] = None
    if values["confidence"] not in Assessment.Confidence.values:
        raise ValidationFailed("Confidence is 50, 80 or 100 %.", field="confidence")
    rationale = (rationale or "").strip()
    if len(rationale) > RATIONALE_MAX:
        raise ValidationFailed(
            f"Keep the rationale under {RATIONALE_MAX} characters.", field="rationale"
        )
    values["rationale"] = rationale
    return values


def _snapshot(assessment: Assessment) -> dict:
    return {
        "feasibility": assessment.feasibility,
        "effort_days": str(assessment.effort_days),
        "impact": assessment.impact,
        "reach": assessment.reach,
        "confidence": assessment.confidence,
        "rationale": assessment.rationale,
        "version": assessment.version,
    }


@transaction.atomic
def assessment_save(
    *,
    request: Request,
    assessor,
    feasibility,
    effort_days,
    impact,
    confidence,
    reach=None,
    rationale: str = "",
    expected_version: int | None = None,
) -> tuple[Assessment, bool]:
    """Create or update `assessor`'s assessment of `request` (one per member per request).

    Only members and above assess, only while the request is between triage and work starting.
    An edit names the version it started from (`expected_version`): a missing one is refused,
    a stale one conflicts. It keeps the previous values as a revision.
    The request's score is recomputed; the first assessment of a triaged request moves it to
    scored through the lifecycle service. Returns (assessment, created)."""
    if not has_role(assessor, Role.MEMBER):
        raise NotAllowed("Assessing a request needs the team member role or higher.")
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if locked.status not in ASSESSABLE_STATUSES:
        raise ValidationFailed(
            f"A {RequestStatus(locked.status).label.lower()} request cannot be assessed; "
            "assess requests from triage until work starts."
        )
    values = _assessment_clean(
        feasibility=feasibility,
        effort_days=effort_days,
        impact=impact,
        reach=reach,
        confidence=confidence,
        rationale=rationale,
    )
    assessment = Assessment.objects.filter(request=locked, assessor=assessor).first()
    created = assessment is None
    if created:
        assessment = Assessment.objects.create(request=locked, assessor=assessor, **values)
        changes = {name: [None, _snapshot(assessment)[name]] for name in ASSESSMENT_FIELDS}
    else:
        if expected_version is None:
            raise ValidationFailed(
                "Send the version of the assessment you edited.", field="version"
            )
        if assessment.version != expected_version:
            raise EditConflict()
        before = _snapshot(assessment)
        for name, value in values.items():
            setattr(assessment, name, value)
        after = _snapshot(assessment)
        changes = {
            name: [before[name], after[name]]
            for name in ASSESSMENT_FIELDS
            if before[name] != after[name]
        }
        if not changes:
            return assessment, False
        AssessmentRevision.objects.create(assessment=assessment, editor=assessor, values=before)
        assessment.version += 1
        assessment.save()
    activity_record(
        actor=assessor,
        target=locked,
        verb="assessment_created" if created else "assessment_updated",
        changes=changes,
        summary=f"Assessment by {assessor.get_username()}",
    )
    if locked.status == RequestStatus.TRIAGED:
        request_transition(
            request=locked,
            to=RequestStatus.SCORED,
            actor=assessor,
            reason="First assessment submitted.",
        )
    request_score_refresh(request_id=locked.pk)
    request.status, request.version = locked.status, locked.version
    return assessment, created


def _aligned_sql() -> tuple[str, list]:
    """True when the request (`r`) is linked to an active objective."""
    objective_table = Objective._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {objective_table} o WHERE o.id = r.objective_id AND o.status = %s)",
        [Objective.Status.ACTIVE],
    )


def _score_update(params: scoring.ScoringParams, *, request_id: int | None = None) -> int:
    """Write `Request.score` from the aggregates table with the model's formula, in one UPDATE
    for one request or for all of them."""
    aligned, aligned_params = _aligned_sql()
    expression, sql_params = scoring.score_sql(
        params, aligned_sql=aligned, aligned_params=aligned_params
    )
    sql = (
        f"UPDATE {Request._meta.db_table} AS r SET score = {expression} "
        f"FROM {RequestScore._meta.db_table} AS rs WHERE rs.request_id = r.id"
    )
    if request_id is not None:
        sql += " AND r.id = %s"
        sql_params.append(request_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        return cursor.rowcount


def _current_params() -> scoring.ScoringParams:
    from .scoring_selectors import scoring_params_current

    return scoring_params_current()


@transaction.atomic
def request_score_refresh(*, request_id: int) -> Decimal | None:
    """Recompute one request's assessment aggregates and its score (None when unassessed).
    Call it whenever a request's assessments or its objective link change."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), AVG(impact), AVG(feasibility), AVG(effort_days), AVG(confidence),
                   AVG(reach), MIN(impact), MAX(impact), MIN(feasibility), MAX(feasibility),
                   MIN(effort_days), MAX(effort_days), MIN(confidence), MAX(confidence),
                   MIN(reach), MAX(reach)
            FROM {Assessment._meta.db_table} WHERE request_id = %s
            """,
            [request_id],
        )
        row = cursor.fetchone()
    if not row[0]:
        RequestScore.objects.filter(request_id=request_id).delete()
        Request.objects.filter(pk=request_id).update(score=None)
        return None
    four = Decimal("0.0001")
    mean = [None if v is None else Decimal(v).quantize(four, ROUND_HALF_UP) for v in row[1:6]]
    RequestScore.objects.update_or_create(
        request_id=request_id,
        defaults={
            "assessment_count": row[0],
            "mean_impact": mean[0],
            "mean_feasibility": mean[1],
            "mean_effort": mean[2],
            "mean_confidence": mean[3],
            "mean_reach": mean[4],
            "impact_min": row[6],
            "impact_max": row[7],
            "feasibility_min": row[8],
            "feasibility_max": row[9],
            "effort_min": row[10],
            "effort_max": row[11],
            "confidence_min": row[12],
            "confidence_max": row[13],
            "reach_min": row[14],
            "reach_max": row[15],
        },
    )
    _score_update(_current_params(), request_id=request_id)
    return Request.objects.filter(pk=request_id).values_list("score", flat=True).first()


@transaction.atomic
def scores_recompute_all() -> int:
    """Re-score every assessed request under the current model — one UPDATE, so the backlog
    re-ranks at once even with tens of thousands of requests. Returns how many were scored."""
    Request.objects.filter(score__isnull=False, score_record__isnull=True).update(score=None)
    return _score_update(_current_params())


def _decimal(value, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed("Give a number.", field=field) from None
    if not number.is_finite():
        raise ValidationFailed("Give a number.", field=field)
    return number


@transaction.atomic
def scoring_model_update(*, actor, expected_version: int | None, **changes) -> ScoringModel:
    """A lead sets the scoring model (kind, weights, alignment factor, cost-band edges). Fields
    left out keep their value. The change names the version it started from
    (`expected_version`): a missing one is refused, a stale one conflicts. The whole model is
    validated (see scoring.params_validate) before anything is saved; then every request is
    re-scored in the same transaction."""
    if not has_role(actor, Role.LEAD):
        raise NotAllowed("Changing the scoring model needs the lead role or higher.")
    unknown = set(changes) - set(MODEL_FIELDS)
    if unknown:
        raise ValidationFailed("Not a scoring model field.", field=sorted(unknown)[0])
    model = ScoringModel.objects.select_for_update().order_by("pk").first()
    if model is None:
        model = ScoringModel.objects.create(cost_band_edges=list(scoring.DEFAULT_BAND_EDGES))
    if expected_version is None:
        raise ValidationFailed("Send the version of the scoring model you edited.", field="version")
    if model.version != expected_version:
        raise EditConflict()
    before = scoring.ScoringParams.from_model(model)
    new = {
        "kind": changes.get("kind", before.kind),
        "impact_weight": _decimal(
            changes.get("impact_weight", before.impact_weight), field="impact_weight"
        ),
        "feasibility_weight": _decimal(
            changes.get("feasibility_weight", before.feasibility_weight), field="feasibility_weight"
        ),
        "cost_weight": _decimal(
            changes.get("cost_weight", before.cost_weight), field="cost_weight"
        ),
        "alignment_factor": _decimal(
            changes.get("alignment_factor", before.alignment_factor), field="alignment_factor"
        ),
    }
    edges = changes.get("cost_band_edges", before.band_edges)
    if not isinstance(edges, list | tuple):
        raise ValidationFailed("Give four band edges.", field="cost_band_edges")
    new["band_edges"] = tuple(_decimal(e, field="cost_band_edges") for e in edges)
    for name, places in (
        ("impact_weight", "0.01"),
        ("feasibility_weight", "0.01"),
        ("cost_weight", "0.01"),
        ("alignment_factor", "0.01"),
    ):
        if new[name] != new[name].quantize(Decimal(places), rounding=ROUND_HALF_UP):
            raise ValidationFailed("Use at most two decimals.", field=name)
    if any(e != e.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for e in new["band_edges"]):
        raise ValidationFailed("Band edges take at most one decimal.", field="cost_band_edges")
    params = scoring.ScoringParams(**new)
    scoring.params_validate(params)
    if params == before and model.cost_band_edges:
        return model
    model.kind = params.kind
    model.impact_weight = params.impact_weight
    model.feasibility_weight = params.feasibility_weight
    model.cost_weight = params.cost_weight
    model.alignment_factor = params.alignment_factor
    model.cost_band_edges = list(params.band_edges)
    model.version += 1
    model.updated_by = actor
    model.save()
    diff = {
        name: [str(getattr(before, key)), str(getattr(params, key))]
        for name, key in (
            ("kind", "kind"),
            ("impact_weight", "impact_weight"),
            ("feasibility_weight", "feasibility_weight"),
            ("cost_weight", "cost_weight"),
            ("alignment_factor", "alignment_factor"),
            ("cost_band_edges", "band_edges"),
        )
        if getattr(before, key) != getattr(params, key)
    }
    activity_record(
        actor=actor, target=model, verb="scoring_model_changed", changes=diff, summary=str(model)
    )
    scores_recompute_all()
    return model
