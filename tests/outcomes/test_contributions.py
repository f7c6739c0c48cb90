"""Contributions in the browser and the API: add, change (versions, 409), remove, role rules,
and revisits for requests that ship on no roadmap item."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from intake.models import RequestStatus
from intake.services import request_transition
from outcomes import services
from outcomes.models import Contribution, Revisit
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.reviews.models import Cadence
from tests.factories import RequestFactory, TeamFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def item(plan, users):
    return plan(5, owner=users["member"], title="Checkout revamp")


@pytest.fixture
def contribution(item, metric, users):
    return services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=item,
        expected_change=Decimal(2),
        expected_by=dt.date(2027, 3, 1),
        note="Internal: from the pricing test",
    )


@pytest.fixture
def outsider(db):
    """A member of another team, neither the work's nor the metric's."""
    user = UserFactory(username="outsider", role="member")
    TeamFactory(name="Other team", slug="other-team", lead=UserFactory(username="x", role="lead"))
    return user


# --- Rules -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_change_contributions(contribution, metric, item, users, outsider):
    def may(user):
        return services.contribution_may_change(user, metric=metric, roadmap_item=item)

    assert may(users["member"]) and may(users["lead"]) and may(users["admin"])
    assert not may(users["stakeholder"]) and not may(outsider)
    other_lead = UserFactory(username="lead-elsewhere", role="lead")
    assert may(other_lead)  # leads: all work and metrics
    with pytest.raises(NotAllowed):
        services.contribution_update(contribution=contribution, actor=outsider, note="x")
    with pytest.raises(NotAllowed):
        services.contribution_delete(contribution=contribution, actor=users["stakeholder"])


@pytest.mark.django_db
def test_a_member_of_the_metrics_team_adds_another_teams_item(metric, users, accepted):
    from roadmap import services as roadmap_services

    other = TeamFactory(name="Growth", slug="growth", lead=UserFactory(username="gl", role="lead"))
    roadmap = roadmap_services.roadmap_create(actor=users["admin"], team=other, period="2027-Q1")
    foreign = roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=users["admin"],
        requests=[accepted(team=other)],
        objective=metric.objective,
        estimate_days=1,
        override_reason="Growth has no capacity set in this test",
    )
    made = services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=foreign,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
    )
    assert made.roadmap_item == foreign


@pytest.mark.django_db
def test_update_bumps_version_refuses_stale_and_archived_metric(contribution, make_metric, users):
    updated = services.contribution_update(
        contribution=contribution,
        actor=users["member"],
        expected_version=1,
        expected_change="3.5",
        expected_by=dt.date(2027, 4, 1),
    )
    assert updated.version == 2 and updated.expected_change == Decimal("3.5")
    from prodops.core.errors import EditConflict

    with pytest.raises(EditConflict):
        services.contribution_update(
            contribution=contribution, actor=users["member"], expected_version=1, note="late"
        )
    archived = make_metric(name="Old metric")
    services.metric_archive(metric=archived, actor=users["lead"])
    with pytest.raises(ValidationFailed) as refused:
        services.contribution_update(
            contribution=contribution, actor=users["member"], metric=archived
        )
    assert refused.value.field == "metric"


@pytest.mark.django_db
def test_delete_removes_open_revisits_and_their_reminders_but_not_recorded_ones(
    contribution, item, users
):
    from tests.outcomes.test_revisits import ship

    ship(item, users["lead"])
    revisit_type = ContentType.objects.get_for_model(Revisit)
    assert Cadence.objects.filter(target_type=revisit_type).count() == 2
    first = contribution.revisits.order_by("due_on").first()
    services.revisit_record(
        revisit=first, actor=users["member"], outcome="inconclusive", impact_statement="Too early"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.contribution_delete(contribution=contribution, actor=users["member"])
    assert refused.value.field == "revisits"
    recorded_pk = first.pk
    first.delete()  # as if it had never been recorded
    services.contribution_delete(contribution=contribution, actor=users["member"])
    assert not Contribution.objects.exists() and not Revisit.objects.exists()
    assert (
        not Cadence.objects.filter(target_type=revisit_type, kind="outcome_revisit")
        .exclude(target_id=recorded_pk)
        .exists()
    )


# --- Requests shipped on no roadmap item -----------------------------------------------------


@pytest.mark.django_db
def test_a_request_shipped_on_its_own_gets_revisits_and_is_measured_after_them(metric, team, users):
    request = RequestFactory(status=RequestStatus.IN_PROGRESS, team=team, assignee=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        request=request,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
    )
    assert not contribution.revisits.exists()
    request_transition(request=request, to=RequestStatus.SHIPPED, actor=users["member"])
    contribution.refresh_from_db()
    today = timezone.localdate()
    assert contribution.shipped_on == today
    assert [r.due_on for r in contribution.revisits.all()] == [
        today + dt.timedelta(days=30),
        today + dt.timedelta(days=90),
    ]
    cadences = Cadence.objects.filter(
        kind="outcome_revisit", target_type=ContentType.objects.get_for_model(Revisit)
    )
    assert {c.owner for c in cadences} == {users["member"]}
    for revisit in contribution.revisits.all():
        services.revisit_record(
            revisit=revisit, actor=users["member"], outcome="not_moved", impact_statement="Flat"
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.MEASURED


@pytest.mark.django_db
def test_a_contribution_added_to_an_already_shipped_request_gets_revisits(metric, team, users):
    request = RequestFactory(status=RequestStatus.SHIPPED, team=team, assignee=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        request=request,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
    )
    assert contribution.revisits.count() == 2


@pytest.mark.django_db
def test_items_requests_get_revisits_once_through_the_item(plan, metric, users):
    from tests.outcomes.test_revisits import ship

    item = plan(3, owner=users["member"])
    request = item.requests.get()
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        request=request,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
    )
    ship(item, users["lead"])
    assert contribution.revisits.count() == 2


# --- Browser ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_contribution_inline_on_the_metric_page(clients, metric, item):
    url = f"/outcomes/metrics/{metric.pk}/contributions/"
    response = clients["member"].post(
        url,
        {"roadmap_item": item.pk, "expected_change": "2.5", "expected_by": "2027-03-01"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="contributions"' in html and "Checkout revamp" in html and "<html" not in html
    assert Contribution.objects.get().expected_change == Decimal("2.5")
    bad = clients["member"].post(url, {"roadmap_item": item.pk, "expected_by": "2027-03-01"}, **HX)
    assert bad.status_code == 400 and "Expected change" in bad.content.decode()
    both = clients["member"].post(
        url,
        {
            "roadmap_item": item.pk,
            "request": 999999,
            "expected_change": 1,
            "expected_by": "2027-03-01",
        },
        **HX,
    )
    assert both.status_code == 400 and "not both" in both.content.decode()
    assert Contribution.objects.count() == 1


@pytest.mark.django_db
def test_add_contribution_for_a_request_by_number(clients, metric, team, users):
    request = RequestFactory(status=RequestStatus.IN_PROGRESS, team=team)
    url = f"/outcomes/metrics/{metric.pk}/contributions/"
    missing = clients["member"].post(
        url, {"request": 999999, "expected_change": 1, "expected_by": "2027-03-01"}, **HX
    )
    assert missing.status_code == 400 and "no request #999999" in missing.content.decode()
    ok = clients["member"].post(
        url, {"request": request.pk, "expected_change": 1, "expected_by": "2027-03-01"}
    )
    assert ok.status_code == 302 and Contribution.objects.get().request == request


@pytest.mark.django_db
def test_contribution_browser_role_matrix(clients, metric, item, contribution):
    add = {"anonymous": 302, "stakeholder": 403, "member": 302, "lead": 302, "admin": 302}
    body = {"roadmap_item": item.pk, "expected_change": 1, "expected_by": "2027-03-01"}
    assert_role_matrix(clients, "post", f"/outcomes/metrics/{metric.pk}/contributions/", add, body)
    members = {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200}
    assert_role_matrix(clients, "get", f"/outcomes/items/{item.pk}/contributions/", members)
    assert_role_matrix(clients, "get", f"/outcomes/contributions/{contribution.pk}/edit/", members)
    html = clients["stakeholder"].get(f"/outcomes/metrics/{metric.pk}/").content.decode()
    assert 'data-testid="contribution-form"' not in html
    assert "/edit/" not in html.split('id="contributions"')[1]
    assert "from the pricing test" not in html


@pytest.mark.django_db
def test_an_outsider_member_cannot_change_or_remove(clients, contribution, outsider):
    clients["member"].force_login(outsider)
    edit = clients["member"].post(
        f"/outcomes/contributions/{contribution.pk}/edit/",
        {"expected_change": 9, "expected_by": "2027-03-01", "version": 1},
    )
    assert edit.status_code == 403
    gone = clients["member"].post(f"/outcomes/contributions/{contribution.pk}/delete/")
    assert gone.status_code == 403 and Contribution.objects.filter(pk=contribution.pk).exists()


@pytest.mark.django_db
def test_edit_inline_with_version_and_stale_edit(clients, contribution):
    url = f"/outcomes/contributions/{contribution.pk}/edit/"
    form = clients["member"].get(url + "?on=metric", **HX)
    assert 'data-testid="contribution-edit-form"' in form.content.decode()
    body = {"expected_change": "4", "expected_by": "2027-05-01", "note": "", "version": 1}
    ok = clients["member"].post(url, {**body, "on": "metric"}, **HX)
    assert ok.status_code == 200 and 'id="contributions"' in ok.content.decode()
    contribution.refresh_from_db()
    assert contribution.expected_change == Decimal(4) and contribution.version == 2
    stale = clients["member"].post(url, {**body, "expected_change": "5", "on": "metric"}, **HX)
    assert stale.status_code == 400 and "Someone else changed this" in stale.content.decode()
    contribution.refresh_from_db()
    assert contribution.expected_change == Decimal(4)


@pytest.mark.django_db
def test_remove_inline_from_the_item_page(clients, contribution, item):
    page = clients["member"].get(f"/outcomes/items/{item.pk}/contributions/")
    assert page.status_code == 200 and "Trial-to-paid" in page.content.decode()
    response = clients["member"].post(
        f"/outcomes/contributions/{contribution.pk}/delete/", {"on": "item"}, **HX
    )
    assert response.status_code == 200
    assert "says nothing yet" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_add_from_the_item_page_picks_the_metric(clients, metric, item):
    url = f"/outcomes/items/{item.pk}/contributions/"
    response = clients["member"].post(
        url, {"metric": metric.pk, "expected_change": "1", "expected_by": "2027-03-01"}, **HX
    )
    assert response.status_code == 200 and Contribution.objects.get().roadmap_item == item
    item_page = clients["member"].get(f"/roadmap/{item.roadmap_id}/items/{item.pk}/edit/")
    assert url in item_page.content.decode()


@pytest.mark.django_db
def test_item_contributions_query_count_does_not_grow(clients, make_metric, item, users):
    def add(n):
        for i in range(n):
            m = make_metric(name=f"M{Contribution.objects.count()}-{i}")
            services.contribution_create(
                actor=users["lead"],
                metric=m,
                roadmap_item=item,
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
            )

    url = f"/outcomes/items/{item.pk}/contributions/"
    assert_queries_do_not_grow(lambda: clients["member"].get(url), add, before=3, after=30)


@pytest.mark.django_db
def test_metric_page_query_count_does_not_grow_with_contributions(clients, metric, plan, users):
    def add(n):
        for _ in range(n):
            services.contribution_create(
                actor=users["lead"],
                metric=metric,
                roadmap_item=plan(1),
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
                shipped_on=dt.date(2026, 5, 1),
            )

    url = f"/outcomes/metrics/{metric.pk}/"
    assert_queries_do_not_grow(lambda: clients["member"].get(url), add, before=2, after=12)


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contribution_api_patch_with_version_409_and_delete(api_clients, contribution, outsider):
    url = f"/api/v1/contributions/{contribution.pk}/"
    client = api_clients["member"]
    assert client.patch(url, {"note": "x"}, format="json").status_code == 400
    ok = client.patch(url, {"expected_change": 3, "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert ok.json()["expected_change"] == 3.0
    stale = client.patch(url, {"expected_change": 4, "version": 1}, format="json")
    assert stale.status_code == 409
    moved = client.patch(url, {"request": 1, "version": 2}, format="json")
    assert moved.status_code == 400
    bad = client.patch(url, {"expected_by": "soon", "version": 2}, format="json")
    assert bad.status_code == 400 and "expected_by" in bad.json()
    assert api_clients["stakeholder"].delete(url).status_code == 403
    api_clients["outsider"] = api_clients["stakeholder"]
    api_clients["outsider"].force_authenticate(outsider)
    assert api_clients["outsider"].delete(url).status_code == 403
    assert client.delete(url).status_code == 204
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_contribution_api_role_matrix_for_writes(api_clients, contribution):
    url = f"/api/v1/contributions/{contribution.pk}/"
    matrix = {"anonymous": 401, "stakeholder": 403, "member": 200, "lead": 200}
    for role, want in matrix.items():
        version = Contribution.objects.get().version
        got = api_clients[role].patch(url, {"note": role, "version": version}, format="json")
        assert got.status_code == want, role


@pytest.mark.django_db
def test_contribution_api_list_query_count_does_not_grow(api_clients, metric, plan, users):
    def add(n):
        for _ in range(n):
            services.contribution_create(
                actor=users["lead"],
                metric=metric,
                roadmap_item=plan(1),
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
            )

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/contributions/"), add, before=2, after=12
    )
