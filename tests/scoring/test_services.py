"""Assessments and the scoring model through their services: lifecycle, history, mean and
spread, re-ranking, validation and conflicts."""

from decimal import Decimal

import pytest

from intake.assessments import Assessment, AssessmentRevision, RequestScore, ScoringModel
from intake.models import Request, RequestStatus, StatusChange
from intake.scoring_selectors import backlog_list, objective_loads, scoring_params_current
from intake.scoring_services import (
    assessment_save,
    request_score_refresh,
    scores_recompute_all,
    scoring_model_update,
)
from outcomes.models import Objective
from prodops.activity.models import ActivityEvent
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from tests.factories import ObjectiveFactory, RequestFactory

D = Decimal
pytestmark = pytest.mark.django_db

GOOD = {"feasibility": 3, "effort_days": D(4), "impact": 4, "confidence": 80}


def test_first_assessment_moves_triaged_to_scored(member):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    assessment, created = assessment_save(request=request, assessor=member, **GOOD)
    request.refresh_from_db()
    assert created and assessment.version == 1
    assert request.status == RequestStatus.SCORED
    change = StatusChange.objects.get(request=request)
    assert (change.from_status, change.to_status, change.actor) == ("triaged", "scored", member)
    # 100 × (3·4 + 2·3 + 1·4) ÷ 30 × 0.7 (no objective) = 51.33
    assert request.score == D("51.33")
    assert ActivityEvent.objects.filter(verb="assessment_created", target_id=request.pk).exists()


def test_second_assessor_does_not_transition_again(member, lead):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    assessment_save(request=request, assessor=member, **GOOD)
    assessment_save(request=request, assessor=lead, **{**GOOD, "impact": 2})
    assert StatusChange.objects.filter(request=request).count() == 1
    assert Assessment.objects.filter(request=request).count() == 2


def test_edit_keeps_history_and_rescores(member):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    assessment, _ = assessment_save(request=request, assessor=member, **GOOD)
    updated, created = assessment_save(
        request=request, assessor=member, expected_version=1, **{**GOOD, "impact": 5}
    )
    assert not created and updated.pk == assessment.pk and updated.version == 2
    revision = AssessmentRevision.objects.get(assessment=assessment)
    assert revision.values["impact"] == 4 and revision.editor == member
    request.refresh_from_db()
    # 100 × (15 + 6 + 4) ÷ 30 × 0.7 = 58.33
    assert request.score == D("58.33")


def test_stale_version_is_refused_and_nothing_changes(member):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    assessment_save(request=request, assessor=member, **GOOD)
    assessment_save(request=request, assessor=member, expected_version=1, **{**GOOD, "impact": 5})
    with pytest.raises(EditConflict):
        assessment_save(
            request=request, assessor=member, expected_version=1, **{**GOOD, "impact": 1}
        )
    with pytest.raises(ValidationFailed) as missing:
        assessment_save(request=request, assessor=member, **{**GOOD, "impact": 1})
    assert missing.value.field == "version"
    assert Assessment.objects.get(request=request).impact == 5


def test_mean_and_spread_over_three_assessors(make_scored):
    request = make_scored(
        "Three views",
        [
            {"impact": 5, "feasibility": 2, "effort_days": 3, "confidence": 100, "reach": 100},
            {"impact": 3, "feasibility": 4, "effort_days": 5, "confidence": 80},
            {"impact": 1, "feasibility": 3, "effort_days": 10, "confidence": 50, "reach": 300},
        ],
    )
    record = RequestScore.objects.get(request=request)
    assert record.assessment_count == 3
    assert (record.mean_impact, record.mean_feasibility, record.mean_effort) == (3, 3, 6)
    assert record.mean_confidence == D("76.6667")
    assert record.mean_reach == 200  # the mean of the reaches given
    assert (record.impact_min, record.impact_max) == (1, 5)
    assert (record.effort_min, record.effort_max) == (3, 10)
    # mean effort 6 → band 3 → ease 3: 100 × (9 + 6 + 3) ÷ 30 × 0.7 = 42.00
    assert request.score == D("42.00")
    from intake import scoring

    spread = scoring.spread_of(record)
    assert spread.wide_on == ("impact", "feasibility")


def test_alignment_follows_the_objective_status(make_scored):
    active = ObjectiveFactory(status=Objective.Status.ACTIVE)
    draft = ObjectiveFactory(status=Objective.Status.DRAFT)
    values = [{"impact": 4, "feasibility": 3, "effort_days": 4}]
    assert make_scored("aligned", values, objective=active).score == D("73.33")
    assert make_scored("draft objective", values, objective=draft).score == D("51.33")
    assert make_scored("no objective", values).score == D("51.33")
    # When the objective becomes active, a recompute picks it up.
    draft.status = Objective.Status.ACTIVE
    draft.save()
    scores_recompute_all()
    assert Request.objects.get(title="draft objective").score == D("73.33")


def test_weight_change_reranks_the_backlog(make_scored, lead):
    a = make_scored("Big impact, big effort", [{"impact": 5, "feasibility": 2, "effort_days": 30}])
    b = make_scored("Easy win", [{"impact": 2, "feasibility": 5, "effort_days": 1}])
    # a: 100 × (15 + 4 + 1) ÷ 30 × 0.7 = 46.67; b: 100 × (6 + 10 + 5) ÷ 30 × 0.7 = 49.00
    assert (a.score, b.score) == (D("46.67"), D("49.00"))
    assert list(backlog_list()) == [b, a]
    model = scoring_model_update(
        actor=lead,
        expected_version=1,
        impact_weight=D(5),
        feasibility_weight=D(1),
        cost_weight=D(1),
    )
    assert model.version == 2
    # a: 100 × (25 + 2 + 1) ÷ 35 × 0.7 = 56.00; b: 100 × (10 + 5 + 5) ÷ 35 × 0.7 = 40.00
    assert list(backlog_list()) == [a, b]
    assert [r.score for r in backlog_list()] == [D("56.00"), D("40.00")]
    assert ActivityEvent.objects.filter(verb="scoring_model_changed").count() == 1


