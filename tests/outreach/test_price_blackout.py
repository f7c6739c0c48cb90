"""The price-change blackout: an account on a plan whose price change is in flight (in review,
approved or scheduled) is left alone until the change's effective date; the plans an account
is on are kept by outreach and editable in the browser, the API and the CSV import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from outreach.blackouts import PriceChange, price_change_blackout
from outreach.budget import preflight
from outreach.imports import import_commit, import_preview
from outreach.models import Account
from pricing.models import Plan as PricePlan
from pricing.models import PriceProposal, Product, ProposalStatus, ProposedPrice
from tests.outreach.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def change(status, effective_on, plan="Cloud Pro"):
    return PriceChange(1, "Pro up", status, effective_on, plan)


@pytest.mark.parametrize("status", ["in_review", "approved", "scheduled"])
def test_in_flight_holds_until_the_effective_day(status):
    effective = TODAY + dt.timedelta(days=10)
    day_before = price_change_blackout(
        change(status, effective), on=effective - dt.timedelta(days=1), today=TODAY
    )
    assert day_before is not None and day_before.lifts_on == effective
    assert day_before.code == "price_change" and "Cloud Pro" in day_before.sentence
    assert price_change_blackout(change(status, effective), on=effective, today=TODAY) is None


@pytest.mark.parametrize("status", ["draft", "rejected", "effective"])
def test_not_in_flight_never_holds(status):
    effective = TODAY + dt.timedelta(days=10)
    assert price_change_blackout(change(status, effective), on=TODAY, today=TODAY) is None


def test_a_change_still_in_flight_past_its_date_holds_with_no_end():
    late = price_change_blackout(
        change("scheduled", TODAY - dt.timedelta(days=1)), on=TODAY, today=TODAY
    )
    assert late is not None and late.lifts_on is None
    # A day after today on or past the date: the change is expected to be effective by then.
    tomorrow = TODAY + dt.timedelta(days=1)
    assert price_change_blackout(change("scheduled", TODAY), on=tomorrow, today=TODAY) is None


@pytest.fixture
def price_plans(lead):
    product = Product.objects.create(name="Cloud", owner=lead)
    return (
        PricePlan.objects.create(product=product, name="Pro", owner=lead),
        PricePlan.objects.create(product=product, name="Team", owner=lead),
    )


def proposal(lead, plan, status, effective_on):
    made = PriceProposal.objects.create(
        title="Pro up",
        status=status,
        effective_on=effective_on,
        rationale="Costs.",
        created_by=lead,
    )
    ProposedPrice.objects.create(
        proposal=made, plan=plan, amount=Decimal("59"), currency="EUR", billing_period="month"
    )
    return made


def test_preflight_names_the_price_change_and_the_next_day(lead, price_plans):
    pro, team = price_plans
    today = timezone.localdate()
    contact = ContactFactory()
    contact.account.price_plans.set([pro])
    effective = today + dt.timedelta(days=20)
    proposal(lead, team, ProposalStatus.SCHEDULED, effective)  # not the account's plan
    assert preflight(contact).allowed
    made = proposal(lead, pro, ProposalStatus.IN_REVIEW, effective)
    answer = preflight(contact)
    assert [r.code for r in answer.reasons] == ["price_change"]
    assert answer.next_allowed_on == effective
    assert preflight(contact, on=effective).allowed
    PriceProposal.objects.filter(pk=made.pk).update(status=ProposalStatus.REJECTED)
    assert preflight(contact).allowed


def test_a_late_change_blocks_today_with_no_known_end(lead, price_plans):
    pro, _team = price_plans
    contact = ContactFactory()
    contact.account.price_plans.set([pro])
    proposal(lead, pro, ProposalStatus.APPROVED, timezone.localdate())
    answer = preflight(contact)
    assert not answer.allowed and answer.next_allowed_on is None


def test_preflight_of_many_accounts_reads_price_changes_once(
    lead, price_plans, django_assert_num_queries
):
    from outreach.budget import preflight_many

    pro, _team = price_plans
    proposal(lead, pro, ProposalStatus.SCHEDULED, timezone.localdate() + dt.timedelta(days=5))
    contacts = [ContactFactory() for _ in range(8)]
    for contact in contacts:
        contact.account.price_plans.set([pro])
    # Touches with last touches, then price changes: the same two queries for eight accounts.
    with django_assert_num_queries(2):
        answers = preflight_many(contacts)
    assert all(a.reasons[0].code == "price_change" for a in answers)


def test_price_plans_through_api_page_and_csv(api_clients, clients, member, price_plans):
    pro, team = price_plans
    account = AccountFactory(name="Acme")
    api = api_clients["member"]
    answer = api.patch(
        f"/api/v1/accounts/{account.pk}/",
        {"price_plans": [pro.pk, team.pk], "version": 1},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["price_plans"]) == sorted([pro.pk, team.pk])
    assert answer.json()["version"] == 2
    stale = api.patch(
        f"/api/v1/accounts/{account.pk}/", {"price_plans": [], "version": 1}, format="json"
    )
    assert stale.status_code == 409
    page = clients["member"].post(
        f"/outreach/accounts/{account.pk}/edit/",
        {
            "name": "Acme",
            "segment": "smb",
            "health": "good",
            "price_plans": [team.pk],
            "version": 2,
        },
    )
    assert page.status_code == 302
    assert list(account.price_plans.all()) == [team]
    text = "name,plans\nAcme,Cloud Pro; Team\nGlobex,Nope\n"
    preview = import_preview(kind="accounts", text=text)
    assert [line.fate for line in preview.lines] == ["update", "error"]
    assert "Nope" in preview.lines[1].messages[0]
    ok = "name,plans\nAcme,Cloud Pro; Team\nGlobex,\n"
    import_commit(actor=member, kind="accounts", text=ok)
    assert set(Account.objects.get(name="Acme").price_plans.all()) == {pro, team}
    assert not Account.objects.get(name="Globex").price_plans.exists()
