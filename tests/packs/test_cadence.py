"""The quarterly review cadence: the lead is reminded 14 days (the setting) before the
quarter's end, through the reviews sweep, exactly once per quarter."""

import datetime as dt

import pytest

from packs import services
from prodops.reviews.models import Cadence, ReminderDelivery, Review
from prodops.reviews.selectors import cadence_team
from prodops.reviews.services import reviews_sweep


def test_cadence_is_due_fourteen_days_before_the_quarter_ends(team, users):
    cadence = services.quarterly_cadence_ensure(team=team, today=dt.date(2026, 11, 2))
    assert cadence.kind == Cadence.Kind.QUARTERLY
    assert cadence.next_due_on == dt.date(2026, 12, 17)
    assert (cadence.owner, cadence_team(cadence)) == (users["lead"], team)
    again = services.quarterly_cadence_ensure(team=team, today=dt.date(2026, 11, 3))
    assert again.pk == cadence.pk and Cadence.objects.count() == 1


def test_the_days_before_are_a_setting(team, settings):
    settings.PACKS_REMINDER_DAYS_BEFORE_QUARTER_END = 7
    cadence = services.quarterly_cadence_ensure(team=team, today=dt.date(2026, 11, 2))
    assert cadence.next_due_on == dt.date(2026, 12, 24)


def test_the_sweep_reminds_the_lead_exactly_once(team, users, django_capture_on_commit_callbacks):
    services.quarterly_cadence_ensure(team=team, today=dt.date(2026, 11, 2))
    reviews_sweep(today=dt.date(2026, 12, 16))
    assert not ReminderDelivery.objects.exists()
    for day in (17, 17, 18, 24, 30):
        reviews_sweep(today=dt.date(2026, 12, day))
    deliveries = list(ReminderDelivery.objects.values_list("recipient", "due_on", "kind"))
    assert deliveries == [(users["lead"].pk, dt.date(2026, 12, 17), "due")]


def test_teams_without_a_lead_get_none_and_the_task_covers_every_led_team(team, other_team):
    from packs.tasks import ensure_quarterly_cadences

    assert ensure_quarterly_cadences() == 1
    assert Cadence.objects.filter(kind=Cadence.Kind.QUARTERLY).count() == 1


@pytest.mark.parametrize("actor", ["lead", "admin"])
def test_finalizing_the_pack_holds_the_review_and_moves_to_next_quarter(team, users, actor):
    cadence = services.quarterly_cadence_ensure(team=team)
    pack = services.pack_create(actor=users["lead"], team=team, period="2026-Q4")
    services.pack_finalize(pack=pack, actor=users[actor])
    cadence.refresh_from_db()
    assert cadence.next_due_on == dt.date(2027, 3, 17)
    assert Review.objects.filter(cadence=cadence).count() == 1
