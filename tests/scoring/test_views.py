"""Backlog, assessment, scoring-model and objective pages: roles, partials, query counts."""

import csv
import io
from decimal import Decimal

import pytest
from django.template import Context, Template

from intake.assessments import Assessment, ScoringModel
from intake.models import Request, RequestStatus
from tests.factories import DepartmentFactory, ObjectiveFactory, RequestFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

D = Decimal
pytestmark = pytest.mark.django_db

MEMBERS_ONLY = {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200}


def test_scoring_pages_role_matrix(clients, make_scored):
    request = make_scored("r", [{"impact": 3, "feasibility": 3, "effort_days": 3}])
    for url in (
        "/requests/backlog/",
        "/requests/backlog/export.csv",
        "/requests/backlog/objectives/",
        "/requests/scoring-model/",
        f"/requests/{request.pk}/assess/",
    ):
        assert_role_matrix(clients, "get", url, MEMBERS_ONLY)


def test_backlog_ranks_and_explains(clients, make_scored):
    make_scored("Low", [{"impact": 1, "feasibility": 1, "effort_days": 30}])
    make_scored("High", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    html = clients["member"].get("/requests/backlog/").content.decode()
    assert html.index("High") < html.index("Low")
    assert "70.00" in html  # 100 × 30 ÷ 30 × 0.7
    assert "Weighted = 100 × (3·impact + 2·feasibility + 1·(6 − cost band))" in html
    assert "cost band 1" in html
    assert "backlog_decide" not in html and "/decide/" not in html  # members do not decide


def test_backlog_filters_and_htmx_partial(clients, make_scored):
    sales = DepartmentFactory(name="Sales", slug="sales")
    objective = ObjectiveFactory(title="Grow NRR")
    make_scored("Sales one", [{"impact": 3, "feasibility": 3, "effort_days": 3}], department=sales)
    make_scored(
        "Aligned one", [{"impact": 3, "feasibility": 3, "effort_days": 3}], objective=objective
    )
    html = clients["member"].get(f"/requests/backlog/?department={sales.pk}").content.decode()
    assert "Sales one" in html and "Aligned one" not in html
    html = clients["member"].get("/requests/backlog/?objective=none").content.decode()
    assert "Sales one" in html and "Aligned one" not in html
    response = clients["member"].get(
        f"/requests/backlog/?objective={objective.pk}", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Aligned one" in html and "Sales one" not in html
    assert "<html" not in html and 'id="backlog-results"' in html
    html = clients["member"].get("/requests/backlog/?objective=nope").content.decode()
    assert "not understood" in html


def test_backlog_query_count_does_not_grow(clients, bulk_scored):
    ObjectiveFactory()
    assert_queries_do_not_grow(
        lambda: clients["lead"].get("/requests/backlog/"), bulk_scored, before=5, after=60
    )


def test_csv_has_score_parts(clients, make_scored):
    make_scored("=cmd|evil", [{"impact": 4, "feasibility": 3, "effort_days": 4, "reach": 10}])
    response = clients["member"].get("/requests/backlog/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "mean impact" in header and "worked" in header
    assert first["title"] == "'=cmd|evil"
    assert (first["mean impact"], first["cost band"], first["alignment"]) == ("4", "2", "0.7")
    assert first["score"] == "51.33"


def test_csv_query_count_does_not_grow(clients, bulk_scored):
    def call():
        response = clients["member"].get("/requests/backlog/export.csv")
        b"".join(response.streaming_content)
        return response

    assert_queries_do_not_grow(call, bulk_scored, before=5, after=60)


def test_lead_accepts_inline_with_htmx(clients, make_scored):
    request = make_scored("Top", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    response = clients["lead"].post(
        f"/requests/backlog/{request.pk}/decide/",
        {"to": "accepted", "version": request.version, "rank": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and f'id="backlog-row-{request.pk}"' in html and "Accepted" in html
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


def test_decline_needs_a_reason_and_members_cannot_decide(clients, make_scored):
    request = make_scored("Top", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    url = f"/requests/backlog/{request.pk}/decide/"
    response = clients["lead"].post(url, {"to": "declined"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Say why" in response.content.decode()
    response = clients["member"].post(url, {"to": "accepted"})
    assert response.status_code == 403
    response = clients["lead"].post(
        url, {"to": "declined", "reason": "Not now", "next": "/requests/backlog/?status=scored"}
    )
    assert (
        response.status_code == 302 and response["Location"] == "/requests/backlog/?status=scored"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    html = clients["lead"].get("/requests/backlog/").content.decode()
    assert f'id="backlog-row-{request.pk}"' not in html


def test_stale_decision_is_refused(clients, make_scored):
    request = make_scored("Top", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    response = clients["lead"].post(
        f"/requests/backlog/{request.pk}/decide/",
        {"to": "accepted", "version": request.version - 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    request.refresh_from_db()
    assert request.status == RequestStatus.SCORED


def test_member_assesses_through_the_page(clients, member):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    url = f"/requests/{request.pk}/assess/"
    response = clients["member"].post(
        url,
        {
            "feasibility": 4,
            "effort_days": "3",
            "impact": 5,
            "confidence": 100,
            "rationale": "Cheap",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.SCORED and request.score is not None
    html = clients["member"].get(url).content.decode()
    assert "Your assessment (version 1)" in html and "Cheap" in html
    response = clients["member"].post(
        url, {"feasibility": 4, "effort_days": "3", "impact": 2, "confidence": 100, "version": 1}
    )
    assert response.status_code == 302
    html = clients["member"].get(url).content.decode()
    assert "History (1 earlier version)" in html


def test_assess_page_shows_the_score_beside_the_form(clients, make_scored):
    request = make_scored("Scored one", [{"impact": 5, "feasibility": 5, "effort_days": 1}])
    html = clients["member"].get(f"/requests/{request.pk}/assess/").content.decode()
    assert "Not assessed yet." not in html
    assert "from 1 assessment" in html and "Lowest–highest" in html


def test_assess_page_shows_errors_and_saves_nothing(clients):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    response = clients["member"].post(
        f"/requests/{request.pk}/assess/",
        {"feasibility": 9, "effort_days": "0", "impact": 3, "confidence": 80},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Feasibility:" in html and "Effort (person-days):" in html
    assert not Assessment.objects.exists()


def test_assess_page_stale_version_message(clients, member):
    from intake.scoring_services import assessment_save

    request = RequestFactory(status=RequestStatus.TRIAGED)
    assessment_save(
        request=request, assessor=member, feasibility=3, effort_days=3, impact=3, confidence=80
    )
    assessment_save(
        request=request,
        assessor=member,
        expected_version=1,
        feasibility=3,
        effort_days=3,
        impact=4,
        confidence=80,
    )
    response = clients["member"].post(
        f"/requests/{request.pk}/assess/",
        {"feasibility": 1, "effort_days": "3", "impact": 1, "confidence": 80, "version": 1},
    )
    assert response.status_code == 400 and "Someone else changed this" in response.content.decode()
    assert Assessment.objects.get().impact == 4


def test_scoring_model_page(clients):
    html = clients["member"].get("/requests/scoring-model/").content.decode()
    assert "Weighted = 100" in html and "Save and re-rank" not in html
    assert clients["member"].post("/requests/scoring-model/", {"kind": "rice"}).status_code == 403
    form = {
        "kind": "weighted", "impact_weight": "0", "feasibility_weight": "0", "cost_weight": "0",
        "alignment_factor": "0.7", "band_1": "2", "band_2": "5", "band_3": "10", "band_4": "20",
        "version": 1,
    }  # fmt: skip
    response = clients["lead"].post("/requests/scoring-model/", form)
    assert response.status_code == 400 and "cannot add up to 0" in response.content.decode()
    response = clients["lead"].post(
        "/requests/scoring-model/", {**form, "band_2": "1", "impact_weight": "3"}
    )
    assert response.status_code == 400 and "must increase" in response.content.decode()
    response = clients["lead"].post(
        "/requests/scoring-model/", {**form, "impact_weight": "4", "cost_weight": "1"}
    )
    assert response.status_code == 302
    assert ScoringModel.objects.get().impact_weight == 4
    response = clients["lead"].post("/requests/scoring-model/", {**form, "impact_weight": "5"})
    assert response.status_code == 400 and "Someone else changed this" in response.content.decode()


def test_objective_view_lists_loads(clients, make_scored):
    objective = ObjectiveFactory(title="Win enterprise")
    make_scored("E1", [{"impact": 3, "feasibility": 3, "effort_days": 3}], objective=objective)
    html = clients["lead"].get("/requests/backlog/objectives/").content.decode()
    assert "Win enterprise" in html and "No objective" in html


def test_scoring_panel_is_hidden_from_stakeholders(users, make_scored):
    request = make_scored(
        "Panel", [{"impact": 3, "feasibility": 3, "effort_days": 3, "rationale": "secret sauce"}]
    )
    template = Template('{% include "intake/_scoring_panel.html" %}')
    for role, visible in (("stakeholder", False), ("member", True)):
        html = template.render(Context({"req": request, "user": users[role], "request": None}))
        assert ("secret sauce" in html) is visible, role
        assert (str(request.score) in html) is visible, role


def test_backlog_only_lists_scored_and_accepted(clients, bulk_scored):
    rows = bulk_scored(3)
    Request.objects.filter(pk=rows[0].pk).update(status=RequestStatus.PLANNED)
    html = clients["member"].get("/requests/backlog/").content.decode()
    assert rows[0].title not in html and rows[1].title in html


def test_objective_view_query_count_does_not_grow(clients, bulk_scored):
    objectives = [ObjectiveFactory() for _ in range(3)]
    counter = iter(range(10_000))

    def add(n):
        bulk_scored(n, objective=objectives[next(counter) % 3])

    assert_queries_do_not_grow(
        lambda: clients["lead"].get("/requests/backlog/objectives/"), add, before=5, after=60
    )


def test_backlog_pages_with_odd_digits_in_a_filter(clients):
    # "²" passes str.isdigit() but is no number; these used to end in a 500.
    response = clients["member"].get("/requests/backlog/?objective=%C2%B2", follow=True)
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert clients["member"].get("/requests/backlog/export.csv?objective=%C2%B2").status_code == 200


def test_assess_page_edits_with_the_version_it_shows(clients, member):
    request = RequestFactory(status=RequestStatus.TRIAGED)
    url = f"/requests/{request.pk}/assess/"
    values = {"feasibility": 3, "effort_days": "3", "impact": 3, "confidence": 80}
    assert clients["member"].post(url, values).status_code == 302
    page = clients["member"].get(url).content.decode()
    assert 'name="version" value="1"' in page
    # An edit sent without the version it started from is refused, naming it.
    response = clients["member"].post(url, {**values, "impact": 5})
    assert response.status_code == 400 and "Send the version" in response.content.decode()
    assert clients["member"].post(url, {**values, "impact": 5, "version": 1}).status_code == 302
    assert Assessment.objects.get().impact == 5


def test_scoring_model_page_needs_the_version(clients):
    form = {
        "kind": "weighted", "impact_weight": "4", "feasibility_weight": "2", "cost_weight": "1",
        "alignment_factor": "0.7", "band_1": "2", "band_2": "5", "band_3": "10", "band_4": "20",
    }  # fmt: skip
    page = clients["lead"].get("/requests/scoring-model/").content.decode()
    assert 'name="version" value="1"' in page
    response = clients["lead"].post("/requests/scoring-model/", form)
    assert response.status_code == 400 and "Send the version" in response.content.decode()
    response = clients["lead"].post("/requests/scoring-model/", {**form, "version": 1})
    assert response.status_code == 302


def test_assess_page_and_request_page_queries_do_not_grow(clients, add_assessments):
    request = RequestFactory(status=RequestStatus.SCORED)
    add = add_assessments(request)
    for url in (f"/requests/{request.pk}/assess/", f"/requests/{request.pk}/"):
        assert_queries_do_not_grow(lambda url=url: clients["member"].get(url), add, after=40)


def test_new_assessment_needs_feasibility_and_impact_picked(clients, users):
    from intake.models import Assessment, RequestStatus
    from tests.factories import RequestFactory

    request = RequestFactory(status=RequestStatus.TRIAGED)
    page = clients["member"].get(f"/requests/{request.pk}/assess/").content.decode()
    assert "Choose 1–5" in page
    response = clients["member"].post(
        f"/requests/{request.pk}/assess/", {"effort_days": "3", "confidence": "80"}
    )
    assert response.status_code == 400
    assert not Assessment.objects.filter(request=request).exists()
