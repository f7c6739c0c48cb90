import pytest
from django.db import transaction

from prodops.notifications.models import Notification
from prodops.notifications.services import notify
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix


@pytest.mark.django_db(transaction=True)
def test_notify_creates_row_and_emails_after_commit(stakeholder, mailoutbox):
    with transaction.atomic():
        notify(recipients=[stakeholder], kind="general", title="Hello", body="Body", url="/x/")
        assert mailoutbox == []  # nothing leaves before the commit
    assert Notification.objects.filter(recipient=stakeholder, title="Hello").count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [stakeholder.email]


@pytest.mark.django_db(transaction=True)
def test_dedupe_key_delivers_once(stakeholder, mailoutbox):
    for _ in range(3):
        notify(
            recipients=[stakeholder],
            kind="review_due",
            title="Review due",
            dedupe_key="cadence:1:2027-01-01",
        )
    assert Notification.objects.filter(recipient=stakeholder).count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_no_email_when_turned_off(stakeholder, mailoutbox):
    stakeholder.email_notifications = False
    stakeholder.save()
    notify(recipients=[stakeholder], kind="general", title="Quiet")
    assert Notification.objects.filter(recipient=stakeholder).count() == 1
    assert mailoutbox == []


@pytest.mark.django_db
def test_notifications_are_private(api_clients, stakeholder, member):
    notify(recipients=[stakeholder], kind="general", title="Secret for stakeholder")
    mine = api_clients["stakeholder"].get("/api/v1/notifications/").json()
    theirs = api_clients["member"].get("/api/v1/notifications/").json()
    assert [n["title"] for n in mine["results"]] == ["Secret for stakeholder"]
    assert theirs["count"] == 0


@pytest.mark.django_db
def test_mark_read(api_clients, clients, stakeholder):
    notify(recipients=[stakeholder], kind="general", title="One")
    page = clients["stakeholder"].get("/")
    assert 'data-testid="unread-count">1<' in page.content.decode()
    response = api_clients["stakeholder"].post(
        "/api/v1/notifications/mark-read/", {}, format="json"
    )
    assert response.json() == {"marked": 1}
    page = clients["stakeholder"].get("/")
    assert 'data-testid="unread-count"' not in page.content.decode()


@pytest.mark.django_db
def test_notification_pages_need_login(clients):
    assert_role_matrix(
        clients,
        "get",
        "/notifications/",
        {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
    )
    assert_role_matrix(
        clients, "get", "/notifications/settings/", {"anonymous": 302, "stakeholder": 200}
    )


@pytest.mark.django_db
def test_notification_list_queries_do_not_grow(clients, api_clients, stakeholder):
    def add(n):
        Notification.objects.bulk_create(
            Notification(recipient=stakeholder, title=f"n{i}") for i in range(n)
        )

    assert_queries_do_not_grow(lambda: clients["stakeholder"].get("/notifications/"), add)
    assert_queries_do_not_grow(
        lambda: api_clients["stakeholder"].get("/api/v1/notifications/"), add
    )


@pytest.mark.django_db
def test_seed_demo_notifies_in_app_but_sends_no_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_emails_flow_again_after_a_muted_block(stakeholder, mailoutbox):
    from prodops.notifications.services import emails_muted

    with emails_muted():
        notify(recipients=[stakeholder], kind="general", title="Quiet one")
    notify(recipients=[stakeholder], kind="general", title="Loud one")
    assert [m.subject for m in mailoutbox] == ["[prodops] Loud one"]
