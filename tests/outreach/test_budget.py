"""The contact budget at its edges: window, cooldown, account cap, blackouts, never-rules."""

import datetime as dt

import pytest

from outreach.budget import (
    Blackout,
    preflight,
    register_blackout_provider,
    unregister_blackout_provider,
)
from tests.factories import TeamFactory, UserFactory
from tests.outreach.factories import AccountFactory, ContactFactory, PlanFactory, TouchFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def codes(answer) -> set[str]:
    return {r.code for r in answer.reasons}


@pytest.fixture
def contact():
    return ContactFactory()


def test_untouched_contact_is_allowed_today(contact):
    answer = preflight(contact, on=DAY)
    assert answer.allowed and answer.reasons == ()
    assert answer.next_allowed_on == DAY
    assert answer.last_touch is None


@pytest.mark.parametrize(("after", "allowed"), [(13, False), (14, True)])
def test_cooldown_lasts_fourteen_days(contact, after, allowed):
    TouchFactory(contact=contact, on=DAY)
    answer = preflight(contact, on=DAY + days(after))
    assert ("cooldown" not in codes(answer)) is allowed
    assert answer.allowed is allowed
    if not allowed:
        reason = next(r for r in answer.reasons if r.code == "cooldown")
        assert reason.lifts_on == DAY + days(14)
        assert "15 Jun 2026" in reason.sentence
        assert answer.next_allowed_on == DAY + days(14)


def test_same_day_second_touch_is_in_cooldown(contact):
    TouchFactory(contact=contact, on=DAY)
    assert "cooldown" in codes(preflight(contact, on=DAY))


@pytest.mark.parametrize(("after", "blocked"), [(29, True), (30, False)])
def test_two_touches_in_thirty_days_at_window_edge(contact, after, blocked, settings):
    # No cooldown here, so the window rule is seen alone.
    settings.OUTREACH_COOLDOWN_DAYS = 0
    TouchFactory(contact=contact, on=DAY)
    TouchFactory(contact=contact, on=DAY + days(10))
    answer = preflight(contact, on=DAY + days(after))
    assert ("contact_budget" in codes(answer)) is blocked
    if blocked:
        reason = next(r for r in answer.reasons if r.code == "contact_budget")
        # The older touch leaves the window 30 days after it: a place frees up then.
        assert reason.lifts_on == DAY + days(30)
        assert answer.next_allowed_on == DAY + days(30)


def test_one_touch_in_window_leaves_a_place(contact, settings):
    settings.OUTREACH_COOLDOWN_DAYS = 0
    TouchFactory(contact=contact, on=DAY)
    assert preflight(contact, on=DAY + days(5)).allowed


def test_later_touches_do_not_count_for_an_earlier_day(contact):
    TouchFactory(contact=contact, on=DAY)
    assert preflight(contact, on=DAY - days(1)).allowed


def test_window_and_cooldown_together_next_day_is_the_later(contact):
    TouchFactory(contact=contact, on=DAY)
    TouchFactory(contact=contact, on=DAY + days(20))
    answer = preflight(contact, on=DAY + days(25))
    assert codes(answer) == {"contact_budget", "cooldown"}
    # Window frees on day 30, cooldown ends on day 34: the later of the two.
    assert answer.next_allowed_on == DAY + days(34)


@pytest.mark.parametrize(("cap_touches", "blocked"), [(5, False), (6, True)])
def test_account_cap_across_its_contacts(cap_touches, blocked):
    account = AccountFactory()
    for i in range(cap_touches):
        TouchFactory(contact=ContactFactory(account=account), on=DAY - days(i))
    fresh = ContactFactory(account=account)
    answer = preflight(fresh, on=DAY)
    assert ("account_budget" in codes(answer)) is blocked
    if blocked:
        reason = next(r for r in answer.reasons if r.code == "account_budget")
        # Oldest touch was 5 days before DAY; it leaves the 30-day window 30 days after it.
        assert reason.lifts_on == DAY - days(5) + days(30)


