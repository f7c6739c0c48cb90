from unittest import mock

import pytest


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
