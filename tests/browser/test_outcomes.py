"""Outcomes in a real browser: a measurement recorded inline redraws the chart, a CSV import
is previewed line by line before it is committed, and a revisit is recorded from its
reminder."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import RequestStatus
from outcomes import services
from outcomes.models import Measurement, Metric, Revisit
from prodops.accounts.roles import Role
from prodops.reviews.services import reviews_sweep
from roadmap import services as roadmap_services
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_and_metric(db):
    lead = UserFactory(username="lena", role=Role.LEAD)
    member = UserFactory(username="milo", role=Role.MEMBER)
    team = TeamFactory(name="Growth Ops", slug="growth-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50)
    MembershipFactory(team=team, user=member, capacity_days=50)
    objective = ObjectiveFactory(title="Grow trial-to-paid")
    today = timezone.localdate()
    metric = services.metric_create(
        actor=lead,
        name="Trial-to-paid",
        unit="%",
        direction=Metric.Direction.UP,
        baseline_value=Decimal(10),
        baseline_on=today - dt.timedelta(days=60),
        target_value=Decimal(20),
        target_on=today + dt.timedelta(days=60),
        objective=objective,
        team=team,
        owner=lead,
    )
    for weeks in (8, 6, 4, 2):
        Measurement.objects.create(
            metric=metric, measured_on=today - dt.timedelta(weeks=weeks), value=Decimal(11)
        )
    return lead, member, team, objective, metric


def test_member_records_a_measurement_inline_and_the_chart_changes(
    page, live_server, login, team_and_metric
):
    _lead, member, _team, _objective, metric = team_and_metric
    url = f"{live_server.url}/outcomes/metrics/{metric.pk}/"
    login(page, member)
    page.goto(url)
    line = page.locator("#trend polyline.line")
    before = line.get_attribute("points")
    assert page.get_by_test_id("progress").inner_text().startswith("Progress 10 %")
    form = page.get_by_test_id("measure-form")
    form.get_by_label("Date").fill(timezone.localdate().isoformat())
    form.get_by_label("Value").fill("19")
    form.get_by_role("button", name="Save measurement").click()
    page.get_by_test_id("progress").filter(has_text="90 %").wait_for()
    assert page.url == url  # swapped in place, no navigation
    assert line.get_attribute("points") != before
    assert (
        page.get_by_test_id("measurements").get_by_role("cell", name="19", exact=True).is_visible()
    )
    assert Measurement.objects.get(metric=metric, measured_on=timezone.localdate()).value == 19


def test_import_with_preview_then_commit(page, live_server, login, team_and_metric):
    _lead, member, _team, _objective, metric = team_and_metric
    login(page, member)
    page.goto(f"{live_server.url}/outcomes/metrics/{metric.pk}/import/")
    existing = (timezone.localdate() - dt.timedelta(weeks=2)).isoformat()
    new = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    page.get_by_label("Or paste the rows").fill(f"date,value\n{existing},12\n{new},oops\n")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("import-preview")
    assert preview.locator('[data-line="2"]').inner_text().endswith("Replaces 11")
    assert "Give a number" in preview.locator('[data-line="3"]').inner_text()
    assert page.get_by_role("button", name="Import 2 rows").count() == 0
    page.get_by_label("Or paste the rows").fill(f"date,value\n{existing},12\n{new},13\n")
    page.get_by_role("button", name="Preview").click()
    assert (
        page.get_by_test_id("preview-summary")
        .inner_text()
        .startswith("2 rows: 1 new, 1 replace a value, 0 in error")
    )
    page.get_by_role("button", name="Import 2 rows").click()
    page.wait_for_url(f"{live_server.url}/outcomes/metrics/{metric.pk}/")
    assert Measurement.objects.filter(metric=metric).count() == 5
    page.get_by_role("button", name="Undo this import").click()
    page.get_by_text("import of 2 measurements undone", exact=False).wait_for()
    assert Measurement.objects.filter(metric=metric).count() == 4


def test_member_records_a_revisit_from_its_reminder(page, live_server, login, team_and_metric):
    lead, member, team, objective, metric = team_and_metric
    request = RequestFactory(
        title="Annual plan nudge", status=RequestStatus.ACCEPTED, objective=objective, team=team
    )
    roadmap = roadmap_services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    item = roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=lead,
        requests=[request],
        objective=objective,
        estimate_days=3,
        owner=member,
    )
    services.contribution_create(
        actor=member,
        metric=metric,
        roadmap_item=item,
        expected_change=2,
        expected_by=timezone.localdate() + dt.timedelta(days=30),
    )
    roadmap_services.roadmap_item_update(item=item, actor=lead, status="in_progress")
    roadmap_services.roadmap_item_update(item=item, actor=lead, status="shipped")
    first = Revisit.objects.order_by("due_on").first()
    reviews_sweep(today=first.due_on)

    login(page, member)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Revisit:").first.click()
    page.wait_for_url(f"{live_server.url}/outcomes/revisits/{first.pk}/")
    form = page.get_by_test_id("revisit-form")
    form.get_by_role("radio", name="Moved", exact=True).check()
    form.get_by_label("Observed change").fill("1.5")
    form.get_by_label("Impact statement").fill("Trial-to-paid +1.5 pts since the nudge shipped")
    form.get_by_role("button", name="Record revisit").click()
    page.get_by_test_id("recorded").wait_for()
    first.refresh_from_db()
    assert first.outcome == Revisit.Outcome.MOVED and first.observed_change == Decimal("1.5")


def test_member_adds_changes_and_removes_a_contribution_inline(
    page, live_server, login, team_and_metric
):
    lead, member, team, objective, metric = team_and_metric
    roadmap = roadmap_services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    item = roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=lead,
        requests=[
            RequestFactory(
                title="Pricing page", status=RequestStatus.ACCEPTED, objective=objective, team=team
            )
        ],
        objective=objective,
        estimate_days=3,
        title="Pricing page refresh",
    )
    url = f"{live_server.url}/outcomes/metrics/{metric.pk}/"
    login(page, member)
    page.goto(url)
    form = page.get_by_test_id("contribution-form")
    form.get_by_label("Roadmap item").select_option(label=f"Pricing page refresh ({roadmap})")
    form.get_by_label("Expected change").fill("1.5")
    form.get_by_label("Expected by").fill("2027-03-31")
    form.get_by_role("button", name="Add contribution").click()
    table = page.get_by_test_id("contributions")
    table.get_by_role("rowheader", name="Pricing page refresh").wait_for()
    assert page.url == url
    assert "1.5 % by 31 Mar 2027" in table.inner_text()

    table.get_by_role("link", name="Edit Pricing page refresh").click()
    edit = page.get_by_test_id("contribution-edit-form")
    edit.get_by_label("Expected change").fill("2")
    edit.get_by_role("button", name="Save contribution").click()
    page.get_by_test_id("contributions").filter(has_text="2 % by 31 Mar 2027").wait_for()
    assert page.url == url

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Pricing page refresh").click()
    page.get_by_text("No roadmap item or request says it contributes yet.").wait_for()
    assert page.url == url
    assert not item.contributions.exists()


def test_lead_archives_a_metric_after_confirming_and_restores_it(
    page, live_server, login, team_and_metric
):
    lead, _member, _team, _objective, metric = team_and_metric
    login(page, lead)
    page.goto(f"{live_server.url}/outcomes/metrics/{metric.pk}/")
    assert page.get_by_role("button", name="Delete metric").count() == 0  # it has measurements
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Archive metric").click()
    metric.refresh_from_db()
    assert metric.archived_at is None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive metric").click()
    page.get_by_test_id("archived").wait_for()
    metric.refresh_from_db()
    assert metric.archived_at is not None
    page.goto(f"{live_server.url}/outcomes/metrics/")
    assert page.get_by_role("link", name="Trial-to-paid").count() == 0
    page.goto(f"{live_server.url}/outcomes/metrics/{metric.pk}/")
    page.get_by_role("button", name="Restore it").click()
    page.get_by_role("button", name="Archive metric").wait_for()
    metric.refresh_from_db()
    assert metric.archived_at is None
