"""Scoring API: assessments, backlog and scoring model — roles, shapes, 400/403/409."""

from decimal import Decimal

import pytest

from intake.assessments import Assessment, ScoringModel
from intake.models import RequestStatus
from tests.factories import RequestFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

D = Decimal
pytestmark = pytest.mark.django_db

API_MEMBERS = {
    "anonymous": (401, 403),
    "stakeholder": 403,
    "member": 200,
    "lead": 200,
    "admin": 200,
}
GOOD = {"feasibility": 4, "effort_days": "3.0", "impact": 5, "confidence": 100, "reach": 40}


def test_read_role_rules(api_clients, make_scored):
    request = make_scored("r", [{"impact": 3, "feasibility": 3, "effort_days": 3}])
    for url in (
        f"/api/v1/requests/{request.pk}/assessments/",
        "/api/v1/backlog/",
        "/api/v1/scoring-model/",
    ):
        assert_role_matrix(api_clients, "get", url, API_MEMBERS)


def test_stakeholder_cannot_create_assessments(api_clients):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    response = api_clients["stakeholder"].post(
        f"/api/v1/requests/{request.pk}/assessments/", GOOD, format="json"
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_create_then_update_own_assessment(api_clients):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    url = f"/api/v1/requests/{request.pk}/assessments/"
    response = api_clients["member"].post(url, GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["assessor"], body["version"], body["impact"]) == ("member", 1, 5)
    request.refresh_from_db()
    assert request.status == RequestStatus.SCORED
    # POST again updates the member's own assessment.
    response = api_clients["member"].post(url, {"impact": 2, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert response.json()["revision_count"] == 1
    # A stale version conflicts.
    response = api_clients["member"].patch(
        f"{url}{body['id']}/", {"impact": 3, "version": 1}, format="json"
    )
    assert response.status_code == 409 and "version" in response.json()
    # Someone else's assessment is read-only to you.
    response = api_clients["lead"].patch(f"{url}{body['id']}/", {"impact": 1}, format="json")
    assert response.status_code == 403
    assert Assessment.objects.get().impact == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"feasibility": 7}, "feasibility"),
        ({"impact": 0}, "impact"),
        ({"effort_days": "0"}, "effort_days"),
        ({"effort_days": "abc"}, "effort_days"),
        ({"confidence": 70}, "confidence"),
        ({"reach": 0}, "reach"),
    ],
)
def test_bad_assessment_is_400_naming_the_field(api_clients, changes, field):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    response = api_clients["member"].post(
        f"/api/v1/requests/{request.pk}/assessments/", {**GOOD, **changes}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGED and not Assessment.objects.exists()


def test_missing_required_value_is_400(api_clients):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    response = api_clients["member"].post(
        f"/api/v1/requests/{request.pk}/assessments/", {"impact": 3}, format="json"
    )
    assert response.status_code == 400 and "feasibility" in response.json()


def test_assessments_of_unknown_request_404(api_clients):
    assert api_clients["member"].get("/api/v1/requests/999999/assessments/").status_code == 404


def test_backlog_rows_have_score_parts_and_spread(api_clients, make_scored):
    make_scored(
        "Wide",
        [
            {"impact": 5, "feasibility": 3, "effort_days": 4, "reach": 100},
            {"impact": 1, "feasibility": 3, "effort_days": 4},
        ],
    )
    make_scored("Best", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    body = api_clients["member"].get("/api/v1/backlog/").json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["title"], first["rank"], first["score"]) == ("Best", 1, "70.00")
    assert second["score_parts"]["impact"] == 3.0
    assert second["score_parts"]["cost_band"] == 2
    assert second["score_parts"]["alignment"] == 0.7
    assert second["score_parts"]["model"] == "weighted"
    assert "formula" in second["score_parts"] and "worked" in second["score_parts"]
    assert second["spread"]["impact"] == [1, 5]
    assert second["spread"]["wide"] is True and second["spread"]["wide_on"] == ["impact"]


def test_backlog_filter_validation(api_clients, make_scored):
    make_scored("r", [{"impact": 3, "feasibility": 3, "effort_days": 3}])
    response = api_clients["member"].get("/api/v1/backlog/?category=spaceships")
    assert response.status_code == 400 and "category" in response.json()
    assert api_clients["member"].get("/api/v1/backlog/?objective=none").json()["count"] == 1


def test_backlog_api_query_count_does_not_grow(api_clients, bulk_scored):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/backlog/"), bulk_scored, before=5, after=60
    )


