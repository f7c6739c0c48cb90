"""Accounts on requests: members and up add and remove them (page with htmx, API);
stakeholders who may read the request see the accounts' names and nothing else of them."""

import pytest

from outreach.models import RequestAccount
from tests.factories import RequestFactory
from tests.helpers import assert_queries_do_not_grow
from tests.outreach.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "hidden.person@acme-secret.example"
SECRET_ROLE = "Chief Secret Officer"


@pytest.fixture
def account(member):
    found = AccountFactory(name="Acme Widgets", health="poor", open_escalation=True, owner=member)
    ContactFactory(account=found, name="Hidden Person", email=SECRET_EMAIL, role=SECRET_ROLE)
    return found


@pytest.fixture
def own_request(stakeholder):
    return RequestFactory(requester=stakeholder, title="Bulk export for Acme")


def leaks(text: str) -> list[str]:
    found = [
        secret
        for secret in (SECRET_EMAIL, "Hidden Person", SECRET_ROLE, "Poor", "poor", "escalation")
        if secret in text
    ]
    if "/outreach/" in text:
        found.append("a link into outreach")
    return found


def test_member_adds_and_removes_an_account_inline(clients, account, own_request):
    browser = clients["member"]
    picker = browser.get(
        f"/outreach/requests/{own_request.pk}/accounts/?name=acme", HTTP_HX_REQUEST="true"
    )
    assert picker.status_code == 200 and "Add Acme Widgets" in picker.content.decode()
    added = browser.post(
        f"/outreach/requests/{own_request.pk}/accounts/add/",
        {"account": account.pk},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    body = added.content.decode()
    assert 'id="request-accounts"' in body and "Acme Widgets" in body and "<html" not in body
    # Adding again changes nothing; a name that is no account is refused with a message.
    browser.post(f"/outreach/requests/{own_request.pk}/accounts/add/", {"name": "acme widgets"})
    assert RequestAccount.objects.filter(request=own_request).count() == 1
    refused = browser.post(
        f"/outreach/requests/{own_request.pk}/accounts/add/",
        {"name": "Nobody Inc"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400 and "full name" in refused.content.decode()
    assert refused["HX-Retarget"] == "#request-accounts"
    page = browser.get(f"/requests/{own_request.pk}/").content.decode()
    assert "Acme Widgets" in page and "accounts: none → Acme Widgets" in page
    removed = browser.post(
        f"/outreach/requests/{own_request.pk}/accounts/{account.pk}/remove/",
        HTTP_HX_REQUEST="true",
    )
    assert removed.status_code == 200 and "No account named yet" in removed.content.decode()
    assert not RequestAccount.objects.exists()


def test_stakeholders_may_not_change_the_links(clients, api_clients, account, own_request):
    add = clients["stakeholder"].post(
        f"/outreach/requests/{own_request.pk}/accounts/add/", {"account": account.pk}
    )
    assert add.status_code in (302, 403)
    api = api_clients["stakeholder"].post(
        "/api/v1/request-accounts/",
        {"request": own_request.pk, "account": account.pk},
        format="json",
    )
    assert api.status_code == 403
    assert not RequestAccount.objects.exists()


def test_stakeholders_see_only_the_names_on_the_page_and_in_the_api(
    clients, api_clients, account, own_request, member
):
    from outreach.services import request_account_add

    request_account_add(actor=member, request=own_request, account=account)
    page = clients["stakeholder"].get(f"/requests/{own_request.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    section = html[
        html.index('id="request-accounts"') : html.index(
            "</section>", html.index('id="request-accounts"')
        )
    ]
    assert "Acme Widgets" in section
    assert leaks(html) == [] and "<form" not in section
    listed = api_clients["stakeholder"].get(f"/api/v1/request-accounts/?request={own_request.pk}")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert rows == [
        {
            "id": rows[0]["id"],
            "request": own_request.pk,
            "account": account.pk,
            "account_name": "Acme Widgets",
        }
    ]
    assert leaks(listed.content.decode()) == []
    one = api_clients["stakeholder"].get(f"/api/v1/request-accounts/{rows[0]['id']}/")
    assert one.status_code == 200 and set(one.json()) == {
        "id",
        "request",
        "account",
        "account_name",
    }
    # The account itself stays closed to them.
    assert api_clients["stakeholder"].get(f"/api/v1/accounts/{account.pk}/").status_code == 403


def test_links_of_requests_a_stakeholder_cannot_read_stay_hidden(
    api_clients, account, member, stakeholder
):
    from outreach.services import request_account_add

    private = RequestFactory(title="Someone else's", visible_to_stakeholders=False)
    request_account_add(actor=member, request=private, account=account)
    listed = api_clients["stakeholder"].get("/api/v1/request-accounts/").json()
    assert listed["results"] == []
    link = RequestAccount.objects.get()
    assert api_clients["stakeholder"].get(f"/api/v1/request-accounts/{link.pk}/").status_code == 404


def test_members_link_and_unlink_through_the_api(api_clients, account, own_request):
    api = api_clients["member"]
    made = api.post(
        "/api/v1/request-accounts/",
        {"request": own_request.pk, "account": account.pk},
        format="json",
    )
    assert made.status_code == 201 and made.json()["account_name"] == "Acme Widgets"
    missing = api.post("/api/v1/request-accounts/", {"request": own_request.pk}, format="json")
    assert missing.status_code == 400 and "account" in missing.json()
    gone = api.delete(f"/api/v1/request-accounts/{made.json()['id']}/")
    assert gone.status_code == 204 and not RequestAccount.objects.exists()


def test_the_link_list_does_not_grow_queries_with_rows(api_clients, member):
    from outreach.services import request_account_add

    def add(n):
        for _ in range(n):
            request_account_add(actor=member, request=RequestFactory(), account=AccountFactory())

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/request-accounts/"), add, before=3, after=12
    )
