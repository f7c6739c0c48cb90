import datetime as dt
from decimal import Decimal

import pytest

from intake.models import RequestStatus
from prodops.activity.models import ActivityEvent
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from roadmap import rules, selectors, services
from roadmap.models import Overcommit, RoadmapItem
from tests.factories import MembershipFactory, UserFactory


def figures(roadmap):
    return selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))


@pytest.mark.parametrize("percent", ["20", "25", "30", "22.5"])
def test_buffer_inside_20_to_30_is_allowed(percent):
    assert rules.buffer_refusal(Decimal(percent)) is None


@pytest.mark.parametrize(
    "percent,word",
    [("19.9", "below 20"), ("0", "below 20"), ("31", "above 30"), ("100", "above 30")],
)
def test_buffer_outside_range_is_refused_with_reason(percent, word):
    assert word in rules.buffer_refusal(Decimal(percent))


@pytest.mark.django_db
def test_roadmap_defaults_to_25_percent_and_refuses_bad_buffer(team, users):
    roadmap = services.roadmap_create(actor=users["lead"], team=team, period="2027-q2")
    assert roadmap.buffer_percent == Decimal("25")
    assert roadmap.period == "2027-Q2"
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_update(roadmap=roadmap, actor=users["lead"], buffer_percent="35")
    assert error.value.field == "buffer_percent"
    roadmap.refresh_from_db()
    assert roadmap.buffer_percent == Decimal("25")


@pytest.mark.django_db
def test_capacity_and_plannable_arithmetic(team, users, roadmap):
    nora = UserFactory(username="nora", role="member")
    MembershipFactory(team=team, user=nora, capacity_days=50, allocation_percent=80)
    # 50 + 50 + 50 × 0.8 = 140; plannable at 25 % = 105
    f = figures(roadmap)
    assert f.capacity_days == Decimal("140")
    assert f.plannable_days == Decimal("105.0")
    assert f.buffer_days == Decimal("35.0")
    services.roadmap_update(
        roadmap=roadmap, actor=users["lead"], buffer_percent="20", capacity_overrides={nora.pk: 10}
    )
    # override replaces capacity × allocation: 50 + 50 + 10 = 110; × 0.8 = 88
    f = figures(roadmap)
    assert f.capacity_days == Decimal("110")
    assert f.plannable_days == Decimal("88.0")
    services.roadmap_update(
        roadmap=roadmap, actor=users["lead"], capacity_overrides={nora.pk: None}
    )
    assert figures(roadmap).capacity_days == Decimal("140")


@pytest.mark.django_db
def test_planned_free_and_default_estimate_from_assessments(roadmap, users, objective, accepted):
    one, two = accepted(effort=10), accepted(effort=4)
    from intake.models import Assessment

    Assessment.objects.create(
        request=one, assessor=users["lead"], feasibility=3, effort_days=Decimal("20"), impact=3
    )
    item = services.roadmap_item_create(
        roadmap=roadmap, actor=users["lead"], requests=[one, two], objective=objective
    )
    # mean(10, 20) + mean(4) = 19
    assert item.estimate_days == Decimal("19.0")
    f = figures(roadmap)
    assert f.planned_days == Decimal("19.0")
    assert f.free_days == Decimal("56.0")
    one.refresh_from_db()
    assert one.status == RequestStatus.PLANNED


@pytest.mark.django_db
def test_objective_is_required(roadmap, users, accepted):
    request = accepted(effort=3)
    request.objective = None
    request.save()
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_create(roadmap=roadmap, actor=users["lead"], requests=[request])
    assert error.value.field == "objective"
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


@pytest.mark.django_db
def test_only_accepted_requests_can_be_planned(roadmap, users, objective, accepted):
    request = accepted(effort=3)
    request.status = RequestStatus.SCORED
    request.save()
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_create(
            roadmap=roadmap, actor=users["lead"], requests=[request], objective=objective
        )
    assert error.value.field == "requests"


@pytest.mark.django_db
def test_overcommit_refused_with_numbers_and_nothing_saved(
    roadmap, plan, accepted, objective, users
):
    plan(70)
    request = accepted()
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_create(
            roadmap=roadmap,
            actor=users["lead"],
            requests=[request],
            objective=objective,
            estimate_days=6,
        )
    assert error.value.field == "estimate_days"
    assert "76.0 of 75.0" in error.value.message
    assert RoadmapItem.objects.filter(roadmap=roadmap).count() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    # exactly filling plannable is fine: the buffer is untouched
    plan(5)
    assert figures(roadmap).free_days == Decimal("0")


