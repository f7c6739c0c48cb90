"""Accounts, contacts and plans created and edited in the browser: field errors by name, and
a change someone else made since the form was loaded refused (409) rather than overwritten."""

import pytest

from outreach.models import Account, Contact
from tests.factories import MembershipFactory, TeamFactory
from tests.outreach.factories import AccountFactory, ContactFactory, PlanFactory

pytestmark = pytest.mark.django_db

ACCOUNT = {"name": "Initech", "segment": "smb", "health": "good"}


def test_account_new_and_its_field_errors(clients):
    browser = clients["member"]
    assert browser.get("/outreach/accounts/new/").status_code == 200
    made = browser.post("/outreach/accounts/new/", ACCOUNT)
    assert made.status_code == 302
    account = Account.objects.get(name="Initech")
    assert made["Location"] == f"/outreach/accounts/{account.pk}/"
    again = browser.post("/outreach/accounts/new/", {**ACCOUNT, "name": "initech"})
    assert again.status_code == 400 and "already exists" in again.content.decode()
    bad = browser.post("/outreach/accounts/new/", {**ACCOUNT, "segment": "giant", "name": ""})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"segment", "name"}
    assert Account.objects.count() == 1
    assert clients["stakeholder"].get("/outreach/accounts/new/").status_code in (302, 403)


def test_account_edit_refuses_a_stale_version(clients):
    account = AccountFactory(name="Initech")
    browser = clients["member"]
    form = browser.get(f"/outreach/accounts/{account.pk}/edit/")
    assert form.status_code == 200 and 'name="version" value="1"' in form.content.decode()
    saved = browser.post(
        f"/outreach/accounts/{account.pk}/edit/",
        {**ACCOUNT, "open_escalation": "on", "version": 1},
    )
    assert saved.status_code == 302
    account.refresh_from_db()
    assert account.open_escalation and account.version == 2
    stale = browser.post(
        f"/outreach/accounts/{account.pk}/edit/", {**ACCOUNT, "health": "poor", "version": 1}
    )
    assert stale.status_code == 409 and "Someone else changed this" in stale.content.decode()
    account.refresh_from_db()
    assert account.health == "good"


def test_contact_added_inline_on_the_account_page(clients):
    account = AccountFactory(name="Initech")
    ContactFactory(email="taken@initech.example", account=AccountFactory())
    browser = clients["member"]
    url = f"/outreach/accounts/{account.pk}/contacts/new/"
    added = browser.post(
        url, {"name": "Peter", "email": "peter@initech.example"}, HTTP_HX_REQUEST="true"
    )
    assert added.status_code == 200
    body = added.content.decode()
    assert 'id="contacts"' in body and "Peter" in body and "<html" not in body
    taken = browser.post(
        url, {"name": "Other", "email": "TAKEN@initech.example"}, HTTP_HX_REQUEST="true"
    )
    assert taken.status_code == 400 and taken["HX-Retarget"] == "#contacts"
    assert "already exists" in taken.content.decode()
    bad = browser.post(url, {"name": "No mail", "email": "nope"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Email:" in bad.content.decode()
    assert list(account.contacts.values_list("name", flat=True)) == ["Peter"]


def test_contact_edit_moves_account_and_refuses_a_stale_version(clients):
    contact = ContactFactory(name="Peter", email="peter@initech.example")
    other = AccountFactory(name="Initrode")
    browser = clients["member"]
    url = f"/outreach/contacts/{contact.pk}/edit/"
    assert browser.get(url).status_code == 200
    data = {"name": "Peter Gibbons", "email": contact.email, "account": other.pk, "version": 1}
    assert browser.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.account, contact.version) == ("Peter Gibbons", other, 2)
    stale = browser.post(url, {**data, "name": "Overwritten"})
    assert stale.status_code == 409
    contact.refresh_from_db()
    assert contact.name == "Peter Gibbons"
    missing = browser.post(url, {**data, "version": 2, "email": ""})
    assert missing.status_code == 400 and "email" in missing.context["form"].errors


def test_plan_edit_keeps_team_rules_and_versions(clients, member, lead):
    team = TeamFactory(name="Research")
    MembershipFactory(team=team, user=member)
    plan = PlanFactory(team=team, title="Discovery calls")
    account = AccountFactory()
    browser = clients["member"]
    url = f"/outreach/plans/{plan.pk}/edit/"
    assert browser.get(url).status_code == 200
    data = {
        "title": "Discovery calls, round two",
        "purpose": "research_interview",
        "team": team.pk,
        "channel": "video",
        "starts_on": "2026-02-01",
        "ends_on": "2026-03-01",
        "accounts": [account.pk],
        "status": "active",
        "version": 1,
    }
    assert browser.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.title.endswith("round two") and plan.version == 2
    assert list(plan.accounts.all()) == [account]
    assert browser.post(url, data).status_code == 409
    backwards = browser.post(url, {**data, "version": 2, "ends_on": "2026-01-01"})
    assert backwards.status_code == 400 and "ends_on" in backwards.context["form"].errors
    other_team = TeamFactory(name="Sales ops")
    refused = browser.post(url, {**data, "version": 2, "team": other_team.pk})
    assert refused.status_code == 403
    plan.refresh_from_db()
    assert plan.team == team and Contact.objects.count() == 0
