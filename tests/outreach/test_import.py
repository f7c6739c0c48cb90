"""CSV import of accounts and contacts: each line's fate in a dry run that writes nothing, and
an all-or-nothing commit."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from outreach.imports import import_commit, import_preview
from outreach.models import Account, Contact
from prodops.core.errors import ValidationFailed
from tests.outreach.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = """name,segment,owner,renewal_date,health,open_escalation
Acme,enterprise,member,2026-09-30,good,no
Globex,Small business,,,at_risk,yes
"""


def test_dry_run_says_each_fate_and_writes_nothing(member):
    AccountFactory(name="acme", segment="smb")
    preview = import_preview(kind="accounts", text=ACCOUNTS)
    assert [(line.number, line.fate) for line in preview.lines] == [(2, "update"), (3, "new")]
    assert "segment" in preview.lines[0].messages[0]
    assert Account.objects.count() == 1
    import_commit(actor=member, kind="accounts", text=ACCOUNTS)
    acme = Account.objects.get(name__iexact="acme")
    assert acme.segment == "enterprise" and acme.owner == member and acme.version == 2
    assert acme.renewal_date == dt.date(2026, 9, 30)
    globex = Account.objects.get(name="Globex")
    assert globex.open_escalation and globex.segment == "smb" and globex.health == "at_risk"
    assert import_preview(kind="accounts", text=ACCOUNTS).lines[0].fate == "unchanged"


def test_errors_by_line_and_nothing_is_written(member):
    text = (
        "name,segment,renewal_date,open_escalation\n"
        "Fine Co,enterprise,,no\n"
        ",enterprise,,\n"
        "Bad Date,smb,31/12/2026,maybe\n"
        "fine co,giant,,\n"
    )
    preview = import_preview(kind="accounts", text=text)
    fates = {line.number: (line.fate, " ".join(line.messages)) for line in preview.lines}
    assert fates[2][0] == "new"
    assert fates[3] == ("error", "name: required.")
    assert "renewal_date" in fates[4][1] and "open_escalation" in fates[4][1]
    assert "already on line 2" in fates[5][1] and "segment" in fates[5][1]
    with pytest.raises(ValidationFailed):
        import_commit(actor=member, kind="accounts", text=text)
    assert not Account.objects.exists()


def test_contacts_match_by_email_and_need_a_known_account(member):
    acme = AccountFactory(name="Acme")
    ContactFactory(account=acme, email="ann@acme.example", name="Ann")
    text = (
        "name,role,email,account,opted_out\n"
        "Ann Lee,CTO,ANN@acme.example,Acme,no\n"
        "Bo,PM,bo@acme.example,acme,yes\n"
        "Cy,PM,not-an-email,Acme,no\n"
        "Di,PM,di@x.example,Nowhere Inc,no\n"
    )
    preview = import_preview(kind="contacts", text=text)
    assert [line.fate for line in preview.lines] == ["update", "new", "error", "error"]
    assert "Nowhere Inc" in preview.lines[3].messages[0]
    ok = "\n".join(text.splitlines()[:3]) + "\n"
    import_commit(actor=member, kind="contacts", text=ok)
    assert Contact.objects.get(email="ann@acme.example").name == "Ann Lee"
    assert Contact.objects.get(email="bo@acme.example").opted_out


def test_missing_header_is_named():
    preview = import_preview(kind="contacts", text="name,role\nAnn,CTO\n")
    assert not preview.ok and "email" in preview.problem


def test_import_page_previews_then_commits(clients):
    upload = SimpleUploadedFile("accounts.csv", ACCOUNTS.encode(), content_type="text/csv")
    response = clients["member"].post(
        "/outreach/import/", {"kind": "accounts", "file": upload, "preview": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "2 new" in body
    assert not Account.objects.exists()
    response = clients["member"].post(
        "/outreach/import/", {"kind": "accounts", "text": ACCOUNTS, "commit": "1"}
    )
    assert response.status_code == 302 and Account.objects.count() == 2
    assert clients["stakeholder"].get("/outreach/import/").status_code == 403
