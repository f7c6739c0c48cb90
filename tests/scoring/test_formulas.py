"""Each formula pinned with hand-computed examples, and the SQL twin checked against Python."""

import random
from decimal import Decimal

import pytest

from intake import scoring
from intake.assessments import RequestScore
from intake.models import Request, RequestStatus
from intake.scoring import ScoreInputs, ScoringParams, cost_band, score_breakdown
from intake.scoring_services import scores_recompute_all
from outcomes.models import Objective
from prodops.core.errors import ValidationFailed
from tests.factories import ObjectiveFactory, RequestFactory

D = Decimal
DEFAULT = ScoringParams()


def inputs(impact, feasibility, effort, confidence=80, reach=None, aligned=False):
    return ScoreInputs(
        impact=D(impact),
        feasibility=D(feasibility),
        effort=D(effort),
        confidence=D(confidence),
        reach=None if reach is None else D(reach),
        aligned=aligned,
    )


@pytest.mark.parametrize(
    ("effort", "band"),
    [
        ("0.1", 1),
        ("2", 1),
        ("2.1", 2),
        ("5", 2),
        ("5.5", 3),
        ("10", 3),
        ("10.1", 4),
        ("20", 4),
        ("20.1", 5),
        ("500", 5),
    ],
)
def test_cost_band_with_default_edges(effort, band):
    assert cost_band(D(effort)) == band


def test_cost_band_with_lead_edges():
    edges = (D(1), D(3), D(8), D(40))
    assert [cost_band(D(e), edges) for e in ("1", "1.5", "8", "39", "41")] == [1, 2, 3, 4, 5]


def test_weighted_default_aligned():
    # 100 × (3·4 + 2·3 + 1·(6 − band 2)) ÷ (5 × 6) = 100 × 22 ÷ 30 = 73.33
    b = score_breakdown(inputs(4, 3, 4, aligned=True), DEFAULT)
    assert b.value == D("73.33")
    assert b.parts["cost_band"] == 2
    assert b.parts["alignment"] == 1
    assert "73.33" in b.worked
    assert "3·impact + 2·feasibility + 1·(6 − cost band)" in b.formula


def test_weighted_unaligned_uses_the_alignment_factor():
    # 73.333… × 0.7 = 51.33
    assert score_breakdown(inputs(4, 3, 4), DEFAULT).value == D("51.33")
    lenient = ScoringParams(alignment_factor=D("0.9"))
    # 100 × 22 × 0.9 ÷ 30 = 66.00
    assert score_breakdown(inputs(4, 3, 4), lenient).value == D("66.00")


def test_weighted_best_request_scores_100():
    assert score_breakdown(inputs(5, 5, 1, aligned=True), DEFAULT).value == D("100.00")
    assert score_breakdown(inputs(1, 1, 50, aligned=True), DEFAULT).value == D("20.00")


def test_weighted_with_other_weights():
    params = ScoringParams(impact_weight=D(5), feasibility_weight=D(1), cost_weight=D(0))
    # 100 × (5·2 + 1·4 + 0) ÷ (5 × 6) = 46.67, aligned
    assert score_breakdown(inputs(2, 4, 3, aligned=True), params).value == D("46.67")


def test_rice():
    params = ScoringParams(kind=scoring.RICE)
    # 200 × 3 × 0.8 ÷ 4 = 120.00 aligned; × 0.7 = 84.00 unaligned
    assert score_breakdown(inputs(3, 1, 4, reach=200, aligned=True), params).value == D("120.00")
    assert score_breakdown(inputs(3, 1, 4, reach=200), params).value == D("84.00")
    # No reach counts as 1: 1 × 3 × 0.8 ÷ 4 = 0.60
    b = score_breakdown(inputs(3, 1, 4, aligned=True), params)
    assert b.value == D("0.60")
    assert b.parts["reach_used"] == 1
    assert "no reach given" in b.worked
    assert "not 0–100" in b.formula


def test_rice_is_capped_at_the_stored_precision():
    params = ScoringParams(kind=scoring.RICE)
    b = score_breakdown(inputs(5, 5, "0.1", confidence=100, reach=1_000_000, aligned=True), params)
    assert b.value == scoring.SCORE_CAP
    assert b.capped


def test_ice():
    params = ScoringParams(kind=scoring.ICE)
    # impact 4 × ease (6 − band 3) × 0.8 = 9.60 aligned; × 0.7 = 6.72
    assert score_breakdown(inputs(4, 2, 7, aligned=True), params).value == D("9.60")
    assert score_breakdown(inputs(4, 2, 7), params).value == D("6.72")
    assert score_breakdown(inputs(5, 1, 1, confidence=100, aligned=True), params).value == D(
        "25.00"
    )


