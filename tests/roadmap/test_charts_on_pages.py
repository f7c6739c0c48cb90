"""The charts are on the pages where people look, each with its text alternative."""

import re
from decimal import Decimal

import pytest

from intake.models import Request, RequestStatus
from intake.scoring_services import assessment_save
from tests.factories import RequestFactory


def figure(html: str, chart_id: str) -> str:
    match = re.search(rf'<figure class="chart" id="chart-{chart_id}".*?</figure>', html, re.S)
    assert match, f"no chart {chart_id}"
    return match.group(0)


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["", "list/", "timeline/", "unplanned/"])
def test_roadmap_pages_show_burn_and_capacity_charts(clients, roadmap, plan, log_unplanned, view):
    plan(Decimal("30"))
    log_unplanned(Decimal("5"), day="2027-01-11")
    log_unplanned(Decimal("16"), day="2027-02-03")
    html = clients["member"].get(f"/roadmap/{roadmap.pk}/{view}").content.decode()
    burn = figure(html, f"burn-{roadmap.pk}")
    assert "<title" in burn and "<desc" in burn and "21.0 of 25.0" in burn
    assert 'class="ref warn"' in burn and 'class="ref danger"' in burn  # 80 % and 100 % lines
    assert '<th scope="row">3 Feb 2027</th><td>21</td>' in burn  # cumulative
    capacity = figure(html, f"capacity-{roadmap.pk}")
    assert '<th scope="row">Planned</th><td>30</td>' in capacity
    assert '<th scope="row">Capacity</th><td>100</td>' in capacity
    assert "Plannable 75.0 d" in capacity


@pytest.mark.django_db
def test_capacity_chart_marks_overcommit(clients, roadmap, plan):
    plan(Decimal("80"), override_reason="Launch needs it")
    html = clients["lead"].get(f"/roadmap/{roadmap.pk}/").content.decode()
    capacity = figure(html, f"capacity-{roadmap.pk}")
    assert "Over-committed by 5.0." in capacity
    assert 'class="c5"' in capacity


@pytest.mark.django_db
def test_queue_shows_intake_per_week(clients, department):
    RequestFactory.create_batch(3, department=department)
    html = clients["member"].get("/requests/").content.decode()
    # The queue holds a slot near the top, before its filters, that loads the chart after
    # the rows (and links to it without JavaScript).
    slot = html.index('hx-get="/requests/intake-chart/"')
    assert slot < html.index('id="queue-filters"')
    assert 'href="/requests/intake-chart/"' in html
    chart = figure(
        clients["member"].get("/requests/intake-chart/", HTTP_HX_REQUEST="true").content.decode(),
        "intake-weekly",
    )
    assert "3 requests received since" in chart
    assert '<th scope="col">Sales</th>' in chart
    assert 'data-testid="chart-table"' in chart
    page = clients["member"].get("/requests/intake-chart/").content.decode()
    assert "<h1>Intake per week</h1>" in page and 'id="chart-intake-weekly"' in page
    # htmx updates of the queue's results leave the slot alone.
    partial = clients["member"].get("/requests/", HTTP_HX_REQUEST="true").content.decode()
    assert "intake-chart" not in partial


@pytest.mark.django_db
def test_intake_chart_is_for_members(clients):
    assert clients["stakeholder"].get("/requests/intake-chart/").status_code == 403
    assert clients["member"].get("/requests/intake-chart/").status_code == 200


@pytest.mark.django_db
def test_backlog_shows_score_histogram_following_filters(clients, users, department):
    for impact in (5, 1):
        req = RequestFactory(status=RequestStatus.TRIAGED, department=department)
        assessment_save(
            request=req,
            assessor=users["member"],
            feasibility=impact,
            effort_days=Decimal("2"),
            impact=impact,
            confidence=100,
        )
    scores = sorted(Request.objects.values_list("score", flat=True))
    html = clients["member"].get("/requests/backlog/").content.decode()
    chart = figure(html, "score-distribution")
    assert "2 scored requests" in chart
    low = int(scores[0] // 10) * 10
    assert f'<th scope="row">{low}–{low + 10}</th><td>1</td>' in chart
    partial = (
        clients["member"]
        .get("/requests/backlog/?department=999999", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "chart-score-distribution" in partial
