import re
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


@pytest.mark.django_db
def test_navigation_follows_role_and_marks_one_section(clients):
    stakeholder_page = clients["stakeholder"].get("/requests/new/").content.decode()
    assert ">Backlog<" not in stakeholder_page
    member_page = clients["member"].get("/requests/backlog/").content.decode()
    assert member_page.count('aria-current="page"') == 1
    assert re.search(r'aria-current="page">(<svg[^>]*>.*?</svg>)?<span>Backlog</span>', member_page)
