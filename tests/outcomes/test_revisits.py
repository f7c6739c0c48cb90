import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from intake.models import RequestStatus
from outcomes import selectors, services
from outcomes.models import Contribution, Revisit
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.reviews import services as review_services
from prodops.reviews.models import Cadence, ReminderDelivery
from roadmap.models import RoadmapItem
from roadmap.services import roadmap_item_update


def ship(item, actor):
    item = roadmap_item_update(item=item, actor=actor, status=RoadmapItem.Status.IN_PROGRESS)
    return roadmap_item_update(item=item, actor=actor, status=RoadmapItem.Status.SHIPPED)


def reminders(user=None):
    qs = Notification.objects.filter(
        kind=Notification.Kind.REVIEW_DUE, url__startswith="/outcomes/revisits/"
    )
    return qs.filter(recipient=user) if user else qs


def revisit_cadences():
    return Cadence.objects.filter(target_type=ContentType.objects.get_for_model(Revisit))


def revisit_deliveries():
    return ReminderDelivery.objects.filter(cadence__in=revisit_cadences())


@pytest.fixture
def shipped_work(plan, metric, users):
    """An item owned by the member, contributing +2 to the metric, shipped today."""
    item = plan(5, owner=users["member"])
    contribution = services.contribution_create(
        actor=users["member"],
        metric=metric,
        roadmap_item=item,
        expected_change=Decimal(2),
        expected_by=timezone.localdate() + dt.timedelta(days=60),
    )
    ship(item, users["lead"])
    contribution.refresh_from_db()
    return item, contribution


@pytest.mark.django_db
def test_shipping_gives_each_contribution_its_revisit_dates(shipped_work):
    _item, contribution = shipped_work
    today = timezone.localdate()
    assert contribution.shipped_on == today
    assert [r.due_on for r in contribution.revisits.all()] == [
        today + dt.timedelta(days=30),
        today + dt.timedelta(days=90),
    ]
    cadences = revisit_cadences()
    assert sorted(c.next_due_on for c in cadences) == [
        today + dt.timedelta(days=30),
        today + dt.timedelta(days=90),
    ]
    assert {c.owner.username for c in cadences} == {"member"}


@pytest.mark.django_db
@override_settings(OUTCOMES_REVISIT_DAYS=[14])
def test_revisit_days_are_a_setting(plan, metric, users):
    item = plan(5)
    contribution = services.contribution_create(
        actor=users["lead"],
        metric=metric,
        roadmap_item=item,
        expected_change=1,
        expected_by=dt.date(2027, 3, 1),
    )
    ship(item, users["lead"])
    assert [r.due_on for r in contribution.revisits.all()] == [
        timezone.localdate() + dt.timedelta(days=14)
    ]


