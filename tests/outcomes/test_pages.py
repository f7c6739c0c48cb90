import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from outcomes.charts import downsample
from outcomes.models import ImportBatch, Measurement, Metric
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix, count_queries

from .conftest import measure


@pytest.mark.django_db
def test_metric_pages_role_matrix(clients, metric):
    everyone = {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200}
    assert_role_matrix(clients, "get", "/outcomes/metrics/", everyone)
    assert_role_matrix(clients, "get", f"/outcomes/metrics/{metric.pk}/", everyone)
    leads = {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 200, "admin": 200}
    assert_role_matrix(clients, "get", "/outcomes/metrics/new/", leads)
    assert_role_matrix(clients, "get", f"/outcomes/metrics/{metric.pk}/edit/", leads)
    members = {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200}
    assert_role_matrix(clients, "get", f"/outcomes/metrics/{metric.pk}/import/", members)
    assert_role_matrix(clients, "get", "/outcomes/revisits/", members)


@pytest.mark.django_db
def test_a_lead_of_another_team_cannot_edit(clients, metric):
    from tests.factories import TeamFactory, UserFactory

    other_lead = UserFactory(username="other-lead", role="lead")
    TeamFactory(lead=other_lead)
    clients["lead"].force_login(other_lead)
    assert clients["lead"].get(f"/outcomes/metrics/{metric.pk}/edit/").status_code == 403
    response = clients["lead"].post(
        f"/outcomes/metrics/{metric.pk}/measurements/",
        {"measured_on": "2026-03-01", "value": "12"},
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_lead_creates_a_metric_in_the_browser(clients, objective, team):
    response = clients["lead"].post(
        "/outcomes/metrics/new/",
        {
            "name": "Churn",
            "unit": "%",
            "direction": "down",
            "baseline_value": "5",
            "baseline_on": "2026-01-01",
            "target_value": "6",
            "target_on": "2026-12-31",
            "objective": objective.pk,
            "team": team.pk,
            "cadence": "monthly",
        },
    )
    assert response.status_code == 400
    assert "target must be below the baseline" in response.content.decode()
    response = clients["lead"].post(
        "/outcomes/metrics/new/",
        {
            "name": "Churn",
            "unit": "%",
            "direction": "down",
            "baseline_value": "5",
            "baseline_on": "2026-01-01",
            "target_value": "3",
            "target_on": "2026-12-31",
            "objective": objective.pk,
            "team": team.pk,
            "cadence": "monthly",
        },
    )
    assert response.status_code == 302
    assert Metric.objects.get(name="Churn").target_value == Decimal(3)


@pytest.mark.django_db
def test_inline_measurement_returns_the_trend_with_the_new_point(clients, metric):
    day = timezone.localdate() - dt.timedelta(days=3)
    response = clients["member"].post(
        f"/outcomes/metrics/{metric.pk}/measurements/",
        {"measured_on": day.isoformat(), "value": "17.25", "note": "after launch"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="trend"')
    assert "17.25" in html  # in the chart's data table and the measurements table
    assert "<polyline" not in html or 'class="line c0"' in html
    assert Measurement.objects.get(metric=metric).value == Decimal("17.25")


@pytest.mark.django_db
def test_inline_measurement_error_names_the_field(clients, metric):
    response = clients["member"].post(
        f"/outcomes/metrics/{metric.pk}/measurements/",
        {"measured_on": "2999-01-01", "value": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#trend"
    assert "future" in response.content.decode()


@pytest.mark.django_db
def test_metric_page_chart_has_baseline_target_and_text_alternative(clients, metric):
    measure(metric, dt.date(2026, 2, 1), 12)
    html = clients["stakeholder"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert '<title id="chart-metric-' in html and "<desc" in html
    assert "Baseline 10" in html and "Target 20" in html
    assert 'data-testid="chart-table"' in html


@pytest.mark.django_db
def test_stakeholders_see_progress_but_no_internal_notes(clients, metric):
    measure(metric, dt.date(2026, 2, 1), 15, note="Internal: the spike is a data fix")
    html = clients["stakeholder"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert "50 %" in html
    assert "Internal:" not in html
    member_html = clients["member"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert "Internal: from the billing warehouse" in member_html
    assert "Internal: the spike" in member_html


@pytest.mark.django_db
def test_import_preview_then_commit_then_undo_in_the_browser(clients, metric):
    url = f"/outcomes/metrics/{metric.pk}/import/"
    text = "date,value\n2026-02-01,11\n2026-02-08,oops\n"
    response = clients["member"].post(url, {"text": text, "action": "preview"})
    html = response.content.decode()
    assert 'data-line="2" data-fate="new"' in html
    assert 'data-line="3" data-fate="error"' in html
    assert "Import 2 rows" not in html
    response = clients["member"].post(url, {"text": text, "action": "import"})
    assert response.status_code == 400
    assert not Measurement.objects.exists()
    good = "date,value\n2026-02-01,11\n2026-02-08,12\n"
    response = clients["member"].post(url, {"text": good, "action": "import"})
    assert response.status_code == 302
    assert Measurement.objects.filter(metric=metric).count() == 2
    batch = ImportBatch.objects.get()
    response = clients["member"].post(f"/outcomes/imports/{batch.pk}/undo/")
    assert response.status_code == 302
    assert not Measurement.objects.exists()


def test_downsample_keeps_extremes_and_ends():
    start = dt.date(2021, 1, 1)
    points = [(start + dt.timedelta(days=i), Decimal(i % 50)) for i in range(1825)]
    points[900] = (points[900][0], Decimal(1000))
    points[1200] = (points[1200][0], Decimal(-1000))
    shown = downsample(points)
    assert len(shown) <= 500
    assert shown[0] == points[0] and shown[-1] == points[-1]
    assert points[900] in shown and points[1200] in shown
    assert [d for d, _v in shown] == sorted(d for d, _v in shown)


@pytest.mark.django_db
def test_metric_list_query_count_does_not_grow(clients, make_metric):
    def add(n):
        start = Metric.objects.count()
        for i in range(n):
            m = make_metric(name=f"Metric {start + i}")
            measure(m, dt.date(2026, 2, 1), 12)

    assert_queries_do_not_grow(lambda: clients["stakeholder"].get("/outcomes/metrics/"), add)


@pytest.mark.django_db
def test_objectives_page_with_200_metrics_has_a_fixed_query_count(clients, make_metric):
    def add(n):
        start = Metric.objects.count()
        for i in range(n):
            measure(make_metric(name=f"Metric {start + i}"), dt.date(2026, 2, 1), 12)

    count = assert_queries_do_not_grow(
        lambda: clients["stakeholder"].get("/outcomes/objectives/"), add, before=10, after=200
    )
    assert count <= 12


@pytest.mark.django_db
def test_metric_page_with_1825_daily_measurements_has_a_fixed_query_count(clients, metric):
    start = dt.date(2021, 1, 1)

    def add(n):
        have = Measurement.objects.filter(metric=metric).count()
        Measurement.objects.bulk_create(
            Measurement(
                metric=metric,
                measured_on=start + dt.timedelta(days=have + i),
                value=Decimal(10 + (have + i) % 7),
            )
            for i in range(n)
        )

    url = f"/outcomes/metrics/{metric.pk}/"
    count = assert_queries_do_not_grow(
        lambda: clients["member"].get(url), add, before=10, after=1825
    )
    small, _ = count_queries(lambda: clients["member"].get(url))
    assert small == count


@pytest.mark.django_db
def test_stakeholders_never_see_internal_item_titles_on_a_metric(clients, plan, metric, users):
    from outcomes import services

    internal = plan(3, title="Secret falcon cleanup")
    shared = plan(3, title="Quote tool v2", visibility="shared", public_title="One-click quotes")
    for item in (internal, shared):
        services.contribution_create(
            actor=users["lead"],
            metric=metric,
            roadmap_item=item,
            expected_change=1,
            expected_by=dt.date(2027, 3, 1),
            shipped_on=dt.date(2026, 5, 1),
        )
    html = clients["stakeholder"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert "Secret falcon" not in html and "Quote tool v2" not in html
    assert "One-click quotes" in html and "Internal work" in html
    member_html = clients["member"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert "Secret falcon cleanup" in member_html
