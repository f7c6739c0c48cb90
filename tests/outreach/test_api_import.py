"""`/api/v1/accounts/import/` and `/api/v1/contacts/import/`: a CSV body, `?dry_run=1` writes
nothing, errors by line, all or nothing."""

import pytest

from outreach.models import Account, Contact
from tests.outreach.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "name,segment,open_escalation\nAcme,enterprise,no\nGlobex,smb,yes\n"


def post(api, path, text, **query):
    suffix = "".join(f"?{k}={v}" for k, v in query.items())
    return api.post(path + suffix, text, content_type="text/csv")


def test_dry_run_says_each_fate_and_writes_nothing(api_clients):
    AccountFactory(name="acme", segment="smb")
    answer = post(api_clients["member"], "/api/v1/accounts/import/", ACCOUNTS, dry_run=1)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["dry_run"] and body["ok"] and body["counts"]["update"] == 1
    assert [(line["line"], line["fate"]) for line in body["lines"]] == [(2, "update"), (3, "new")]
    assert Account.objects.count() == 1


def test_an_error_on_any_line_imports_nothing_and_names_it(api_clients):
    text = ACCOUNTS + "Bad,giant,maybe\n,smb,no\n"
    answer = post(api_clients["member"], "/api/v1/accounts/import/", text)
    assert answer.status_code == 400
    body = answer.json()
    assert "file" in body
    assert body["lines"][0].startswith("Line 4: segment") and "open_escalation" in body["lines"][0]
    assert body["lines"][1] == "Line 5: name: required."
    assert not Account.objects.exists()


def test_a_good_file_is_imported_whole(api_clients):
    answer = post(api_clients["member"], "/api/v1/accounts/import/", ACCOUNTS)
    assert answer.status_code == 201 and answer.json()["counts"]["new"] == 2
    assert Account.objects.get(name="Globex").open_escalation
    contacts = "email,account,name\nann@acme.example,Acme,Ann\nbo@globex.example,globex,Bo\n"
    dry = post(api_clients["member"], "/api/v1/contacts/import/", contacts, dry_run=1)
    assert dry.status_code == 200 and not Contact.objects.exists()
    done = post(api_clients["member"], "/api/v1/contacts/import/", contacts)
    assert done.status_code == 201
    assert Contact.objects.get(email="bo@globex.example").account.name == "Globex"


def test_bad_bodies_and_parameters_are_400_naming_them(api_clients):
    api = api_clients["member"]
    assert "file" in post(api, "/api/v1/contacts/import/", "").json()
    header = post(api, "/api/v1/contacts/import/", "name,role\nAnn,CTO\n")
    assert header.status_code == 400 and "email" in header.json()["file"][0]
    assert "dry_run" in post(api, "/api/v1/accounts/import/", ACCOUNTS, dry_run=2).json()
    not_utf8 = api.post(
        "/api/v1/accounts/import/", "name\nCafé\n".encode("latin-1"), content_type="text/csv"
    )
    assert not_utf8.status_code == 400
    as_json = api.post("/api/v1/accounts/import/", {"name": "x"}, format="json")
    assert as_json.status_code == 415
    assert not Account.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/accounts/import/", "/api/v1/contacts/import/"])
def test_only_members_and_up_import(api_clients, path):
    assert post(api_clients["stakeholder"], path, ACCOUNTS).status_code == 403
    assert post(api_clients["stakeholder"], path, ACCOUNTS, dry_run=1).status_code == 403
    assert not Account.objects.exists()


def test_the_schema_describes_the_csv_bodies(api_clients):
    schema = api_clients["member"].get("/api/schema/?format=json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/accounts/import/", "/api/v1/contacts/import/"):
        assert path in text
    assert "text/csv" in text and "/api/v1/request-accounts/" in text