@pytest.mark.django_db
def test_lead_overrides_overcommit_with_recorded_reason(roadmap, plan, users):
    plan(70)
    item = plan(10, override_reason="Board asked for the launch this quarter")
    record = Overcommit.objects.get(roadmap=roadmap)
    assert record.item == item
    assert record.reason == "Board asked for the launch this quarter"
    assert record.planned_days == Decimal("80") and record.plannable_days == Decimal("75")
    assert figures(roadmap).overcommitted


@pytest.mark.django_db
def test_member_cannot_override_overcommit(roadmap, plan, users):
    item = plan(70)
    with pytest.raises(NotAllowed):
        services.roadmap_item_update(
            item=item, actor=users["member"], estimate_days=80, override_reason="please"
        )
    with pytest.raises(ValidationFailed):
        services.roadmap_item_update(item=item, actor=users["member"], estimate_days=80)
    item.refresh_from_db()
    assert item.estimate_days == Decimal("70")
    # lowering is always fine, and a member of the team may re-estimate inside plannable
    services.roadmap_item_update(item=item, actor=users["member"], estimate_days=60)


@pytest.mark.django_db
def test_raising_buffer_over_planned_is_an_overcommit(roadmap, plan, users):
    plan(75)
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_update(roadmap=roadmap, actor=users["lead"], buffer_percent=30)
    assert error.value.field == "buffer_percent"
    services.roadmap_update(
        roadmap=roadmap, actor=users["lead"], buffer_percent=30, override_reason="Known risk"
    )
    assert Overcommit.objects.filter(roadmap=roadmap, item=None).count() == 1


@pytest.mark.django_db
def test_member_of_another_team_cannot_edit_items(roadmap, plan):
    outsider = UserFactory(username="outsider", role="member")
    item = plan(5)
    with pytest.raises(NotAllowed):
        services.roadmap_item_move(
            item=item, actor=outsider, lane="now", expected_version=item.version
        )
    with pytest.raises(NotAllowed):
        services.unplanned_log(
            roadmap=roadmap, actor=outsider, day="2027-01-11", days=1, what="x", requested_by="y"
        )


@pytest.mark.django_db
def test_stale_version_is_a_conflict(plan, users):
    item = plan(5)
    version = item.version
    services.roadmap_item_move(
        item=item, actor=users["member"], lane="now", expected_version=version
    )
    with pytest.raises(EditConflict):
        services.roadmap_item_move(
            item=item, actor=users["lead"], lane="later", expected_version=version
        )
    item.refresh_from_db()
    assert item.lane == "now"


@pytest.mark.django_db
def test_shipping_an_item_ships_its_requests(plan, users):
    item = plan(5)
    services.roadmap_item_update(item=item, actor=users["member"], status="shipped")
    for request in item.requests.all():
        assert request.status == RequestStatus.SHIPPED
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_update(item=item, actor=users["member"], status="planned")
    assert error.value.field == "status"


@pytest.mark.django_db
def test_removing_an_item_returns_requests_to_accepted(plan, users):
    item = plan(5)
    request = item.requests.get()
    services.roadmap_item_remove(item=item, actor=users["lead"])
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


@pytest.mark.django_db
def test_month_span_must_lie_inside_the_quarter(plan):
    with pytest.raises(ValidationFailed) as error:
        plan(5, start_month=dt.date(2027, 3, 1), end_month=dt.date(2027, 4, 1))
    assert error.value.field == "end_month"
    item = plan(5, start_month=dt.date(2027, 2, 14), end_month=dt.date(2027, 3, 1))
    assert item.start_month == dt.date(2027, 2, 1)


@pytest.mark.django_db
def test_shared_item_needs_stakeholder_title(plan):
    with pytest.raises(ValidationFailed) as error:
        plan(5, visibility="shared")
    assert error.value.field == "public_title"


@pytest.mark.django_db
def test_buffer_burn_alerts_once_per_threshold(roadmap, users):
    # buffer = 25 days; 19 days = 76 %, 20 = 80 %, 25 = 100 %
    lead, member = users["lead"], users["member"]
    services.unplanned_log(
        roadmap=roadmap, actor=member, day="2027-01-11", days=19, what="Fix", requested_by="Sales"
    )
    assert not Notification.objects.filter(kind=Notification.Kind.BUFFER_ALERT).exists()
    services.unplanned_log(
        roadmap=roadmap, actor=member, day="2027-01-11", days=1, what="Fix", requested_by="CS"
    )
    assert figures(roadmap).buffer_burn_percent == Decimal("80.0")
    alerts = Notification.objects.filter(recipient=lead, kind=Notification.Kind.BUFFER_ALERT)
    assert [n.title for n in alerts.all()] == [f"{roadmap}: buffer 80 % used"]
    services.unplanned_log(
        roadmap=roadmap, actor=member, day="2027-01-11", days=2, what="More", requested_by="CS"
    )
    assert alerts.count() == 1
    services.unplanned_log(
        roadmap=roadmap, actor=member, day="2027-01-11", days=3, what="More", requested_by="CS"
    )
    assert figures(roadmap).buffer_burn_percent == Decimal("100.0")
    services.unplanned_log(
        roadmap=roadmap, actor=member, day="2027-01-11", days=3, what="Even more", requested_by="CS"
    )
    assert sorted(n.title for n in alerts.all()) == [
        f"{roadmap}: buffer 100 % used",
        f"{roadmap}: buffer 80 % used",
    ]


