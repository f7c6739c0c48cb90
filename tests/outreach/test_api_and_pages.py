"""Outreach through the API and the pages: roles, privacy, versions, 400s naming fields,
pre-flight answers, and query counts that do not grow with rows."""

import datetime as dt

import pytest
from django.utils import timezone

from outreach.models import Contact, Touch
from tests.factories import MembershipFactory, TeamFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix
from tests.outreach.factories import AccountFactory, ContactFactory, PlanFactory, TouchFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zebediah Quartermain"
SECRET_EMAIL = "zebediah@hidden-customer.example"
LISTS = ["/api/v1/accounts/", "/api/v1/contacts/", "/api/v1/outreach-plans/", "/api/v1/touches/"]


@pytest.fixture
def contact():
    return ContactFactory(name=SECRET_NAME, email=SECRET_EMAIL, account__name="Hidden Corp")


@pytest.fixture
def plan(contact, member):
    team = TeamFactory(name="Research")
    MembershipFactory(team=team, user=member)
    plan = PlanFactory(team=team, title="Discovery calls")
    plan.contacts.add(contact)
    return plan


@pytest.mark.parametrize("path", LISTS)
def test_lists_are_for_members_and_up(api_clients, path):
    assert_role_matrix(
        api_clients,
        "get",
        path,
        {"anonymous": (401, 403), "stakeholder": 403, "member": 200, "lead": 200, "admin": 200},
    )


def test_stakeholders_see_no_contact_data_anywhere(api_clients, clients, contact, plan):
    touch = TouchFactory(contact=contact, plan=plan)
    api_paths = [
        *LISTS,
        f"/api/v1/contacts/{contact.pk}/",
        f"/api/v1/contacts/{contact.pk}/preflight/",
        f"/api/v1/touches/{touch.pk}/",
        f"/api/v1/outreach-plans/{plan.pk}/",
        f"/api/v1/accounts/{contact.account_id}/",
    ]
    for path in api_paths:
        response = api_clients["stakeholder"].get(path)
        assert response.status_code == 403, path
        assert SECRET_EMAIL not in response.content.decode()
    pages = [
        "/outreach/",
        f"/outreach/plans/{plan.pk}/",
        f"/outreach/accounts/{contact.account_id}/",
        "/outreach/preflight/?q=zebediah",
        "/outreach/import/",
        "/",
    ]
    for path in pages:
        response = clients["stakeholder"].get(path)
        body = response.content.decode()
        assert SECRET_NAME not in body and SECRET_EMAIL not in body, path
        if path != "/":
            assert response.status_code == 403, path
    # The same pages do show it to a member, so the check above can fail.
    assert (
        SECRET_EMAIL
        in clients["member"].get(f"/outreach/accounts/{contact.account_id}/").content.decode()
    )
    assert "Outreach" not in clients["stakeholder"].get("/").content.decode().split("<main")[0]