def test_switching_to_rice_and_ice(make_scored, lead):
    r = make_scored(
        "Reach", [{"impact": 3, "feasibility": 1, "effort_days": 4, "reach": 200, "confidence": 80}]
    )
    scoring_model_update(actor=lead, expected_version=1, kind="rice")
    r.refresh_from_db()
    assert r.score == D("84.00")  # 200 × 3 × 0.8 ÷ 4 × 0.7
    scoring_model_update(actor=lead, expected_version=2, kind="ice")
    r.refresh_from_db()
    assert r.score == D("6.72")  # 3 × (6 − band 2) × 0.8 × 0.7


def test_ties_rank_by_votes_then_age(make_scored):
    values = [{"impact": 4, "feasibility": 3, "effort_days": 4}]
    old = make_scored("old", values)
    new = make_scored("new", values)
    voted = make_scored("voted", values)
    Request.objects.filter(pk=voted.pk).update(vote_count=3)
    assert list(backlog_list()) == [voted, old, new]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"feasibility": 0}, "feasibility"),
        ({"feasibility": 6}, "feasibility"),
        ({"impact": "high"}, "impact"),
        ({"effort_days": D(0)}, "effort_days"),
        ({"effort_days": "lots"}, "effort_days"),
        ({"confidence": 60}, "confidence"),
        ({"reach": 0}, "reach"),
        ({"rationale": "x" * 2001}, "rationale"),
    ],
)
def test_bad_assessment_values_name_the_field_and_save_nothing(member, changes, field):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    with pytest.raises(ValidationFailed) as caught:
        assessment_save(request=request, assessor=member, **{**GOOD, **changes})
    assert caught.value.field == field
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGED
    assert not Assessment.objects.exists() and not RequestScore.objects.exists()


def test_stakeholders_cannot_assess(stakeholder):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    with pytest.raises(NotAllowed):
        assessment_save(request=request, assessor=stakeholder, **GOOD)


@pytest.mark.parametrize(
    "status", [RequestStatus.NEW, RequestStatus.SHIPPED, RequestStatus.DECLINED]
)
def test_untriaged_or_finished_requests_cannot_be_assessed(member, status):
    request = RequestFactory(status=status)
    with pytest.raises(ValidationFailed):
        assessment_save(request=request, assessor=member, **GOOD)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"impact_weight": 0, "feasibility_weight": 0, "cost_weight": 0}, "impact_weight"),
        ({"alignment_factor": D("1.5")}, "alignment_factor"),
        ({"cost_band_edges": [D(2), D(10), D(5), D(20)]}, "cost_band_edges"),
        ({"cost_band_edges": [D(2), D(10)]}, "cost_band_edges"),
        ({"impact_weight": D("1.234")}, "impact_weight"),
        ({"kind": "wsjf"}, "kind"),
    ],
)
def test_bad_scoring_model_is_refused_whole(lead, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        scoring_model_update(actor=lead, expected_version=1, **changes)
    assert caught.value.field == field
    model = ScoringModel.objects.get()
    assert (model.version, model.impact_weight, model.kind) == (1, 3, "weighted")


def test_only_leads_change_the_model(member, lead):
    with pytest.raises(NotAllowed):
        scoring_model_update(actor=member, expected_version=1, impact_weight=D(1))
    with pytest.raises(ValidationFailed) as missing:
        scoring_model_update(actor=lead, expected_version=None, impact_weight=D(1))
    assert missing.value.field == "version"
    with pytest.raises(EditConflict):
        scoring_model_update(actor=lead, expected_version=7, impact_weight=D(1))
    assert scoring_model_update(actor=lead, expected_version=1, impact_weight=D(1)).version == 2


def test_model_defaults_when_no_row_exists(db):
    ScoringModel.objects.all().delete()
    params = scoring_params_current()
    assert params.band_edges == (2, 5, 10, 20)
    assert (params.impact_weight, params.alignment_factor) == (3, D("0.7"))


def test_refresh_without_assessments_clears_the_score(make_scored):
    request = make_scored("gone", [GOOD])
    Assessment.objects.filter(request=request).delete()
    assert request_score_refresh(request_id=request.pk) is None
    request.refresh_from_db()
    assert request.score is None and not RequestScore.objects.filter(request=request).exists()


def test_objective_loads(make_scored):
    busy = ObjectiveFactory(title="Busy", status=Objective.Status.ACTIVE)
    ObjectiveFactory(title="Idle", status=Objective.Status.ACTIVE)
    for n in range(4):
        make_scored(
            f"busy {n}", [{"impact": 4, "feasibility": 3, "effort_days": 10}], objective=busy
        )
    make_scored("loose", [{"impact": 4, "feasibility": 3, "effort_days": 10}])
    loads = {(load.objective.title if load.objective else None): load for load in objective_loads()}
    # effort 10 → band 3: 100 × (12 + 6 + 3) ÷ 30 = 70.00 each
    assert loads["Busy"].request_count == 4
    assert loads["Busy"].total_effort == 40
    assert loads["Busy"].total_score == D("280.00")
    # 40 of 50 days = 0.8, above 1.5 × an even share of 0.5
    assert loads["Busy"].effort_share == D("0.8")
    assert loads["Busy"].service == "over"
    assert loads["Idle"].request_count == 0 and loads["Idle"].service == "under"
    assert loads[None].request_count == 1 and loads[None].total_effort == 10
