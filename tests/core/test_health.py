import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone

from prodops.core.health import WORKER_HEARTBEAT_STALE_AFTER
from prodops.core.models import Heartbeat
from prodops.core.services import WORKER_HEARTBEAT_MARKER
from prodops.core.tasks import worker_heartbeat


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"].startswith("ok")


@pytest.mark.django_db
def test_healthz_names_the_failing_part(client):
    with mock.patch(
        "prodops.core.health.check_broker", return_value=(False, "ConnectionError: refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert "refused" in body["broker"]


@pytest.mark.django_db
def test_healthz_names_database_when_it_is_down(client):
    with mock.patch(
        "prodops.core.health.check_database", return_value=(False, "OperationalError: gone")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


@pytest.mark.django_db
def test_healthz_reports_a_fresh_worker_heartbeat(client):
    worker_heartbeat.delay()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"].startswith("ok (seen ")


@pytest.mark.django_db
def test_a_stale_worker_is_reported_without_failing_the_web(client):
    worker_heartbeat.delay()
    Heartbeat.objects.filter(marker=WORKER_HEARTBEAT_MARKER).update(
        seen_at=timezone.now() - WORKER_HEARTBEAT_STALE_AFTER - dt.timedelta(minutes=2)
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"] == "stale (last seen 7 min ago)"
    assert "failing" not in body


@pytest.mark.django_db
def test_a_worker_never_seen_is_reported_without_failing_the_web(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "never seen"


@pytest.mark.django_db
def test_the_heartbeat_moves_on_and_keeps_one_row():
    worker_heartbeat.delay()
    Heartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(hours=1))
    worker_heartbeat.delay()
    (heartbeat,) = Heartbeat.objects.filter(marker=WORKER_HEARTBEAT_MARKER)
    assert timezone.now() - heartbeat.seen_at < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_navigation_follows_role_and_marks_one_section(clients):
    stakeholder_page = clients["stakeholder"].get("/requests/new/").content.decode()
    assert ">Backlog<" not in stakeholder_page
    member_page = clients["member"].get("/requests/backlog/").content.decode()
    assert member_page.count('aria-current="page"') == 1
    assert re.search(
        r'aria-current="page">(<span class="nav-icon[^"]*"></span>)?<span>Backlog</span>',
        member_page,
    )


@pytest.mark.django_db
def test_heartbeat_command_fails_until_a_worker_has_run_it():
    import io

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="never seen"):
        call_command("worker_heartbeat")
    worker_heartbeat.delay()
    out = io.StringIO()
    call_command("worker_heartbeat", stdout=out)
    assert "ok (seen" in out.getvalue()
