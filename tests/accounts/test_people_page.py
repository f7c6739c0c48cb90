from decimal import Decimal

import pytest

from prodops.accounts.models import TeamMembership
from roadmap.models import CapacityOverride
from roadmap.selectors import capacity_change_preview
from tests.factories import UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix


@pytest.mark.django_db
def test_people_page_is_for_admins_only(clients):
    assert_role_matrix(
        clients,
        "get",
        "/people/",
        {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 403, "admin": 200},
    )
    refused = clients["lead"].get("/people/").content.decode()
    assert "This needs the admin role or higher." in refused


@pytest.mark.django_db
def test_people_page_lists_role_department_teams_and_capacity(clients, users, team):
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    membership.allocation_percent = 60
    membership.save()
    page = clients["admin"].get("/people/").content.decode()
    assert "Marketing Ops</a>" in page or "Marketing Ops<span" in page
    assert "60 % of 50.0 d = 30.0 d" in page
    assert "Sales" in page  # the stakeholder's department
    assert f'href="/people/{users["member"].pk}/teams/{membership.pk}/"' in page


@pytest.mark.django_db
def test_people_page_queries_do_not_grow(clients, team):
    def add(n):
        for _ in range(n):
            TeamMembership.objects.create(team=team, user=UserFactory(role="member"))

    assert_queries_do_not_grow(lambda: clients["admin"].get("/people/"), add, before=3, after=20)


@pytest.mark.django_db
def test_preview_numbers_for_a_capacity_change(users, team, roadmap, plan):
    """Capacity 100 → plannable 75; 70 planned. Halving the member's allocation makes
    capacity 75, plannable 56.3 and the roadmap over-committed by 13.7 days."""
    plan(Decimal("70"))
    [row] = capacity_change_preview(
        team_id=team.pk, user_id=users["member"].pk, quarter_days=Decimal("25")
    )
    assert row.roadmap == roadmap
    assert (row.before.capacity_days, row.after.capacity_days) == (Decimal("100"), Decimal("75"))
    assert (row.before.plannable_days, row.after.plannable_days) == (
        Decimal("75.0"),
        Decimal("56.3"),
    )
    assert row.after.planned_days == Decimal("70")
    assert (row.before.free_days, row.after.free_days) == (Decimal("5.0"), Decimal("-13.7"))
    assert not row.before.overcommitted and row.after.overcommitted
    assert row.becomes_overcommitted


@pytest.mark.django_db
def test_preview_of_joining_leaving_and_an_override(users, team, roadmap):
    newcomer = UserFactory(role="member")
    [join] = capacity_change_preview(team_id=team.pk, user_id=newcomer.pk, quarter_days=Decimal(50))
    assert join.after.capacity_days == Decimal("150")
    [leave] = capacity_change_preview(
        team_id=team.pk, user_id=users["member"].pk, quarter_days=None
    )
    assert leave.after.capacity_days == Decimal("50")
    CapacityOverride.objects.create(roadmap=roadmap, user=users["member"], capacity_days=10)
    [kept] = capacity_change_preview(
        team_id=team.pk, user_id=users["member"].pk, quarter_days=Decimal(5)
    )
    assert kept.overridden and kept.after.capacity_days == kept.before.capacity_days == Decimal(60)


@pytest.mark.django_db
def test_preview_is_shown_and_nothing_saved(clients, users, team, roadmap, plan):
    plan(Decimal("70"))
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    url = f"/people/{users['member'].pk}/teams/{membership.pk}/"
    data = {"capacity_days": "50", "allocation_percent": "50", "action": "preview"}
    page = clients["admin"].post(url, data).content.decode()
    assert "100.0 → <strong>75.0</strong> d" in page
    assert "Yes, 13.7 d over" in page
    fragment = clients["admin"].post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('\n<section class="card preview"') or "capacity-preview" in fragment
    assert "<html" not in fragment
    membership.refresh_from_db()
    assert membership.allocation_percent == 100


