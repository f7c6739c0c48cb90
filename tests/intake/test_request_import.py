"""CSV import of requests: every line's fate before anything is made, all or nothing, undo
of exactly the batch."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.imports import services
from intake.imports.models import RequestImport, RequestImportRow
from intake.models import Request, RequestStatus, Watcher
from intake.services import request_create, request_merge
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from tests.factories import DepartmentFactory, RoutingRuleFactory, TeamFactory, UserFactory

GOOD = """Title,Details,Dept,Requester Email,Votes,Created
Quarterly win-loss digest for sales,"Summarise the reasons, by segment",Sales,ana@example.com,12,2026-03-04
Partner portal onboarding checklist,,marketing,,0,2026/05/06
Churn dashboard for the CS team,By plan and tenure,,ana@example.com,,
"""


@pytest.fixture
def people(db, department):
    DepartmentFactory(name="Marketing", slug="marketing")
    return {"ana": UserFactory(username="ana", email="Ana@Example.com", department=department)}


def upload(actor, text=GOOD, **mapping_changes):
    batch = services.import_upload(actor=actor, content=text, filename="export.csv")
    mapping = {**batch.mapping, **mapping_changes}
    return services.import_map(
        batch=batch, actor=actor, mapping=mapping, expected_version=batch.version
    )


def fates(batch):
    return {
        row.line: (row.fate, row.message) for row in RequestImportRow.objects.filter(batch=batch)
    }


@pytest.mark.django_db
def test_the_header_is_read_and_the_columns_guessed(member, people):
    batch = services.import_upload(actor=member, content=GOOD, filename="export.csv")
    assert batch.columns == ["Title", "Details", "Dept", "Requester Email", "Votes", "Created"]
    assert batch.mapping == {
        "title": "Title",
        "description": "Details",
        "department": "Dept",
        "requester_email": "Requester Email",
        "votes": "Votes",
        "created": "Created",
    }
    assert batch.total_rows == 3 and batch.status == RequestImport.Status.UPLOADED


@pytest.mark.django_db
def test_the_preview_writes_no_request_and_commit_makes_exactly_the_lines(
    member, people, department
):
    sales_ops = TeamFactory(name="Sales Ops")
    RoutingRuleFactory(team=sales_ops, category="", department=department)
    batch = upload(member)
    assert batch.status == RequestImport.Status.PREVIEWED
    assert (batch.new_count, batch.duplicate_count, batch.error_count) == (3, 0, 0)
    assert not Request.objects.exists()

    batch = services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    assert batch.status == RequestImport.Status.IMPORTED and batch.imported_count == 3
    made = {r.title: r for r in Request.objects.all()}
    digest = made["Quarterly win-loss digest for sales"]
    assert digest.requester == people["ana"] and digest.department == department
    assert digest.team == sales_ops  # routed like a request from the form
    assert (digest.vote_count, digest.imported_votes) == (12, 12)
    assert digest.created_at.date() == dt.date(2026, 3, 4)
    assert digest.source == Request.Source.IMPORT and digest.status == RequestStatus.NEW
    assert Watcher.objects.filter(request=digest, user=people["ana"]).exists()
    portal = made["Partner portal onboarding checklist"]
    assert portal.requester == member and portal.department.slug == "marketing"
    assert portal.created_at.date() == dt.date(2026, 5, 6)
    assert made["Churn dashboard for the CS team"].created_at.date() == timezone.localdate()


@pytest.mark.django_db
def test_bad_lines_are_named_by_line_and_nothing_is_imported(member, people):
    text = """title,department,votes,created,requester email
,Sales,1,2026-01-01,
A fine request,Legal,1,2026-01-01,
Another fine one,Sales,many,2026-01-01,
Third fine one,Sales,2,2099-01-01,
Fourth fine one,Sales,2,yesterday,
Fifth fine one,Sales,2,2026-01-01,nobody@example.com
Sixth fine one,Sales,2,2026-01-01,
"""
    batch = upload(member, text)
    found = fates(batch)
    assert found[2] == ("error", "title is empty.")
    assert found[3] == ("error", "department 'Legal' does not exist.")
    assert found[4][0] == "error" and found[4][1].startswith("votes 'many'")
    assert found[5] == ("error", "created 2099-01-01 is in the future.")
    assert found[6][0] == "error" and "not a date" in found[6][1]
    assert found[7] == ("error", "requester_email nobody@example.com belongs to nobody here.")
    assert found[8] == ("new", "")
    assert (batch.new_count, batch.error_count) == (1, 6)
    with pytest.raises(ValidationFailed) as refused:
        services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    assert "6 line(s) have errors" in refused.value.message
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_likely_duplicates_of_requests_and_of_lines_are_flagged_and_skipped(
    member, people, stakeholder
):
    existing = request_create(
        requester=stakeholder, title="Churn dashboard for the customer success team"
    )
    text = """title
