import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from docs_hub import selectors, services
from docs_hub.models import Doc, DocRevision
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.reviews.models import Cadence
from prodops.reviews.services import reviews_sweep
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

pytestmark = pytest.mark.django_db

P, D = Doc.Status.PUBLISHED, Doc.Status.DRAFT


def test_every_save_keeps_a_revision_and_restore_makes_a_new_one(make_doc, users):
    doc = make_doc(status=D, body="one")
    doc = services.doc_update(doc=doc, actor=users["member"], expected_version=1, body="two")
    doc = services.doc_update(
        doc=doc, actor=users["lead"], expected_version=doc.version, body="three"
    )
    assert list(doc.revisions.values_list("number", "body")) == [
        (3, "three"),
        (2, "two"),
        (1, "one"),
    ]
    assert doc.revisions.get(number=2).author == users["member"]
    first = doc.revisions.get(number=1)
    doc = services.doc_restore(doc=doc, actor=users["member"], revision=first)
    assert doc.body == "one"
    assert doc.revisions.count() == 4 and doc.revisions.first().body == "one"
    with pytest.raises(EditConflict):
        services.doc_update(doc=doc, actor=users["member"], expected_version=1, body="x")


def test_diff_is_readable_and_escaped(make_doc, users):
    doc = make_doc(status=D, body="keep\nold line")
    services.doc_update(
        doc=doc, actor=users["member"], expected_version=1, body="keep\n<script>x()</script>"
    )
    new, old = list(doc.revisions.order_by("-number"))
    rows = selectors.revision_diff(old=old, new=new)
    assert ("del", "-old line") in [(k, str(v)) for k, v in rows]
    assert ("add", "+&lt;script&gt;x()&lt;/script&gt;") in [(k, str(v)) for k, v in rows]
    response = _client(users["member"]).get(
        reverse("docs_hub:revisions", args=[doc.slug]) + "?a=1&b=2"
    )
    assert b"<script>x()" not in response.content
    assert b"&lt;script&gt;x()" in response.content


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_markdown_body_cannot_carry_script(make_doc, clients):
    doc = make_doc(
        audience="customers",
        body="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    for url in (
        reverse("docs_hub:detail", args=[doc.slug]),
        reverse("help:detail", args=[doc.slug]),
    ):
        html = clients["member"].get(url).content.decode()
        assert "<script>alert" not in html and 'href="javascript' not in html
        assert "<img" not in html


def test_status_rule_lead_or_named_reviewer_publishes(make_doc, users):
    doc = make_doc(status=D)
    doc = services.doc_set_status(doc=doc, actor=users["member"], status="in_review")
    with pytest.raises(NotAllowed):
        services.doc_set_status(doc=doc, actor=users["member"], status=P)
    with pytest.raises(ValidationFailed):
        services.doc_set_status(doc=doc, actor=users["lead"], status="archived")
    reviewer_doc = make_doc("Another", status=D, reviewer=users["stakeholder"])
    reviewer_doc = services.doc_set_status(
        doc=reviewer_doc, actor=users["member"], status="in_review"
    )
    published = services.doc_publish(doc=reviewer_doc, actor=users["stakeholder"])
    assert published.status == P and published.last_verified_on is not None


AUDIENCE_SEES = {
    # who: (team doc, stakeholder doc, customer doc, customer draft)
    "anonymous": (False, False, True, False),
    "stakeholder": (False, True, True, False),
    "member": (True, True, True, True),
    "lead": (True, True, True, True),
}


def test_audiences_on_pages_and_public_help(make_doc, clients, users):
    docs = (
        make_doc("Team runbook", audience="team"),
        make_doc("Stakeholder guide", audience="stakeholders"),
        make_doc("Customer how-to", audience="customers"),
        make_doc("Customer draft", audience="customers", status=D),
    )
    for role, sees in AUDIENCE_SEES.items():
        client = clients[role]
        index = client.get(reverse("docs_hub:index")).content.decode()
        for doc, seen in zip(docs, sees, strict=True):
            response = client.get(reverse("docs_hub:detail", args=[doc.slug]))
            if role == "anonymous":
                assert response.status_code == 302  # the team's docs ask to sign in
            else:
                assert response.status_code == (200 if seen else 404), (role, doc.title)
                assert (doc.title in index) == seen, (role, doc.title)
            public = client.get(reverse("help:detail", args=[doc.slug]))
            published_customer = doc.audience == "customers" and doc.status == P
            assert public.status_code == (200 if published_customer else 404)
        help_index = client.get(reverse("help:index")).content.decode()
        assert "Customer how-to" in help_index
        assert "Customer draft" not in help_index and "Team runbook" not in help_index