@pytest.mark.django_db(transaction=True)
def test_revisit_reminder_once_through_duplicate_beats_and_a_crash(shipped_work, users):
    _item, contribution = shipped_work
    first = contribution.revisits.order_by("due_on").first()
    day = first.due_on
    review_services.reviews_sweep(today=day - dt.timedelta(days=1))
    assert not revisit_deliveries().exists()
    # The process dies after the insert committed but before any send was queued.
    with (
        mock.patch("prodops.reviews.tasks.send_review_reminder.delay", side_effect=SystemExit),
        pytest.raises(SystemExit),
    ):
        review_services.reviews_sweep(today=day)
    assert revisit_deliveries().count() == 1 and reminders().count() == 0
    for beat in range(4):  # duplicate beats, some on later days
        review_services.reviews_sweep(today=day + dt.timedelta(days=beat // 2))
    assert reminders(users["member"]).count() == 1
    reminder = reminders(users["member"]).get()
    assert reminder.url == f"/outcomes/revisits/{first.pk}/"
    assert revisit_deliveries().count() == 1
    # Recording the revisit stops its reminders; the next revisit date reminds once more.
    services.revisit_record(
        revisit=first,
        actor=users["member"],
        outcome="moved",
        observed_change="1.5",
        impact_statement="Trial-to-paid +1.5 pts since it shipped",
    )
    later = first.due_on + dt.timedelta(days=60)
    for _ in range(3):
        review_services.reviews_sweep(today=later)
    assert reminders(users["member"]).count() == 2


@pytest.mark.django_db
def test_recording_the_last_revisit_moves_the_requests_to_measured(shipped_work, users):
    item, contribution = shipped_work
    request = item.requests.get()
    assert request.status == RequestStatus.SHIPPED
    first, last = contribution.revisits.order_by("due_on")
    services.revisit_record(
        revisit=first, actor=users["member"], outcome="inconclusive", impact_statement="Too early"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.SHIPPED
    services.revisit_record(
        revisit=last,
        actor=users["member"],
        outcome="moved",
        observed_change=2,
        impact_statement="Trial-to-paid +2 pts since it shipped",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.MEASURED
    assert request.status_changes.filter(to_status=RequestStatus.MEASURED).exists()


@pytest.mark.django_db
def test_recording_checks_its_input_and_the_team(shipped_work, users):
    _item, contribution = shipped_work
    revisit = contribution.revisits.first()
    with pytest.raises(ValidationFailed) as error:
        services.revisit_record(
            revisit=revisit, actor=users["member"], outcome="moved", impact_statement="Up"
        )
    assert error.value.field == "observed_change"
    with pytest.raises(ValidationFailed) as error:
        services.revisit_record(revisit=revisit, actor=users["member"], outcome="maybe")
    assert error.value.field == "outcome"
    with pytest.raises(NotAllowed):
        services.revisit_record(
            revisit=revisit, actor=users["stakeholder"], outcome="not_moved", impact_statement="x"
        )


@pytest.mark.django_db
def test_other_work_shipped_to_the_metric_in_the_window_is_a_confounder(
    shipped_work, plan, metric, users
):
    _item, contribution = shipped_work
    other = plan(3)
    services.contribution_create(
        actor=users["lead"],
        metric=metric,
        roadmap_item=other,
        expected_change=1,
        expected_by=dt.date(2027, 6, 1),
    )
    ship(other, users["lead"])
    unrelated = plan(2)  # not shipped: not a confounder
    services.contribution_create(
        actor=users["lead"],
        metric=metric,
        roadmap_item=unrelated,
        expected_change=1,
        expected_by=dt.date(2027, 6, 1),
    )
    revisit = contribution.revisits.first()
    confounders = selectors.revisit_confounders(revisit)
    assert [c.roadmap_item for c in confounders] == [other]


@pytest.mark.django_db
def test_revisit_page_records_from_the_reminder_link(clients, shipped_work, users):
    _item, contribution = shipped_work
    revisit = contribution.revisits.first()
    url = f"/outcomes/revisits/{revisit.pk}/"
    assert clients["stakeholder"].get(url).status_code == 403
    response = clients["member"].post(
        url,
        {"outcome": "not_moved", "impact_statement": "Flat since it shipped", "version": 1},
    )
    assert response.status_code == 302
    revisit.refresh_from_db()
    assert revisit.outcome == Revisit.Outcome.NOT_MOVED
    assert not Cadence.objects.get(target_id=revisit.pk, kind="outcome_revisit").active


@pytest.mark.django_db
def test_a_contribution_names_one_source(metric, users, plan):
    with pytest.raises(ValidationFailed):
        services.contribution_create(
            actor=users["lead"], metric=metric, expected_change=1, expected_by=dt.date(2027, 1, 1)
        )
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_revisits_page_query_count_does_not_grow(clients, plan, metric, users):
    from tests.helpers import assert_queries_do_not_grow

    def add(n):
        for _ in range(n):
            contribution = services.contribution_create(
                actor=users["lead"],
                metric=metric,
                roadmap_item=plan(1),
                expected_change=1,
                expected_by=dt.date(2027, 3, 1),
            )
            services.revisits_schedule(
                contribution=contribution, shipped_on=timezone.localdate() - dt.timedelta(days=40)
            )

    assert_queries_do_not_grow(
        lambda: clients["member"].get("/outcomes/revisits/?show=all"), add, before=2, after=12
    )