def test_scoring_model_write_rules(api_clients, make_scored):
    low = make_scored("Big", [{"impact": 5, "feasibility": 2, "effort_days": 30}])
    high = make_scored("Easy", [{"impact": 2, "feasibility": 5, "effort_days": 1}])
    url = "/api/v1/scoring-model/"
    body = api_clients["member"].get(url).json()
    assert body["kind"] == "weighted" and body["impact_weight"] == "3.00"
    assert [D(e) for e in body["cost_band_edges"]] == [2, 5, 10, 20]
    assert "Weighted = 100" in body["formula"]
    new = {**body, "impact_weight": "5", "feasibility_weight": "1", "cost_weight": "1"}
    new.pop("formula"), new.pop("updated_at")
    for role in ("stakeholder", "member"):
        assert api_clients[role].put(url, new, format="json").status_code == 403
    response = api_clients["lead"].put(url, new, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    ranked = [row["id"] for row in api_clients["lead"].get("/api/v1/backlog/").json()["results"]]
    assert ranked == [low.pk, high.pk]
    # Stale version → 409; bad values → 400 naming the field; nothing saved.
    assert api_clients["lead"].put(url, new, format="json").status_code == 409
    for bad, field in (
        ({"alignment_factor": "1.5"}, "alignment_factor"),
        ({"impact_weight": "0", "feasibility_weight": "0", "cost_weight": "0"}, "impact_weight"),
        ({"cost_band_edges": ["2", "5", "5", "20"]}, "cost_band_edges"),
        ({"kind": "wsjf"}, "kind"),
    ):
        response = api_clients["lead"].patch(url, {**bad, "version": 2}, format="json")
        assert response.status_code == 400 and field in response.json(), (bad, response.json())
    assert ScoringModel.objects.get().version == 2
    response = api_clients["lead"].patch(url, {"kind": "rice", "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["kind"] == "rice"


def test_backlog_objective_with_odd_digits_is_400(api_clients):
    # "²" passes str.isdigit() but is no number; this used to end in a 500.
    response = api_clients["member"].get("/api/v1/backlog/?objective=%C2%B2")
    assert response.status_code == 400 and "objective" in response.json()


def test_updating_an_assessment_needs_its_version(api_clients):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    url = f"/api/v1/requests/{request.pk}/assessments/"
    created = api_clients["member"].post(url, GOOD, format="json").json()
    detail = f"{url}{created['id']}/"
    client = api_clients["member"]
    for response in (
        client.post(url, {"impact": 1}, format="json"),
        client.patch(detail, {"impact": 1}, format="json"),
        client.put(detail, {**GOOD, "impact": 1}, format="json"),
    ):
        assert response.status_code == 400 and "version" in response.json(), response.json()
    assert client.put(detail, {**GOOD, "impact": 1, "version": 7}, format="json").status_code == 409
    assessment = Assessment.objects.get()
    assert (assessment.impact, assessment.version) == (5, 1)
    response = client.put(detail, {**GOOD, "impact": 1, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2


def test_changing_the_scoring_model_needs_its_version(api_clients):
    url = "/api/v1/scoring-model/"
    body = api_clients["lead"].get(url).json()
    full = {k: v for k, v in body.items() if k not in ("formula", "updated_at", "version")}
    client = api_clients["lead"]
    for response in (
        client.put(url, {**full, "impact_weight": "4"}, format="json"),
        client.patch(url, {"impact_weight": "4"}, format="json"),
    ):
        assert response.status_code == 400 and "version" in response.json(), response.json()
    assert client.patch(url, {"impact_weight": "4", "version": 9}, format="json").status_code == 409
    assert not ScoringModel.objects.filter(impact_weight=4).exists()
    response = client.patch(url, {"impact_weight": "4", "version": body["version"]}, format="json")
    assert response.status_code == 200 and response.json()["impact_weight"] == "4.00"


def test_assessments_endpoint_queries_do_not_grow(api_clients, add_assessments):
    request = RequestFactory(status=RequestStatus.SCORED)
    url = f"/api/v1/requests/{request.pk}/assessments/"
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get(url), add_assessments(request), before=5, after=60
    )
    body = api_clients["member"].get(url + "?page_size=100").json()
    rows = body["results"]
    assert body["count"] == 60 and len(rows) == 60
    assert {row["revision_count"] for row in rows} == {2}