def test_account_cap_window_edge_day_thirty_frees():
    account = AccountFactory()
    for _ in range(6):
        TouchFactory(contact=ContactFactory(account=account), on=DAY)
    fresh = ContactFactory(account=account)
    assert "account_budget" in codes(preflight(fresh, on=DAY + days(29)))
    assert "account_budget" not in codes(preflight(fresh, on=DAY + days(30)))


def test_open_escalation_blacks_out_with_no_end():
    contact = ContactFactory(account=AccountFactory(name="Globex", open_escalation=True))
    answer = preflight(contact, on=DAY)
    assert codes(answer) == {"escalation"}
    assert answer.reasons[0].lifts_on is None
    assert "Globex has an open escalation" in answer.reasons[0].sentence
    assert answer.next_allowed_on is None
    assert answer.overridable


@pytest.mark.parametrize(
    ("renews_in", "blocked"), [(31, False), (30, True), (1, True), (0, True), (-1, False)]
)
def test_renewal_blackout_edges(renews_in, blocked):
    contact = ContactFactory(account=AccountFactory(renewal_date=DAY + days(renews_in)))
    answer = preflight(contact, on=DAY)
    assert ("renewal" in codes(answer)) is blocked
    if blocked:
        assert answer.reasons[0].lifts_on == DAY + days(renews_in + 1)
        assert answer.next_allowed_on == DAY + days(renews_in + 1)


def test_next_allowed_day_looks_past_a_renewal_that_starts_later(contact):
    # The cooldown ends inside the 30 days before a renewal: next is the day after renewal.
    contact.account.renewal_date = DAY + days(40)
    contact.account.save()
    TouchFactory(contact=contact, on=DAY)
    answer = preflight(contact, on=DAY + days(1))
    assert codes(answer) == {"cooldown"}
    assert answer.next_allowed_on == DAY + days(41)


def test_opted_out_and_erased_are_never_and_not_overridable():
    opted = ContactFactory(opted_out=True)
    answer = preflight(opted, on=DAY)
    assert codes(answer) == {"opted_out"}
    assert answer.next_allowed_on is None and not answer.overridable
    erased = ContactFactory(erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    answer = preflight(erased, on=DAY)
    assert "erased" in codes(answer) and not answer.overridable


def test_blackout_provider_joins_the_rule():
    account = AccountFactory(name="Initech")
    contact = ContactFactory(account=account)

    def price_change(found_account, on):
        if found_account.pk == account.pk and on < DAY + days(10):
            return [Blackout("A price change is in flight.", DAY + days(10), "price_change")]
        return []

    register_blackout_provider(price_change)
    try:
        answer = preflight(contact, on=DAY)
        assert codes(answer) == {"price_change"}
        assert answer.next_allowed_on == DAY + days(10)
        assert preflight(ContactFactory(), on=DAY).allowed
    finally:
        unregister_blackout_provider(price_change)
    assert preflight(contact, on=DAY).allowed


def test_last_touch_says_who_and_why(contact):
    team = TeamFactory(name="Research Guild")
    plan = PlanFactory(team=team, title="Onboarding interviews")
    TouchFactory(
        contact=contact, on=DAY - days(40), by=UserFactory(first_name="Ann", last_name="Bee")
    )
    TouchFactory(
        contact=contact,
        on=DAY - days(3),
        plan=plan,
        by=UserFactory(first_name="Cy", last_name="Dee"),
    )
    last = preflight(contact, on=DAY).last_touch
    assert last.on == DAY - days(3)
    assert last.by == "Cy Dee"
    assert last.purpose == "Research interview"
    assert last.team == "Research Guild"
    assert last.plan == "Onboarding interviews"


def test_limits_follow_settings(contact, settings):
    settings.OUTREACH_COOLDOWN_DAYS = 3
    TouchFactory(contact=contact, on=DAY)
    assert not preflight(contact, on=DAY + days(2)).allowed
    assert preflight(contact, on=DAY + days(3)).allowed