@pytest.mark.django_db
def test_unplanned_entry_needs_days_what_and_who(roadmap, users):
    for kwargs, field in (
        ({"days": 0, "what": "x", "requested_by": "y"}, "days"),
        ({"days": "abc", "what": "x", "requested_by": "y"}, "days"),
        ({"days": 1, "what": " ", "requested_by": "y"}, "what"),
        ({"days": 1, "what": "x", "requested_by": ""}, "requested_by"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.unplanned_log(roadmap=roadmap, actor=users["member"], **kwargs)
        assert error.value.field == field


@pytest.mark.django_db
def test_changes_are_on_the_activity_trail(plan, users):
    item = plan(5)
    services.roadmap_item_move(
        item=item, actor=users["member"], lane="now", expected_version=item.version
    )
    verbs = list(ActivityEvent.objects.filter(target_id=item.pk).values_list("verb", flat=True))
    assert "created" in verbs and "updated" in verbs


@pytest.mark.django_db(transaction=True)
def test_commitment_check_holds_under_concurrency(team, users, objective, accepted):
    """Two leads each add 40 days to a 75-day plan at the same moment: only one fits."""
    import threading

    from django.db import connection

    roadmap = services.roadmap_create(actor=users["lead"], team=team, period="2027-Q3")
    requests = [accepted(), accepted()]
    barrier = threading.Barrier(2)
    outcomes = []

    def add(request):
        try:
            barrier.wait()
            services.roadmap_item_create(
                roadmap=roadmap,
                actor=users["lead"],
                requests=[request],
                objective=objective,
                estimate_days=40,
            )
            outcomes.append("ok")
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert figures(roadmap).planned_days == Decimal("40")


@pytest.mark.django_db
def test_shrinking_the_buffer_alerts_once_per_threshold(roadmap, users, log_unplanned):
    """Burn rises when the buffer shrinks, not only when work is logged: lowering the buffer
    or a member's capacity past 80 % / 100 % alerts the lead, once per threshold."""
    lead, member = users["lead"], users["member"]
    log_unplanned(19)  # 19 of 25 buffer days: 76 %
    alerts = Notification.objects.filter(recipient=lead, kind=Notification.Kind.BUFFER_ALERT)
    assert not alerts.exists()
    services.roadmap_update(roadmap=roadmap, actor=lead, buffer_percent="20")  # 19 of 20: 95 %
    assert [n.title for n in alerts.all()] == [f"{roadmap}: buffer 80 % used"]
    services.roadmap_update(roadmap=roadmap, actor=lead, notes="same buffer")
    assert alerts.count() == 1
    services.roadmap_update(
        roadmap=roadmap, actor=lead, capacity_overrides={member.pk: 30}
    )  # capacity 80, buffer 16: 118.8 %
    assert sorted(n.title for n in alerts.all()) == [
        f"{roadmap}: buffer 100 % used",
        f"{roadmap}: buffer 80 % used",
    ]
    services.roadmap_update(roadmap=roadmap, actor=lead, capacity_overrides={member.pk: 20})
    assert alerts.count() == 2


@pytest.mark.django_db
def test_unplanned_entry_day_lies_inside_the_quarter(roadmap, users, api_clients):
    for day in ("2026-12-31", "2027-04-01", dt.date(2027, 7, 1)):
        with pytest.raises(ValidationFailed) as error:
            services.unplanned_log(
                roadmap=roadmap, actor=users["member"], day=day, days=1, what="x", requested_by="y"
            )
        assert error.value.field == "day" and "2027-Q1" in error.value.message
    # Without a day it is today, which lies outside this future quarter.
    with pytest.raises(ValidationFailed) as error:
        services.unplanned_log(
            roadmap=roadmap,
            actor=users["member"],
            days=1,
            what="x",
            requested_by="y",
        )
    assert error.value.field == "day"
    url = f"/api/v1/roadmaps/{roadmap.pk}/unplanned/"
    body = {"day": "2027-04-02", "days": "1", "what": "x", "requested_by": "y"}
    response = api_clients["member"].post(url, body, format="json")
    assert response.status_code == 400 and "2027-Q1" in response.json()["day"][0]
    for day in ("2027-01-01", "2027-03-31"):
        response = api_clients["member"].post(url, {**body, "day": day}, format="json")
        assert response.status_code == 201, day
