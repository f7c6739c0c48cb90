"""The Django admin holds the same rules as the app: fields that only a service may change are
read-only there, and votes, watchers and comments are not edited behind the services' back."""

import datetime as dt

import pytest
from django.utils import timezone

from intake.models import Comment, Request, Vote, Watcher
from prodops.activity.models import ActivityEvent
from tests.factories import ObjectiveFactory, RequestFactory, UserFactory

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = (
    "objective",
    "status",
    "assignee",
    "vote_count",
    "score",
    "merged_into",
    "source",
    "requester",
)


def test_request_change_form_leaves_service_fields_alone(clients, member):
    kept, other = ObjectiveFactory(), ObjectiveFactory()
    req = RequestFactory(objective=kept, title="Quote tool")
    url = f"/admin/intake/request/{req.pk}/change/"
    page = clients["admin"].get(url).content.decode()
    for field in SERVICE_FIELDS:
        assert f'name="{field}"' not in page, field
    response = clients["admin"].post(
        url,
        {
            "title": "Quote tool v2",
            "description": req.description,
            "requester": member.pk,
            "department": req.department_id,
            "audience": req.audience,
            "category": req.category,
            "visible_to_stakeholders": "on",
            # Fields the form does not offer; a crafted POST must not change them.
            "objective": other.pk,
            "status": "shipped",
            "assignee": member.pk,
            "vote_count": 99,
            "score": "99.00",
            "merged_into": RequestFactory().pk,
            "source": "import",
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    req.refresh_from_db()
    assert req.title == "Quote tool v2" and req.requester != member
    # The edit went through request_update: a new version, and a line in the activity trail.
    assert req.version == 2
    event = ActivityEvent.objects.get(verb="updated")
    assert event.changes == {"title": ["Quote tool", "Quote tool v2"]}
    assert (req.objective, req.status, req.assignee, req.vote_count, req.score) == (
        kept,
        "new",
        None,
        0,
        None,
    )
    assert req.merged_into is None and req.source == "web"


def test_admin_edit_follows_the_desired_date_rule(clients):
    req = RequestFactory()
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = clients["admin"].post(
        f"/admin/intake/request/{req.pk}/change/",
        {
            "title": req.title,
            "audience": req.audience,
            "category": req.category,
            "desired_date": past,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "The desired date cannot be in the past." in response.content.decode()
    req.refresh_from_db()
    assert req.desired_date is None and req.version == 1


def test_requests_are_submitted_in_the_app_not_added_in_the_admin(clients):
    assert clients["admin"].get("/admin/intake/request/add/").status_code == 403


def test_votes_watchers_and_comments_are_read_only_in_the_admin(clients):
    req = RequestFactory()
    voter = UserFactory()
    rows = {
        "vote": Vote.objects.create(request=req, voter=voter),
        "watcher": Watcher.objects.create(request=req, user=voter),
        "comment": Comment.objects.create(request=req, author=voter, body="Hello"),
    }
    Request.objects.filter(pk=req.pk).update(vote_count=1)
    admin = clients["admin"]
    for name, row in rows.items():
        base = f"/admin/intake/{name}/"
        assert admin.get(base).status_code == 200, name
        assert admin.get(f"{base}add/").status_code == 403, name
        assert admin.post(f"{base}add/", {}).status_code == 403, name
        # The change page only shows the row.
        change = admin.get(f"{base}{row.pk}/change/")
        assert change.status_code == 200 and 'name="_save"' not in change.content.decode(), name
        assert admin.post(f"{base}{row.pk}/change/", {}).status_code == 403, name
        assert admin.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403, name
        # The list offers no bulk delete either; asking for it anyway deletes nothing.
        admin.post(base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
        assert type(row).objects.filter(pk=row.pk).exists(), name
    req.refresh_from_db()
    assert req.vote_count == 1


def test_admin_save_over_a_newer_change_is_refused(clients):
    req = RequestFactory(title="Quote tool")
    url = f"/admin/intake/request/{req.pk}/change/"
    page = clients["admin"].get(url).content.decode()
    assert 'name="loaded_version" value="1"' in page
    Request.objects.filter(pk=req.pk).update(title="Quote tool (edited elsewhere)", version=2)
    form = {
        "title": "Admin's stale title",
        "audience": req.audience,
        "category": req.category,
        "description": req.description,
        "department": req.department_id,
        "loaded_version": 1,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
    }
    response = clients["admin"].post(url, form)
    assert response.status_code == 200
    assert "Someone else changed this request" in response.content.decode()
    req.refresh_from_db()
    assert req.title == "Quote tool (edited elsewhere)"
    saved = clients["admin"].post(url, {**form, "loaded_version": 2})
    assert saved.status_code == 302
    req.refresh_from_db()
    assert req.title == "Admin's stale title" and req.version == 3
