"""Outgoing webhooks: who may manage them, where they may go, what is sent, signed how, and
that each event reaches each endpoint once however the sending side stumbles."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from intake.models import RequestStatus
from intake.services import request_create, request_transition
from prodops.core.claims import attempt_claim
from prodops.notifications.models import Notification
from prodops.webhooks import services
from prodops.webhooks.events import EVENT_TYPES
from prodops.webhooks.models import Delivery, Endpoint, Event
from prodops.webhooks.network import TargetRefused, resolve_target
from tests.factories import TeamFactory


class Receiver:
    """A local HTTP server that records what it is sent and answers with `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        yield found
    found.close()


@pytest.fixture
def endpoint(receiver, admin_user):
    return services.endpoint_create(
        actor=admin_user, url=receiver.url, events=["request.created", "request.status_changed"]
    )


def send_all(callbacks):
    for callback in callbacks:
        callback()


# --- Signatures ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_verify_with_the_reference_algorithm(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = request_create(requester=stakeholder, title="Battlecard for the Q3 launch")
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "request.created"
    assert payload["data"]["id"] == created.pk
    assert payload["data"]["title"] == "Battlecard for the Q3 launch"
    assert headers["webhook-id"] == Event.objects.get().message_id
    assert endpoint.secret.startswith("whsec_")


@pytest.mark.django_db
def test_a_rotated_secret_signs_beside_the_new_one_for_a_day(endpoint, admin_user):
    old = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint, actor=admin_user)
    assert rotated.secret != old
    now = timezone.now()
    body = '{"type":"request.created"}'
    header = services.signature_header(rotated, message_id="msg_1", at=now, body=body)
    assert len(header.split(" ")) == 2
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    for secret in (old, rotated.secret):
        assert Webhook(secret).verify(body, headers) == {"type": "request.created"}
    later = now + dt.timedelta(hours=25)
    assert (
        len(services.signature_header(rotated, message_id="msg_1", at=later, body=body).split(" "))
        == 1
    )


# --- Where a webhook may go ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "ftp://example.com/hook",
        "http://user:pw@93.184.216.34/hook",
    ],
)
def test_private_and_odd_targets_are_refused(url):
    with override_settings(WEBHOOK_ALLOWED_HOSTS=[]), pytest.raises(TargetRefused):
        resolve_target(url)


def test_a_public_address_and_an_allowed_host_pass():
    assert resolve_target("https://93.184.216.34/in?x=1").path == "/in?x=1"
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        assert resolve_target("http://127.0.0.1:9/x").address == "127.0.0.1"


@pytest.mark.django_db
def test_the_api_names_the_url_when_it_refuses_a_target(api_clients):
    answer = api_clients["admin"].post(
        "/api/v1/webhooks/",
        {"url": "http://169.254.169.254/", "events": ["request.created"]},
        format="json",
    )
    assert answer.status_code == 400
    assert "url" in answer.json()
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
def test_a_private_target_is_refused_again_when_sending(
    endpoint, stakeholder, receiver, django_capture_on_commit_callbacks
):
    with (
        override_settings(WEBHOOK_ALLOWED_HOSTS=[]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_create(requester=stakeholder, title="Sent while the host is not allowed")
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert "private-network" in delivery.last_error
    assert delivery.sent_at is None


# --- Once per event and endpoint -----------------------------------------------------------


@pytest.mark.django_db
def test_each_event_reaches_each_endpoint_once_through_duplicates_and_a_crash(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        request_create(requester=stakeholder, title="Pricing page copy review")
    delivery = Delivery.objects.get()
    # A worker claims the attempt and dies before sending.
    assert (
        attempt_claim(unsent=services._unsent(delivery.pk), max_attempts=services.MAX_ATTEMPTS) == 1
    )
    # The queued task runs (twice, as a duplicate would), then the sweep finds nothing held.
    send_all(queued)
    send_all(queued)
    services.delivery_send(delivery_id=delivery.pk)
    later = timezone.now() + services.STUCK_AFTER + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert services.deliveries_sweep() == 0
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2


@pytest.mark.django_db
def test_a_crashed_attempt_is_sent_by_the_sweep(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        request_create(requester=stakeholder, title="Lost in a crash")
    delivery = Delivery.objects.get()
    attempt_claim(unsent=services._unsent(delivery.pk), max_attempts=services.MAX_ATTEMPTS)
    # Too soon: the claim may still be sending.
    assert services.deliveries_sweep() == 0
    later = timezone.now() + services.STUCK_AFTER + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert services.deliveries_sweep() == 1
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_nothing_is_stored_when_nobody_listens(stakeholder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Nobody hears this")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_only_subscribed_events_are_sent(
    endpoint, receiver, stakeholder, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = request_create(requester=stakeholder, title="Needs triage")
        request_transition(
            request=created,
            to=RequestStatus.TRIAGED,
            actor=member,
            expected_version=created.version,
            team=TeamFactory(),
        )
    kinds = [json.loads(body)["type"] for _, body in receiver.received]
    assert kinds == ["request.created", "request.status_changed"]
    change = json.loads(receiver.received[1][1])["data"]["status_change"]
    assert change == {"from": "new", "to": "triaged"}


# --- Retries and switching off -------------------------------------------------------------


@pytest.mark.django_db
def test_failures_retry_on_the_schedule_and_only_2xx_counts(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    receiver.status = 302
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Redirects are not receipts")
    delivery = Delivery.objects.get()
    assert delivery.sent_at is None and delivery.last_status_code == 302
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 5 * (1 - services.JITTER) - 0.5 <= wait <= 5 * (1 + services.JITTER) + 0.5
    # Not due yet: a second send does nothing.
    assert services.delivery_send(delivery_id=delivery.pk) is False
    receiver.status = 204
    with mock.patch(
        "django.utils.timezone.now", return_value=delivery.next_attempt_at + dt.timedelta(seconds=1)
    ):
        assert services.delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.log.count() == 2 and delivery.sent_at is not None
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


@pytest.mark.django_db
def test_the_schedule_gives_up_after_its_last_attempt(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Always failing")
    delivery = Delivery.objects.get()
    clock = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        delivery.refresh_from_db()
        clock = max(clock, delivery.next_attempt_at) + dt.timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=clock):
            services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.failed_at is not None
    assert delivery.log.count() == services.MAX_ATTEMPTS
    assert len(receiver.received) == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_an_endpoint_failing_for_five_days_is_switched_off_and_admins_told(
    endpoint, receiver, stakeholder, admin_user, django_capture_on_commit_callbacks
):
    receiver.status = 503
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=5, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="The last straw")
    endpoint.refresh_from_db()
    assert endpoint.active is False and endpoint.disabled_at is not None
    assert Notification.objects.filter(recipient=admin_user, kind="webhook_disabled").count() == 1
    # Switched off, it is sent nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Not sent")
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_four_days_of_failures_keep_it_on(
    endpoint, receiver, stakeholder, django_capture_on_commit_callbacks
):
    receiver.status = 503
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - dt.timedelta(days=4)
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Still hoping")
    endpoint.refresh_from_db()
    assert endpoint.active is True


@pytest.mark.django_db
def test_redeliver_sends_the_same_message_again(
    endpoint, receiver, stakeholder, api_clients, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Send me twice")
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_clients["admin"].post(
            f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
        )
    assert answer.status_code == 200
    assert len(receiver.received) == 2
    assert receiver.received[0][0]["webhook-id"] == receiver.received[1][0]["webhook-id"]
    log = api_clients["admin"].get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert log["results"][0]["state"] == "delivered"
    assert len(log["results"][0]["log"]) == 2


def test_a_large_payload_is_sent_thin():
    class Big:
        class _meta:
            model_name = "request"

        pk = 7
        title = "x" * 30_000

    payload = services._payload("request.created", Big(), None, timezone.now())
    assert len(json.dumps(payload).encode()) <= services.MAX_PAYLOAD_BYTES
    assert payload["data"] == {"object": "request", "id": 7, "truncated": True}


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "stakeholder", "member", "lead"])
def test_only_admins_manage_webhooks(role, api_clients, clients, endpoint):
    client = api_clients[role]
    expected = 401 if role == "anonymous" else 403
    assert client.get("/api/v1/webhooks/").status_code == expected
    assert (
        client.post(
            "/api/v1/webhooks/",
            {"url": "https://93.184.216.34/", "events": ["request.created"]},
            format="json",
        ).status_code
        == expected
    )
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == expected
    assert (
        client.patch(
            f"/api/v1/webhooks/{endpoint.pk}/", {"active": False, "version": 1}, format="json"
        ).status_code
        == expected
    )
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == expected
    page = clients[role].get("/webhooks/")
    assert page.status_code in (302, 403)
    assert endpoint.secret not in page.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.active is True and endpoint.version == 1


@pytest.mark.django_db
def test_admin_manages_an_endpoint_through_the_api(api_clients):
    api = api_clients["admin"]
    with (
        override_settings(WEBHOOK_ALLOWED_HOSTS=["hooks.internal.example"]),
        mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("10.0.0.5", 443))]),
    ):
        made = api.post(
            "/api/v1/webhooks/",
            {"url": "https://hooks.internal.example/in", "events": ["request.created"]},
            format="json",
        )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["version"] == 1
    bad = api.patch(
        f"/api/v1/webhooks/{body['id']}/",
        {"events": ["request.exploded"], "version": 1},
        format="json",
    )
    assert bad.status_code == 400 and "events" in bad.json()
    stale = api.patch(
        f"/api/v1/webhooks/{body['id']}/", {"active": False, "version": 7}, format="json"
    )
    assert stale.status_code == 409
    done = api.patch(
        f"/api/v1/webhooks/{body['id']}/", {"active": False, "version": 1}, format="json"
    )
    assert done.status_code == 200 and done.json()["active"] is False
    assert set(EVENT_TYPES) >= {"request.created", "roadmap_item.shipped"}


@pytest.mark.django_db
def test_admin_pages_add_an_endpoint_and_show_its_log(
    clients, receiver, stakeholder, django_capture_on_commit_callbacks
):
    admin = clients["admin"]
    refused = admin.post("/webhooks/", {"url": "http://10.0.0.1/x", "events": ["request.created"]})
    assert refused.status_code == 400
    assert "private-network" in refused.content.decode()
    made = admin.post(
        "/webhooks/", {"url": receiver.url, "events": ["request.created"], "active": "on"}
    )
    assert made.status_code == 302
    endpoint = Endpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="Shown in the log")
    page = admin.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "request.created" in page and "Delivered" in page
    rotated = admin.post(f"/webhooks/{endpoint.pk}/rotate-secret/", HTTP_HX_REQUEST="true")
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode()


@pytest.mark.django_db
def test_webhook_lists_do_not_grow_queries_with_rows(
    api_clients,
    clients,
    endpoint,
    stakeholder,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    def counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = []
        for call in (
            lambda: api_clients["admin"].get("/api/v1/webhooks/"),
            lambda: api_clients["admin"].get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/"),
            lambda: clients["admin"].get("/webhooks/"),
            lambda: clients["admin"].get(f"/webhooks/{endpoint.pk}/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert call().status_code == 200
            found.append(len(captured))
        return found

    with django_capture_on_commit_callbacks(execute=True):
        request_create(requester=stakeholder, title="One")
    few = counts()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            request_create(requester=stakeholder, title=f"Many {n}")
    assert Delivery.objects.count() == 7
    assert counts() == few


def test_revisits_and_approved_price_changes_are_named_as_webhook_events():
    from outcomes.models import Revisit
    from pricing.models import PriceProposal
    from prodops.webhooks.events import event_for_activity

    assert event_for_activity(target=Revisit(), verb="recorded", changes={}) == (
        "outcome.revisit_recorded"
    )
    approved = {"status": ["in_review", "approved"]}
    assert event_for_activity(target=PriceProposal(), verb="status_changed", changes=approved) == (
        "price_change.approved"
    )
    from docs_hub.models import Doc

    published = {"status": ["in_review", "published"]}
    assert event_for_activity(target=Doc(), verb="status_changed", changes=published) == (
        "doc.published"
    )
    rejected = {"status": ["in_review", "rejected"]}
    assert (
        event_for_activity(target=PriceProposal(), verb="status_changed", changes=rejected) is None
    )