def test_public_help_never_links_to_internal_objects(make_doc, users):
    from tests.factories import RequestFactory

    request = RequestFactory(title="Secret internal request")
    doc = make_doc("Public answer", audience="customers", requests=[request])
    from django.test import Client

    html = Client().get(reverse("help:detail", args=[doc.slug])).content.decode()
    assert "Public answer" in html
    assert "Secret internal request" not in html
    for internal in ('href="/requests/', 'href="/roadmap/', 'href="/docs/'):
        assert internal not in html
    assert users["member"].display_name not in html


def test_role_matrix(make_doc, clients):
    doc = make_doc(status=D)
    assert_role_matrix(
        clients,
        "get",
        reverse("docs_hub:create"),
        {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200},
    )
    assert_role_matrix(
        clients,
        "get",
        reverse("docs_hub:edit", args=[doc.slug]),
        {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200},
    )
    assert_role_matrix(
        clients,
        "post",
        reverse("docs_hub:status", args=[doc.slug]),
        {"stakeholder": 404, "member": 403, "lead": 302},
        data={"status": P},
    )


def test_create_and_edit_through_the_form(clients):
    response = clients["member"].post(
        reverse("docs_hub:create"),
        {"title": "", "body": "x", "audience": "team", "verify_interval_days": 90},
    )
    assert response.status_code == 400 and "title" in response.context["form"].errors
    response = clients["member"].post(
        reverse("docs_hub:create"),
        {
            "title": "Reset a password",
            "body": "x",
            "audience": "team",
            "tags": "Auth, login",
            "verify_interval_days": 90,
        },
    )
    doc = Doc.objects.get(title="Reset a password")
    assert response.status_code == 302 and doc.tags == ["auth", "login"]
    response = clients["member"].post(
        reverse("docs_hub:edit", args=[doc.slug]),
        {
            "title": "Reset a password",
            "body": "y",
            "audience": "team",
            "verify_interval_days": 90,
            "version": 1,
        },
    )
    assert response.status_code == 302 and doc.revisions.count() == 2


def test_expired_doc_needs_review_and_its_owner_is_reminded_once(make_doc, users, clients):
    doc = make_doc("Old guide")
    today = timezone.localdate()
    Doc.objects.filter(pk=doc.pk).update(last_verified_on=today - dt.timedelta(days=100))
    doc.refresh_from_db()
    assert doc.needs_review()
    services.doc_update(doc=doc, actor=users["member"], expected_version=doc.version, tags=["x"])
    cadence = Cadence.objects.get(kind=Cadence.Kind.DOC, target_id=doc.pk)
    assert cadence.next_due_on == today - dt.timedelta(days=10) and cadence.owner == doc.owner
    assert "Needs review" in clients["member"].get(reverse("docs_hub:index")).content.decode()
    assert (
        "Needs review"
        in clients["member"].get(reverse("docs_hub:detail", args=[doc.slug])).content.decode()
    )
    for _ in range(3):
        reviews_sweep(today=today)
        from prodops.reviews.models import ReminderDelivery
        from prodops.reviews.services import reminder_send

        for delivery in ReminderDelivery.objects.filter(sent_at__isnull=True):
            reminder_send(delivery_id=delivery.pk)
    reminders = Notification.objects.filter(recipient=doc.owner, kind=Notification.Kind.REVIEW_DUE)
    assert reminders.count() == 1 and reminders.get().url == doc_url(doc)
    doc = services.doc_verify(doc=doc, actor=users["member"])
    assert not doc.needs_review()
    cadence.refresh_from_db()
    assert cadence.next_due_on == today + dt.timedelta(days=90)


def doc_url(doc):
    return reverse("docs_hub:detail", args=[doc.slug])


def test_drafts_never_remind(make_doc):
    doc = make_doc(status=D)
    assert not Cadence.objects.get(kind=Cadence.Kind.DOC, target_id=doc.pk).active
    assert not doc.needs_review()


def test_verify_is_for_owner_reviewer_or_lead(make_doc, users):
    doc = make_doc()
    with pytest.raises(NotAllowed):
        services.doc_verify(doc=doc, actor=users["stakeholder"])


def test_doc_list_queries_do_not_grow(clients, users):
    def add(n):
        for _ in range(n):
            services.doc_create(actor=users["member"], title="Doc", tags=["a"])

    assert_queries_do_not_grow(lambda: clients["stakeholder"].get(reverse("docs_hub:index")), add)
    assert_queries_do_not_grow(lambda: clients["member"].get(reverse("docs_hub:index")), add)


def test_revision_numbers_are_unique_per_doc(make_doc):
    doc = make_doc(status=D)
    assert DocRevision.objects.filter(doc=doc).count() == 1
