"""The guardrail check (direction-aware, at the ship date against the latest since), metric
archive and delete, and the cadence kind of each outcome reminder."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from outcomes import selectors, services
from outcomes.models import Coalition, Metric, Revisit
from outcomes.progress import guardrail_worse
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.reviews.models import Cadence
from tests.factories import DepartmentFactory, UserFactory
from tests.helpers import assert_role_matrix

from .conftest import measure

SHIPPED = dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("direction", "at_ship", "latest", "worse"),
    [
        ("up", 10, 9, True),
        ("up", 10, 10, False),
        ("up", 10, 11, False),
        ("down", 5, 6, True),
        ("down", 5, 4, False),
        ("down", 5, None, None),
        ("up", None, 3, None),
    ],
)
def test_guardrail_worse_is_direction_aware(direction, at_ship, latest, worse):
    def d(v):
        return None if v is None else Decimal(v)

    assert guardrail_worse(direction=direction, at_ship=d(at_ship), latest=d(latest)) is worse


@pytest.fixture
def guarded(make_metric):
    """Trial-to-paid guarded by churn (down is good, 5 % → 3 %)."""
    churn = make_metric(
        name="Churn",
        direction=Metric.Direction.DOWN,
        baseline_value=Decimal(5),
        target_value=Decimal(3),
    )
    return make_metric(name="Trial-to-paid", guardrail=churn), churn


@pytest.mark.django_db
def test_guardrail_checks_compare_ship_date_with_latest_since(guarded):
    metric, churn = guarded
    measure(churn, dt.date(2026, 4, 20), "4.5")
    measure(churn, SHIPPED, "4.6")
    measure(churn, dt.date(2026, 6, 1), "4.9")
    check = selectors.guardrail_checks(metric, [SHIPPED], today=dt.date(2026, 7, 1))[SHIPPED]
    assert (check.at_ship, check.latest, check.worse) == (Decimal("4.6"), Decimal("4.9"), True)
    measure(churn, dt.date(2026, 6, 15), "4.0")
    check = selectors.guardrail_checks(metric, [SHIPPED], today=dt.date(2026, 7, 1))[SHIPPED]
    assert check.worse is False and check.label == "Held"
    # Nothing measured since shipping: not known.
    later = dt.date(2026, 6, 20)
    assert selectors.guardrail_checks(metric, [later])[later].worse is None
    # No measurement before shipping: the guardrail's baseline stands in.
    early = dt.date(2026, 2, 1)
    assert selectors.guardrail_checks(metric, [early])[early].at_ship == Decimal(5)
    assert selectors.guardrail_checks(churn, [SHIPPED]) == {}


@pytest.mark.django_db
def test_recording_a_revisit_keeps_the_guardrail_check_and_shows_it(
    guarded, plan, users, clients, api_clients
):
    metric, churn = guarded
    item = plan(3, owner=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=item,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
        shipped_on=SHIPPED,
    )
    services.revisits_schedule(contribution=contribution, shipped_on=SHIPPED)
    measure(churn, dt.date(2026, 4, 1), "4.0")
    measure(churn, dt.date(2026, 6, 1), "4.4")
    revisit = contribution.revisits.order_by("due_on").first()
    page = clients["member"].get(f"/outcomes/revisits/{revisit.pk}/").content.decode()
    assert 'data-testid="guardrail"' in page and "Got worse" in page
    services.revisit_record(
        revisit=revisit,
        actor=users["member"],
        outcome="moved",
        observed_change=1,
        impact_statement="Up one point; churn crept up",
    )
    revisit.refresh_from_db()
    assert revisit.guardrail_worse is True
    assert (revisit.guardrail_at_ship, revisit.guardrail_latest) == (Decimal(4), Decimal("4.4"))
    data = api_clients["member"].get(f"/api/v1/revisits/{revisit.pk}/").json()
    assert data["guardrail"] == churn.pk and data["guardrail_worse"] is True
    assert data["guardrail_at_ship"] == 4.0 and data["guardrail_latest"] == 4.4
    metric_page = clients["stakeholder"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert 'data-testid="guardrail-check"' in metric_page and "Got worse" in metric_page


@pytest.mark.django_db
def test_a_revisit_without_guardrail_records_none(plan, metric, users):
    item = plan(3, owner=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=item,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
        shipped_on=SHIPPED,
    )
    services.revisits_schedule(contribution=contribution, shipped_on=SHIPPED)
    revisit = contribution.revisits.first()
    services.revisit_record(
        revisit=revisit, actor=users["member"], outcome="inconclusive", impact_statement="Noise"
    )
    revisit.refresh_from_db()
    assert revisit.guardrail_worse is None and revisit.guardrail_at_ship is None


# --- Archive and delete ------------------------------------------------------------------------


def checkin(metric):
    return Cadence.objects.get(
        target_type=ContentType.objects.get_for_model(Metric), target_id=metric.pk
    )


@pytest.mark.django_db
def test_archive_hides_from_lists_and_rollup_and_stops_checkins(make_metric, users, objective):
    kept = make_metric(name="Kept")
    old = make_metric(name="Old")
    measure(kept, dt.date(2026, 2, 1), 12)
    measure(old, dt.date(2026, 2, 1), 20)
    assert selectors.objective_health_map([objective])[objective.pk] == Decimal("0.6")
    with pytest.raises(NotAllowed):
        services.metric_archive(metric=old, actor=users["member"])
    with pytest.raises(EditConflict):
        services.metric_archive(metric=old, actor=users["lead"], expected_version=99)
    services.metric_archive(metric=old, actor=users["lead"])
    assert list(selectors.metric_list()) == [kept]
    assert list(selectors.metric_list(archived=True)) == [old]
    assert selectors.objective_health_map([objective])[objective.pk] == Decimal("0.2")
    assert not checkin(old).active and checkin(kept).active
    services.metric_archive(metric=old, actor=users["lead"], archived=False)
    assert checkin(old).active and len(selectors.metric_list()) == 2


@pytest.mark.django_db
def test_delete_only_an_unused_metric(make_metric, users):
    used = make_metric(name="Used")
    measure(used, dt.date(2026, 2, 1), 12)
    with pytest.raises(ValidationFailed) as refused:
        services.metric_delete(metric=used, actor=users["lead"])
    assert refused.value.field == "archived"
    unused = make_metric(name="Unused", guardrail=None)
    guarded = make_metric(name="Guarded", guardrail=unused)
    with pytest.raises(NotAllowed):
        services.metric_delete(metric=unused, actor=users["member"])
    services.metric_delete(metric=unused, actor=users["lead"])
    assert not Metric.objects.filter(pk=unused.pk).exists()
    guarded.refresh_from_db()
    assert guarded.guardrail is None
    assert not Cadence.objects.filter(
        target_type=ContentType.objects.get_for_model(Metric), target_id=unused.pk
    ).exists()


@pytest.mark.django_db
def test_archive_and_delete_in_the_browser(clients, make_metric):
    used, unused = make_metric(name="Used"), make_metric(name="Unused")
    measure(used, dt.date(2026, 2, 1), 12)
    page = clients["lead"].get(f"/outcomes/metrics/{used.pk}/").content.decode()
    assert "Archive metric" in page and "Delete metric" not in page
    assert (
        "Delete metric" in clients["lead"].get(f"/outcomes/metrics/{unused.pk}/").content.decode()
    )
    member_page = clients["member"].get(f"/outcomes/metrics/{used.pk}/").content.decode()
    assert "Archive metric" not in member_page
    leads = {"anonymous": 302, "stakeholder": 403, "member": 403}
    assert_role_matrix(clients, "post", f"/outcomes/metrics/{used.pk}/archive/", leads)
    assert_role_matrix(clients, "post", f"/outcomes/metrics/{unused.pk}/delete/", leads)
    response = clients["lead"].post(f"/outcomes/metrics/{used.pk}/archive/", {"archived": "1"})
    assert response.status_code == 302
    used.refresh_from_db()
    assert used.archived_at is not None
    assert (
        "Used"
        not in clients["lead"]
        .get("/outcomes/metrics/")
        .content.decode()
        .split('id="metric-table"')[1]
    )
    archived_list = clients["lead"].get("/outcomes/metrics/?show=archived").content.decode()
    assert f"/outcomes/metrics/{used.pk}/" in archived_list
    assert (
        'data-testid="archived"'
        in clients["lead"].get(f"/outcomes/metrics/{used.pk}/").content.decode()
    )
    refused = clients["lead"].post(f"/outcomes/metrics/{used.pk}/delete/")
    assert refused.status_code == 302 and Metric.objects.filter(pk=used.pk).exists()
    clients["lead"].post(f"/outcomes/metrics/{used.pk}/archive/", {"archived": "0"})
    used.refresh_from_db()
    assert used.archived_at is None
    clients["lead"].post(f"/outcomes/metrics/{unused.pk}/delete/")
    assert not Metric.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_archive_and_delete_through_the_api(api_clients, make_metric):
    used, unused = make_metric(name="Used"), make_metric(name="Unused")
    measure(used, dt.date(2026, 2, 1), 12)
    url = f"/api/v1/metrics/{used.pk}/"
    assert (
        api_clients["member"]
        .patch(url, {"archived": True, "version": 1}, format="json")
        .status_code
        == 403
    )
    ok = api_clients["lead"].patch(url, {"archived": True, "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["archived"] is True and ok.json()["version"] == 2
    stale = api_clients["lead"].patch(url, {"archived": False, "version": 1}, format="json")
    assert stale.status_code == 409
    names = [
        m["name"] for m in api_clients["stakeholder"].get("/api/v1/metrics/").json()["results"]
    ]
    assert names == ["Unused"]
    archived = api_clients["stakeholder"].get("/api/v1/metrics/?archived=1").json()["results"]
    assert [m["name"] for m in archived] == ["Used"]
    assert api_clients["lead"].get("/api/v1/metrics/?archived=yes").status_code == 400
    refused = api_clients["lead"].delete(url)
    assert refused.status_code == 400 and "archived" in refused.json()
    assert api_clients["stakeholder"].delete(f"/api/v1/metrics/{unused.pk}/").status_code == 403
    assert api_clients["member"].delete(f"/api/v1/metrics/{unused.pk}/").status_code == 403
    assert api_clients["lead"].delete(f"/api/v1/metrics/{unused.pk}/").status_code == 204
    assert not Metric.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_an_archived_metric_takes_no_new_contributions(metric, plan, users):
    services.metric_archive(metric=metric, actor=users["lead"])
    with pytest.raises(ValidationFailed) as refused:
        services.contribution_create(
            actor=users["member"],
            metric=metric,
            roadmap_item=plan(1),
            expected_change=1,
            expected_by=dt.date(2027, 3, 1),
        )
    assert refused.value.field == "metric"


# --- Cadence kinds ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_outcome_reminder_has_its_own_kind_and_label(metric, plan, users, clients):
    item = plan(3, owner=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=item,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
        shipped_on=SHIPPED,
    )
    services.revisits_schedule(contribution=contribution, shipped_on=SHIPPED)
    a, b = DepartmentFactory(), DepartmentFactory()
    coalition = services.coalition_create(
        actor=users["lead"],
        name="Churn council",
        charter="Keep customers",
        review_on=dt.date(2027, 6, 1),
        members=[
            UserFactory(username="s1", department=a),
            UserFactory(username="s2", department=b),
        ],
        lead=users["lead"],
        status=Coalition.Status.ACTIVE,
    )

    def kind_of(model, pk):
        return Cadence.objects.get(
            target_type=ContentType.objects.get_for_model(model), target_id=pk
        ).kind

    assert kind_of(Metric, metric.pk) == "metric_checkin"
    assert kind_of(Coalition, coalition.pk) == "coalition_meeting"
    assert kind_of(Revisit, contribution.revisits.first().pk) == "outcome_revisit"
    labels = dict(Cadence.Kind.choices)
    assert labels["metric_checkin"] == "Metric check-in"
    assert labels["coalition_meeting"] == "Coalition meeting"
    assert labels["outcome_revisit"] == "Outcome revisit"
    reviews_page = clients["admin"].get("/reviews/").content.decode()
    for label in ("Metric check-in", "Coalition meeting", "Outcome revisit"):
        assert label in reviews_page


@pytest.mark.django_db
def test_revisit_api_list_with_guardrail_fields_has_a_fixed_query_count(
    api_clients, guarded, plan, users
):
    from tests.helpers import assert_queries_do_not_grow

    metric, _churn = guarded

    def add(n):
        for _ in range(n):
            contribution = services.contribution_create(
                actor=users["lead"],
                metric=metric,
                roadmap_item=plan(1),
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
            )
            services.revisits_schedule(contribution=contribution, shipped_on=SHIPPED)

    def call():
        response = api_clients["member"].get("/api/v1/revisits/?all=1")
        assert all("guardrail_worse" in r for r in response.json()["results"])
        return response

    assert_queries_do_not_grow(call, add, before=2, after=12)