class _Record:
    def __init__(self, **values):
        self.__dict__.update(values)


def test_spread_flags_two_points_apart():
    record = _Record(
        impact_min=1, impact_max=5, feasibility_min=3, feasibility_max=4,
        effort_min=D(3), effort_max=D(6), confidence_min=50, confidence_max=100,
        reach_min=None, reach_max=None,
    )  # fmt: skip
    spread = scoring.spread_of(record)
    assert spread.wide and spread.wide_on == ("impact",)
    assert spread.cost_band == (2, 3)
    record.impact_max = 2
    assert not scoring.spread_of(record).wide
    record.effort_max = D(15)  # band 2 → band 4
    assert scoring.spread_of(record).wide_on == ("cost band",)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"impact_weight": D(0), "feasibility_weight": D(0), "cost_weight": D(0)}, "impact_weight"),
        ({"cost_weight": D(-1)}, "cost_weight"),
        ({"alignment_factor": D("1.2")}, "alignment_factor"),
        ({"alignment_factor": D("-0.1")}, "alignment_factor"),
        ({"band_edges": (D(2), D(2), D(10), D(20))}, "cost_band_edges"),
        ({"band_edges": (D(5), D(2), D(10), D(20))}, "cost_band_edges"),
        ({"band_edges": (D(0), D(2), D(10), D(20))}, "cost_band_edges"),
        ({"band_edges": (D(2), D(5), D(10))}, "cost_band_edges"),
        ({"kind": "magic"}, "kind"),
    ],
)
def test_params_validation_names_the_field(changes, field):
    params = ScoringParams(**changes)
    with pytest.raises(ValidationFailed) as caught:
        scoring.params_validate(params)
    assert caught.value.field == field


def test_default_params_are_valid():
    scoring.params_validate(DEFAULT)
    scoring.params_validate(ScoringParams(impact_weight=D(0), feasibility_weight=D(0)))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", scoring.KINDS)
def test_sql_score_equals_python_score(kind):
    """The one-UPDATE re-score gives exactly what score_breakdown gives, for each model."""
    from intake.scoring_services import scoring_model_update
    from tests.factories import UserFactory

    active = ObjectiveFactory(status=Objective.Status.ACTIVE)
    draft = ObjectiveFactory(status=Objective.Status.DRAFT)
    rng = random.Random(kind)
    requests = []
    for i in range(60):
        objective = (active, draft, None)[i % 3]
        request = RequestFactory(status=RequestStatus.SCORED, objective=objective)
        n = rng.randint(1, 3)
        impact = D(sum(rng.randint(1, 5) for _ in range(n))) / n
        RequestScore.objects.create(
            request=request,
            assessment_count=n,
            mean_impact=impact.quantize(D("0.0001")),
            mean_feasibility=(D(rng.randint(3, 15)) / 3).quantize(D("0.0001")),
            mean_effort=D(rng.choice(["0.1", "2", "2.05", "4.5", "10", "10.0001", "19.3333", "35"])),
            mean_confidence=(D(rng.choice([150, 180, 200, 230, 260, 300])) / 3).quantize(D("0.0001")),
            mean_reach=None if i % 4 == 0 else D(rng.randint(1, 5000)),
            impact_min=1, impact_max=5, feasibility_min=1, feasibility_max=5,
            effort_min=D(1), effort_max=D(30), confidence_min=50, confidence_max=100,
        )  # fmt: skip
        requests.append(request)
    lead = UserFactory(username="sql-lead", role="lead")
    scoring_model_update(
        actor=lead,
        expected_version=1,
        kind=kind,
        impact_weight=D("2.5"),
        feasibility_weight=D("1.25"),
        cost_weight=D("0.75"),
        alignment_factor=D("0.65"),
        cost_band_edges=[D(2), D("4.5"), D(10), D(19)],
    )
    scores_recompute_all()
    from intake.scoring_selectors import scoring_params_current

    params = scoring_params_current()
    for request in Request.objects.filter(pk__in=[r.pk for r in requests]).select_related(
        "score_record", "objective"
    ):
        aligned = request.objective is not None and request.objective.status == "active"
        expected = score_breakdown(scoring.inputs_of(request.score_record, aligned=aligned), params)
        assert request.score == expected.value, (request.pk, expected.worked)