@pytest.mark.django_db
def test_save_goes_through_and_warns_of_overcommit(clients, users, team, roadmap, plan):
    plan(Decimal("70"))
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    url = f"/people/{users['member'].pk}/teams/{membership.pk}/"
    response = clients["admin"].post(
        url, {"capacity_days": "50", "allocation_percent": "50", "action": "save"}, follow=True
    )
    membership.refresh_from_db()
    assert membership.allocation_percent == 50
    assert "is over-committed: 70.0 person-days planned of 56.3 plannable" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_bad_input_names_the_field_and_saves_nothing(clients, users, team):
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    url = f"/people/{users['member'].pk}/teams/{membership.pk}/"
    response = clients["admin"].post(
        url, {"capacity_days": "50", "allocation_percent": "150", "action": "save"}
    )
    assert response.status_code == 400
    assert "Allocation to this team (%): Ensure this value is less than or equal to 100." in (
        response.content.decode()
    )
    membership.refresh_from_db()
    assert membership.allocation_percent == 100


@pytest.mark.django_db
def test_add_to_a_team_and_take_off(clients, users, team, roadmap):
    newcomer = UserFactory(role="member", username="newcomer")
    add_url = f"/people/{newcomer.pk}/teams/new/"
    page = clients["admin"].post(
        add_url,
        {"team": team.pk, "capacity_days": "50", "allocation_percent": "100", "action": "preview"},
    )
    assert "100.0 → <strong>150.0</strong> d" in page.content.decode()
    clients["admin"].post(
        add_url,
        {"team": team.pk, "capacity_days": "50", "allocation_percent": "100", "action": "save"},
    )
    membership = TeamMembership.objects.get(team=team, user=newcomer)
    edit_url = f"/people/{newcomer.pk}/teams/{membership.pk}/"
    clients["admin"].post(
        edit_url,
        {"capacity_days": "50", "allocation_percent": "100", "remove": "on", "action": "save"},
    )
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_only_admins_change_membership(clients, users, team):
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    url = f"/people/{users['member'].pk}/teams/{membership.pk}/"
    response = clients["lead"].post(
        url, {"capacity_days": "10", "allocation_percent": "10", "action": "save"}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.capacity_days == Decimal("50")


@pytest.mark.django_db
def test_overcommit_badge_follows_capacity(clients, users, team, roadmap, plan):
    """An item planned over plannable with a lead's override shows the over-commit badge;
    adding a person raises capacity so the plan fits, and the badge goes."""
    plan(Decimal("80"), override_reason="Launch needs it", title="Big launch")
    board = clients["lead"].get(f"/roadmap/{roadmap.pk}/").content.decode()
    assert 'class="badge over"' in board
    assert "Over-committed:" in board
    newcomer = UserFactory(role="member")
    clients["admin"].post(
        f"/people/{newcomer.pk}/teams/new/",
        {"team": team.pk, "capacity_days": "50", "allocation_percent": "100", "action": "save"},
    )
    for path in (f"/roadmap/{roadmap.pk}/", f"/roadmap/{roadmap.pk}/list/"):
        page = clients["lead"].get(path).content.decode()
        assert 'data-figure="capacity">150.0 d' in page
        assert 'class="badge over"' not in page, path
        assert "Over-committed:" not in page


@pytest.mark.django_db
def test_live_preview_names_the_field_at_fault(clients, users, team):
    membership = TeamMembership.objects.get(team=team, user=users["member"])
    url = f"/people/{users['member'].pk}/teams/{membership.pk}/"
    response = clients["admin"].post(
        url, {"capacity_days": "50", "allocation_percent": "abc"}, HTTP_HX_REQUEST="true"
    )
    # 200 so htmx swaps it in: the preview says what to fix instead of going quiet.
    assert response.status_code == 200
    assert "Allocation to this team (%): Enter a whole number." in response.content.decode()