Churn dashboard for the CS team
Competitor pricing tracker
competitor  pricing tracker!
Webinar landing page template
"""
    batch = upload(member, text)
    found = fates(batch)
    assert found[2] == ("duplicate", f"Likely a duplicate of #{existing.pk}.")
    assert found[3] == ("new", "")
    assert found[4] == ("duplicate", "Same title as line 3.")
    assert found[5] == ("new", "")
    services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    assert Request.objects.count() == 1 + 2

    again = services.import_upload(actor=member, content=text.replace("Webinar", "Event"))
    again = services.import_map(
        batch=again,
        actor=member,
        mapping={"title": "title"},
        include_duplicates=True,
        expected_version=again.version,
    )
    services.import_commit(batch=again, actor=member, expected_version=again.version)
    # With duplicates included, every line of the second file becomes a request.
    assert RequestImport.objects.get(pk=again.pk).imported_count == 4


@pytest.mark.django_db
def test_undo_removes_exactly_the_batch(member, people, stakeholder):
    before = request_create(requester=stakeholder, title="Filed by hand before the import")
    batch = upload(member)
    batch = services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    after = request_create(requester=stakeholder, title="Filed by hand after the import")
    assert services.import_undo(batch=batch, actor=member, expected_version=batch.version) == 3
    assert set(Request.objects.values_list("pk", flat=True)) == {before.pk, after.pk}
    assert RequestImport.objects.get(pk=batch.pk).status == RequestImport.Status.UNDONE


@pytest.mark.django_db
def test_undo_is_refused_once_an_imported_request_was_worked_on(member, people):
    batch = upload(member)
    batch = services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    worked = Request.objects.get(title="Partner portal onboarding checklist")
    Request.objects.filter(pk=worked.pk).update(status=RequestStatus.NEEDS_INFO)
    with pytest.raises(ValidationFailed) as refused:
        services.import_undo(batch=batch, actor=member, expected_version=batch.version)
    assert f"#{worked.pk}" in refused.value.message
    assert Request.objects.count() == 3


@pytest.mark.django_db
def test_stale_versions_and_roles_are_refused(member, people, stakeholder):
    batch = upload(member)
    with pytest.raises(EditConflict):
        services.import_commit(batch=batch, actor=member, expected_version=batch.version - 1)
    with pytest.raises(NotAllowed):
        services.import_upload(actor=stakeholder, content=GOOD)
    with pytest.raises(NotAllowed):
        services.import_commit(batch=batch, actor=stakeholder, expected_version=batch.version)
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_a_large_file_is_checked_and_imported_by_a_worker_once(
    member, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_ROWS", 5)
    monkeypatch.setattr(services, "CHUNK_ROWS", 4)
    text = "title\n" + "".join(
        f"Request number {n} about topic {n * 7919 % 1000}\n" for n in range(23)
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.import_upload(actor=member, content=text)
        batch = services.import_map(
            batch=batch, actor=member, mapping={"title": "title"}, expected_version=batch.version
        )
    batch.refresh_from_db()
    assert batch.status == RequestImport.Status.PREVIEWED
    assert batch.processed_rows == 23 and batch.percent_done == 100
    assert batch.new_count + batch.duplicate_count == 23
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    for callback in queued:  # a duplicate delivery of the task creates nothing more
        callback()
    assert Request.objects.count() == batch.new_count


@pytest.mark.django_db
def test_merging_keeps_imported_votes(member, people, stakeholder):
    batch = upload(member)
    services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    digest = Request.objects.get(title="Quarterly win-loss digest for sales")
    target = request_create(requester=stakeholder, title="Win-loss digest")
    request_merge(duplicate=digest, into=target, actor=member)
    target.refresh_from_db()
    assert (target.vote_count, target.imported_votes) == (12, 12)


# --- API and pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_dry_run_commit_and_undo(api_clients, people):
    api = api_clients["member"]
    made = api.post(
        "/api/v1/request-imports/", {"content": GOOD, "filename": "x.csv"}, format="json"
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["new_count"], body["error_count"]) == ("previewed", 3, 0)
    assert not Request.objects.exists()
    rows = api.get(f"/api/v1/request-imports/{body['id']}/rows/?fate=new").json()
    assert [r["line"] for r in rows["results"]] == [2, 3, 4]
    stale = api.post(f"/api/v1/request-imports/{body['id']}/commit/", {"version": 1}, format="json")
    assert stale.status_code == 409
    done = api.post(
        f"/api/v1/request-imports/{body['id']}/commit/", {"version": body["version"]}, format="json"
    )
    assert done.status_code == 200 and done.json()["imported_count"] == 3
    assert Request.objects.count() == 3
    undone = api.post(
        f"/api/v1/request-imports/{body['id']}/undo/",
        {"version": done.json()["version"]},
        format="json",
    )
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_api_names_the_field_at_fault(api_clients, people):
    api = api_clients["member"]
    assert "content" in api.post("/api/v1/request-imports/", {}, format="json").json()
    empty = api.post("/api/v1/request-imports/", {"content": "title\n"}, format="json")
    assert empty.status_code == 400 and "file" in empty.json()
    wrong = api.post(
        "/api/v1/request-imports/",
        {"content": GOOD, "mapping": {"title": "Headline"}},
        format="json",
    )
    assert wrong.status_code == 400 and "mapping" in wrong.json()
    assert (
        api_clients["stakeholder"]
        .post("/api/v1/request-imports/", {"content": GOOD}, format="json")
        .status_code
        == 403
    )
    assert api_clients["stakeholder"].get("/api/v1/request-imports/").status_code == 403
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_the_pages_upload_map_import_and_undo(clients, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    browser = clients["member"]
    answer = browser.post(
        "/requests/import/", {"file": SimpleUploadedFile("export.csv", GOOD.encode())}
    )
    assert answer.status_code == 302
    batch = RequestImport.objects.get()
    page = browser.get(answer["Location"]).content.decode()
    assert "Check every line" in page
    checked = browser.post(
        f"/requests/import/{batch.pk}/map/",
        {**batch.mapping, "version": batch.version},
        HTTP_HX_REQUEST="true",
    )
    assert checked.status_code == 200
    html = checked.content.decode()
    assert "3 new" in html and "Import 3 requests" in html and "<html" not in html
    batch.refresh_from_db()
    imported = browser.post(
        f"/requests/import/{batch.pk}/commit/", {"version": batch.version}, HTTP_HX_REQUEST="true"
    )
    assert "Undo this import" in imported.content.decode()
    assert Request.objects.count() == 3
    assert clients["stakeholder"].get("/requests/import/").status_code == 403


@pytest.mark.django_db
def test_import_lists_do_not_grow_queries_with_rows(clients, api_clients, member, people):
    def counts():
        found = []
        batch = RequestImport.objects.order_by("id").first()
        for call in (
            lambda: clients["member"].get("/requests/import/"),
            lambda: api_clients["member"].get("/api/v1/request-imports/"),
            lambda: api_clients["member"].get(f"/api/v1/request-imports/{batch.pk}/rows/"),
            lambda: clients["member"].get(f"/requests/import/{batch.pk}/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert call().status_code == 200
            found.append(len(captured))
        return found

    batch = upload(member)
    services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    few = counts()
    for _ in range(3):
        more = upload(
            member,
            GOOD.replace("2026", "2025"),
        )
        more = services.import_map(
            batch=more,
            actor=member,
            mapping=more.mapping,
            include_duplicates=True,
            expected_version=more.version,
        )
        services.import_commit(batch=more, actor=member, expected_version=more.version)
    assert counts() == few


@pytest.mark.django_db
def test_each_imported_request_sends_request_created_once(
    member, admin_user, people, django_capture_on_commit_callbacks
):
    from prodops.activity.models import ActivityEvent
    from prodops.webhooks.models import Delivery, Event
    from prodops.webhooks.services import endpoint_create

    endpoint = endpoint_create(
        actor=admin_user, url="https://93.184.216.34/hook", events=["request.created"]
    )
    endpoint_create(actor=admin_user, url="https://93.184.216.35/hook", events=["doc.published"])
    batch = upload(member)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        batch = services.import_commit(batch=batch, actor=member, expected_version=batch.version)
    made = set(Request.objects.values_list("pk", flat=True))
    assert len(made) == 3 and queued
    events = list(Event.objects.all())
    assert [e.type for e in events] == ["request.created"] * 3
    assert {e.payload["data"]["id"] for e in events} == made
    assert all(e.payload["data"]["object"] == "request" for e in events)
    assert list(Delivery.objects.values_list("endpoint_id", flat=True)) == [endpoint.pk] * 3
    trail = ActivityEvent.objects.filter(verb="created", target_id__in=made)
    assert trail.count() == 3 and all("Imported from" in e.summary for e in trail)
    # Undoing the batch removes the requests; no event type says "removed", so none is sent.
    services.import_undo(batch=batch, actor=member, expected_version=batch.version)
    assert Event.objects.count() == 3 and Delivery.objects.count() == 3


@pytest.mark.django_db
def test_a_large_file_is_checked_through_a_temporary_title_index(member, people, monkeypatch):
    request_create(requester=member, title="Quarterly win-loss digest for sales")
    monkeypatch.setattr(services, "TEMP_INDEX_MIN_LINES", 1)
    batch = upload(member)
    found = fates(batch)
    assert found[2][0] == RequestImportRow.Fate.DUPLICATE and "#" in found[2][1]
    assert found[3][0] == found[4][0] == RequestImportRow.Fate.NEW
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [services.TEMP_TITLES])
        assert cursor.fetchone()[0] is None  # dropped once the check is done
