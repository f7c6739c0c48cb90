"""The admin keeps the roadmap's rules: capacity changes that over-commit a roadmap are
called out, and unplanned work is logged only where its buffer alerts fire."""

import pytest

from prodops.accounts.models import TeamMembership
from prodops.notifications.models import Notification
from roadmap import services
from roadmap.models import UnplannedEntry


def _team_form(team, capacities: dict) -> dict:
    """The team change form as the admin posts it, with each member's capacity."""
    memberships = list(TeamMembership.objects.filter(team=team).order_by("pk"))
    data = {
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        "lead": team.lead_id,
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": len(memberships),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for index, membership in enumerate(memberships):
        prefix = f"memberships-{index}-"
        data.update(
            {
                f"{prefix}id": membership.pk,
                f"{prefix}team": team.pk,
                f"{prefix}user": membership.user_id,
                f"{prefix}capacity_days": capacities.get(membership.user_id, 50),
                f"{prefix}allocation_percent": membership.allocation_percent,
            }
        )
    return data


@pytest.mark.django_db
def test_admin_warns_when_a_capacity_change_overcommits_a_roadmap(
    clients, team, roadmap, plan, users
):
    plan(70)  # of 75 plannable
    plan(70, on=services.roadmap_create(actor=users["lead"], team=team, period="2025-Q4"))
    url = f"/admin/accounts/team/{team.pk}/change/"
    # A change that still fits says nothing.
    response = clients["admin"].post(url, _team_form(team, {users["member"].pk: 45}), follow=True)
    assert response.status_code == 200
    assert "over-committed" not in response.content.decode()
    # 50 + 40 = 90 capacity → 67.5 plannable, below the 70 planned.
    response = clients["admin"].post(url, _team_form(team, {users["member"].pk: 40}), follow=True)
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1, warnings
    assert "Marketing Ops 2027-Q1" in warnings[0]
    assert "70.0" in warnings[0] and "67.5" in warnings[0]
    assert "2025-Q4" not in warnings[0]  # a past quarter is history, not a plan
    assert TeamMembership.objects.get(user=users["member"], team=team).capacity_days == 40


@pytest.mark.django_db
def test_admin_capacity_change_checks_buffer_alerts(clients, team, roadmap, users, log_unplanned):
    log_unplanned(19)  # 19 of 25 buffer days: 76 %
    clients["admin"].post(
        f"/admin/accounts/team/{team.pk}/change/",
        _team_form(team, {users["member"].pk: 20}),  # capacity 70, buffer 17.5: 108.6 %
    )
    titles = set(
        Notification.objects.filter(
            recipient=users["lead"], kind=Notification.Kind.BUFFER_ALERT
        ).values_list("title", flat=True)
    )
    assert titles == {f"{roadmap}: buffer 80 % used", f"{roadmap}: buffer 100 % used"}


@pytest.mark.django_db
def test_unplanned_entries_are_read_only_in_the_admin(clients, roadmap, log_unplanned):
    entry = log_unplanned(2)
    admin = clients["admin"]
    base = "/admin/roadmap/unplannedentry/"
    assert admin.get(base).status_code == 200
    assert admin.get(f"{base}{entry.pk}/change/").status_code == 200  # viewable
    assert admin.get(f"{base}add/").status_code == 403
    response = admin.post(
        f"{base}{entry.pk}/change/",
        {
            "roadmap": roadmap.pk,
            "day": "2027-01-12",
            "days": "20",
            "what": "x",
            "requested_by": "y",
        },
    )
    assert response.status_code == 403
    assert admin.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.days == 2
    assert UnplannedEntry.objects.count() == 1