def test_preflight_endpoint_answers_why_and_when(api_clients, contact, plan):
    day = dt.date(2026, 3, 10)
    TouchFactory(contact=contact, plan=plan, on=day)
    response = api_clients["member"].get(
        f"/api/v1/contacts/{contact.pk}/preflight/", {"on": "2026-03-20"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False and body["overridable"] is True
    assert body["reasons"][0]["code"] == "cooldown"
    assert body["reasons"][0]["lifts_on"] == "2026-03-24"
    assert body["next_allowed_on"] == "2026-03-24"
    assert body["last_touch"]["team"] == "Research"
    assert body["last_touch"]["purpose"] == "Research interview"
    bad = api_clients["member"].get(f"/api/v1/contacts/{contact.pk}/preflight/", {"on": "soon"})
    assert bad.status_code == 400 and "on" in bad.json()


def test_logging_a_touch_through_the_api(api_clients, contact, lead):
    url = "/api/v1/touches/"
    today = timezone.localdate().isoformat()
    first = api_clients["member"].post(
        url, {"contact": contact.pk, "on": today, "channel": "call"}, format="json"
    )
    assert first.status_code == 201, first.content
    assert first.json()["account"] == contact.account_id
    again = {"contact": contact.pk, "on": today, "channel": "call"}
    assert api_clients["member"].post(url, again, format="json").status_code == 403
    missing = api_clients["lead"].post(url, again, format="json")
    assert missing.status_code == 400 and "override_reason" in missing.json()
    kept = api_clients["lead"].post(
        url, {**again, "override_reason": "They asked for a call back"}, format="json"
    )
    assert kept.status_code == 201
    assert kept.json()["overridden_by"] == lead.pk
    assert kept.json()["override_reason"] == "They asked for a call back"
    bad = api_clients["member"].post(url, {"contact": contact.pk, "channel": "fax"}, format="json")
    assert bad.status_code == 400 and {"on", "channel"} <= set(bad.json())


def test_opted_out_contact_refused_even_for_admin(api_clients):
    contact = ContactFactory(opted_out=True)
    response = api_clients["admin"].post(
        "/api/v1/touches/",
        {
            "contact": contact.pk,
            "on": timezone.localdate().isoformat(),
            "channel": "email",
            "override_reason": "please",
        },
        format="json",
    )
    assert response.status_code == 400 and "contact" in response.json()


def test_versions_and_conflicts(api_clients, contact):
    url = f"/api/v1/contacts/{contact.pk}/"
    client = api_clients["member"]
    assert "version" in client.patch(url, {"role": "CTO"}, format="json").json()
    ok = client.patch(url, {"role": "CTO", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"role": "CEO", "version": 1}, format="json")
    assert stale.status_code == 409
    account_url = f"/api/v1/accounts/{contact.account_id}/"
    renamed = client.patch(account_url, {"open_escalation": True, "version": 1}, format="json")
    assert renamed.status_code == 200 and renamed.json()["version"] == 2


def test_create_and_field_errors(api_clients, contact):
    client = api_clients["member"]
    dup = client.post("/api/v1/accounts/", {"name": "hidden corp"}, format="json")
    assert dup.status_code == 400 and "name" in dup.json()
    same = client.post(
        "/api/v1/contacts/",
        {"account": contact.account_id, "email": SECRET_EMAIL.upper()},
        format="json",
    )
    assert same.status_code == 400 and "email" in same.json()
    plan = client.post(
        "/api/v1/outreach-plans/",
        {
            "title": "Beta",
            "purpose": "beta_invite",
            "team": TeamFactory().pk,
            "channel": "email",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
        },
        format="json",
    )
    # A member of no team may not plan for it; an admin may, and the dates are then checked.
    assert plan.status_code == 403
    plan = api_clients["admin"].post(
        "/api/v1/outreach-plans/",
        {
            "title": "Beta",
            "purpose": "beta_invite",
            "team": TeamFactory().pk,
            "channel": "email",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
        },
        format="json",
    )
    assert plan.status_code == 400 and "ends_on" in plan.json()


def test_erase_through_the_api(api_clients, contact):
    TouchFactory(contact=contact)
    assert (
        api_clients["stakeholder"].post(f"/api/v1/contacts/{contact.pk}/erase/").status_code == 403
    )
    response = api_clients["member"].post(f"/api/v1/contacts/{contact.pk}/erase/")
    assert response.status_code == 200
    assert response.json()["email"] is None and response.json()["erased_at"]
    assert Touch.objects.filter(contact=contact).count() == 1
    listed = api_clients["member"].get("/api/v1/touches/").content.decode()
    assert SECRET_NAME not in listed


def test_plan_page_shows_why_not_and_until_when(clients, contact, plan):
    contact.account.open_escalation = True
    contact.account.save()
    body = clients["member"].get(f"/outreach/plans/{plan.pk}/").content.decode()
    assert "Hidden Corp has an open escalation" in body
    assert "No date known yet" in body


def test_log_touch_inline_and_override_form(clients, contact, plan, lead):
    url = f"/outreach/plans/{plan.pk}/touches/"
    today = timezone.localdate().isoformat()
    data = {"contact": contact.pk, "on": today, "channel": "email", "outcome": "reached"}
    first = clients["member"].post(url, data, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and Touch.objects.count() == 1
    refused = clients["member"].post(url, data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "Only a lead" in refused.content.decode()
    assert refused["HX-Retarget"] == "#plan-body"
    # Only leads see the override field.
    assert (
        "override_reason"
        not in clients["member"].get(f"/outreach/plans/{plan.pk}/").content.decode()
    )
    MembershipFactory(team=plan.team, user=lead)
    assert "override_reason" in clients["lead"].get(f"/outreach/plans/{plan.pk}/").content.decode()
    no_reason = clients["lead"].post(url, data)
    assert no_reason.status_code == 400 and "Say why" in no_reason.content.decode()
    ok = clients["lead"].post(url, {**data, "override_reason": "Customer asked"})
    assert ok.status_code == 302
    assert Touch.objects.filter(overridden_by=lead).count() == 1


def test_preflight_box(clients, contact):
    response = clients["member"].get(
        "/outreach/preflight/", {"q": "zebediah"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and SECRET_NAME in body and "May be contacted" in body
    assert "<html" not in body


def test_plan_form_creates_a_plan(clients, member, contact):
    team = TeamFactory()
    MembershipFactory(team=team, user=member)
    response = clients["member"].post(
        "/outreach/plans/new/",
        {
            "title": "Pricing notice Q3",
            "purpose": "pricing_notice",
            "team": team.pk,
            "channel": "email",
            "starts_on": "2026-07-01",
            "ends_on": "2026-07-31",
            "accounts": [contact.account_id],
        },
    )
    assert response.status_code == 302
    bad = clients["member"].post("/outreach/plans/new/", {"title": ""})
    assert bad.status_code == 400


def test_erase_page_action(clients, contact):
    response = clients["member"].post(f"/outreach/contacts/{contact.pk}/erase/")
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
    assert clients["stakeholder"].post(f"/outreach/contacts/{contact.pk}/erase/").status_code == 403


# --- Query counts --------------------------------------------------------------------------


def _add_everything(plan):
    def add(n):
        for _ in range(n):
            account = AccountFactory()
            contact = ContactFactory(account=account)
            TouchFactory(contact=contact, plan=plan, on=timezone.localdate())
            plan.accounts.add(account)
            plan.contacts.add(contact)
            PlanFactory(team=plan.team).accounts.add(account)

    return add


@pytest.mark.parametrize("path", LISTS)
def test_list_endpoints_queries_do_not_grow(api_clients, plan, path):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get(path), _add_everything(plan), before=3, after=30
    )


@pytest.mark.parametrize("page", ["index", "plan", "account"])
def test_pages_queries_do_not_grow(clients, plan, contact, page):
    path = {
        "index": "/outreach/",
        "plan": f"/outreach/plans/{plan.pk}/",
        "account": f"/outreach/accounts/{contact.account_id}/",
    }[page]

    def add(n):
        _add_everything(plan)(n)
        for _ in range(n):
            other = ContactFactory(account=contact.account)
            TouchFactory(contact=other, on=timezone.localdate())

    assert_queries_do_not_grow(lambda: clients["member"].get(path), add, before=3, after=30)


def test_preflight_days_outside_the_calendar_are_a_400_naming_on(api_clients, clients, contact):
    for day in ("0001-01-01", "9999-12-31"):
        response = api_clients["member"].get(
            f"/api/v1/contacts/{contact.pk}/preflight/", {"on": day}
        )
        assert response.status_code == 400 and "on" in response.json(), day
    page = clients["member"].get("/outreach/preflight/", {"q": "zebediah", "on": "9999-12-31"})
    assert page.status_code == 200 and "Pick a day from" in page.content.decode()
    touch = api_clients["member"].post(
        "/api/v1/touches/",
        {"contact": contact.pk, "on": "0001-01-01", "channel": "email"},
        format="json",
    )
    assert touch.status_code == 400 and "on" in touch.json()


def test_a_null_email_is_refused_naming_email(api_clients, contact):
    response = api_clients["member"].post(
        "/api/v1/contacts/", {"account": contact.account_id, "email": None}, format="json"
    )
    assert response.status_code == 400 and "email" in response.json()
