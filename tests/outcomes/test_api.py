import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from outcomes import services
from outcomes.models import ImportBatch, Measurement, Metric
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

from .conftest import measure


@pytest.mark.django_db
def test_metric_api_role_matrix(api_clients, metric):
    everyone = {"anonymous": 401, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200}
    assert_role_matrix(api_clients, "get", "/api/v1/metrics/", everyone)
    assert_role_matrix(api_clients, "get", f"/api/v1/metrics/{metric.pk}/", everyone)
    assert_role_matrix(api_clients, "get", f"/api/v1/metrics/{metric.pk}/measurements/", everyone)
    members = {"anonymous": 401, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200}
    assert_role_matrix(api_clients, "get", "/api/v1/contributions/", members)
    assert_role_matrix(api_clients, "get", "/api/v1/revisits/", members)


@pytest.mark.django_db
def test_metric_create_update_and_409(api_clients, objective, team):
    body = {
        "name": "NPS",
        "unit": "points",
        "direction": "up",
        "baseline_value": 20,
        "baseline_on": "2026-01-01",
        "target_value": 40,
        "target_on": "2026-12-31",
        "objective": objective.pk,
        "team": team.pk,
        "cadence": "monthly",
    }
    assert api_clients["member"].post("/api/v1/metrics/", body, format="json").status_code == 403
    response = api_clients["lead"].post(
        "/api/v1/metrics/", {**body, "target_value": 10}, format="json"
    )
    assert response.status_code == 400 and "target_value" in response.json()
    response = api_clients["lead"].post("/api/v1/metrics/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["progress_percent"] is None and data["status"] == "no_data"
    url = f"/api/v1/metrics/{data['id']}/"
    assert api_clients["lead"].patch(url, {"target_value": 50}, format="json").status_code == 400
    ok = api_clients["lead"].patch(url, {"target_value": 50, "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api_clients["lead"].patch(url, {"target_value": 60, "version": 1}, format="json")
    assert stale.status_code == 409
    assert Metric.objects.get(pk=data["id"]).target_value == Decimal(50)


@pytest.mark.django_db
def test_post_one_measurement_or_a_list(api_clients, metric):
    url = f"/api/v1/metrics/{metric.pk}/measurements/"
    one = api_clients["member"].post(url, {"measured_on": "2026-02-01", "value": 11}, format="json")
    assert one.status_code == 201 and one.json()["value"] == 11.0
    many = api_clients["member"].post(
        url,
        [{"measured_on": "2026-02-08", "value": 12}, {"measured_on": "2026-02-01", "value": 10.5}],
        format="json",
    )
    assert many.status_code == 201 and len(many.json()) == 2
    assert Measurement.objects.get(measured_on="2026-02-01").value == Decimal("10.5")
    bad = api_clients["member"].post(
        url,
        [{"measured_on": "2026-02-15", "value": 12}, {"measured_on": "2026-02-22"}],
        format="json",
    )
    assert bad.status_code == 400
    assert not Measurement.objects.filter(measured_on="2026-02-15").exists()
    assert (
        api_clients["stakeholder"]
        .post(url, {"measured_on": "2026-02-01", "value": 1}, format="json")
        .status_code
        == 403
    )
    listed = api_clients["stakeholder"].get(url).json()
    assert [row["measured_on"] for row in listed["results"]] == ["2026-02-08", "2026-02-01"]
    progress = api_clients["stakeholder"].get(f"/api/v1/metrics/{metric.pk}/").json()
    assert progress["progress_percent"] == 20.0


@pytest.mark.django_db
def test_import_dry_run_then_commit(api_clients, metric):
    url = f"/api/v1/metrics/{metric.pk}/import/"
    measure(metric, dt.date(2026, 2, 8), 9)
    text = "date,value,note\n2026-02-01,11\n2026-02-08,12,fixed\n2026-02-15,x\n"
    dry = api_clients["member"].post(url + "?dry_run=1", text, content_type="text/csv")
    assert dry.status_code == 200
    assert [(r["line"], r["fate"]) for r in dry.json()["rows"]] == [
        (2, "new"),
        (3, "replaces"),
        (4, "error"),
    ]
    assert Measurement.objects.count() == 1
    refused = api_clients["member"].post(url, text, content_type="text/csv")
    assert refused.status_code == 400 and "Line 4" in refused.json()["file"][0]
    good = api_clients["member"].post(url, text.replace("x\n", "13\n"), content_type="text/csv")
    assert good.status_code == 201
    batch = ImportBatch.objects.get(pk=good.json()["batch"])
    assert batch.row_count == 3
    assert api_clients["stakeholder"].post(url, text, content_type="text/csv").status_code == 403


@pytest.mark.django_db
def test_stakeholders_get_no_internal_notes_from_the_api(api_clients, metric):
    measure(metric, dt.date(2026, 2, 1), 15, note="Internal: a data fix")
    body = api_clients["stakeholder"].get(f"/api/v1/metrics/{metric.pk}/").content.decode()
    assert "Internal" not in body and "50.0" in body
    listed = api_clients["stakeholder"].get("/api/v1/metrics/").content.decode()
    assert "Internal" not in listed
    rows = api_clients["stakeholder"].get(f"/api/v1/metrics/{metric.pk}/measurements/")
    assert "Internal" not in rows.content.decode()
    member = api_clients["member"].get(f"/api/v1/metrics/{metric.pk}/measurements/")
    assert "Internal: a data fix" in member.content.decode()


@pytest.mark.django_db
def test_contributions_and_revisits_api(api_clients, plan, metric, users):
    from roadmap.services import roadmap_item_update

    item = plan(5, owner=users["member"])
    response = api_clients["member"].post(
        "/api/v1/contributions/",
        {
            "metric": metric.pk,
            "roadmap_item": item.pk,
            "expected_change": 2,
            "expected_by": "2027-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    roadmap_item_update(item=item, actor=users["lead"], status="in_progress")
    roadmap_item_update(item=item, actor=users["lead"], status="shipped")
    assert api_clients["member"].get("/api/v1/revisits/").json()["count"] == 0  # not due yet
    everything = api_clients["member"].get("/api/v1/revisits/?all=1").json()
    assert everything["count"] == 2
    revisit_id = everything["results"][0]["id"]
    response = api_clients["member"].post(
        f"/api/v1/revisits/{revisit_id}/record/",
        {"outcome": "moved", "impact_statement": "Up 1.5 pts"},
        format="json",
    )
    assert response.status_code == 400 and "observed_change" in response.json()
    response = api_clients["member"].post(
        f"/api/v1/revisits/{revisit_id}/record/",
        {
            "outcome": "moved",
            "observed_change": 1.5,
            "impact_statement": "Up 1.5 pts",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["outcome"] == "moved"
    stale = api_clients["member"].post(
        f"/api/v1/revisits/{revisit_id}/record/",
        {"outcome": "not_moved", "impact_statement": "Flat", "version": 1},
        format="json",
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_metric_list_endpoint_query_count(api_clients, make_metric):
    def add(n):
        start = Metric.objects.count()
        for i in range(n):
            measure(make_metric(name=f"M {start + i}"), dt.date(2026, 2, 1), 12)

    assert_queries_do_not_grow(lambda: api_clients["stakeholder"].get("/api/v1/metrics/"), add)


@pytest.mark.django_db
def test_measurement_list_endpoint_query_count(api_clients, metric):
    start = timezone.localdate() - dt.timedelta(days=400)

    def add(n):
        have = Measurement.objects.count()
        for i in range(n):
            measure(metric, start + dt.timedelta(days=have + i), 10)

    url = f"/api/v1/metrics/{metric.pk}/measurements/"
    assert_queries_do_not_grow(lambda: api_clients["member"].get(url), add)


@pytest.mark.django_db
def test_revisit_and_contribution_list_query_count(api_clients, plan, metric, users):
    def add(n):
        for _ in range(n):
            item = plan(1)
            contribution = services.contribution_create(
                actor=users["lead"],
                metric=metric,
                roadmap_item=item,
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
            )
            services.revisits_schedule(
                contribution=contribution, shipped_on=timezone.localdate() - dt.timedelta(days=100)
            )

    def both():
        first = api_clients["member"].get("/api/v1/revisits/")
        second = api_clients["member"].get("/api/v1/contributions/")
        assert first.status_code == second.status_code == 200
        return second

    assert_queries_do_not_grow(both, add, before=2, after=12)
