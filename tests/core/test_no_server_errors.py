"""Inputs an attacker (or a broken client) sends get a clear 4xx, never a 500."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from prodops.core.errors import ValidationFailed
from prodops.core.periods import parse_period
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _schema_operations(client, methods):
    """(method, path, whether the operation takes JSON) for each write in the schema."""
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in methods:
                content = operation.get("requestBody", {}).get("content", {"application/json": {}})
                yield method, path, "application/json" in content


def _refused_as_not_json(response, method, path) -> bool:
    """An operation that takes another type (CSV) refuses any JSON body with 415."""
    assert response.status_code == 415, (method, path, response.status_code)
    return True


def _concrete(path: str) -> str:
    """A schema path with every {parameter} filled in (the body is refused before lookups)."""
    import re

    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT])
def test_deeply_nested_json_is_a_400_even_anonymously(api_clients, body):
    response = api_clients["anonymous"].post(
        "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_nesting_is_measured_outside_strings():
    from prodops.core.parsers import MAX_JSON_DEPTH, json_depth

    assert json_depth(b'{"title": "[[[{{{ \\" ]]"}') == 1
    assert json_depth(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) == MAX_JSON_DEPTH


def test_the_deepest_allowed_body_is_read_and_one_more_level_is_refused(api_clients):
    from prodops.core.parsers import MAX_JSON_DEPTH

    def nested(levels):
        return '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)

    client = api_clients["anonymous"]
    allowed = client.post(
        "/api/v1/auth/token/", nested(MAX_JSON_DEPTH), content_type="application/json"
    )
    # Read as an object: the answer is about the missing fields, not the nesting.
    assert allowed.status_code == 400 and "username" in allowed.json()
    refused = client.post(
        "/api/v1/auth/token/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    assert refused.status_code == 400 and "nested too deeply" in refused.json()["detail"]


def test_deeply_nested_json_is_a_400_on_every_write(api_clients):
    client = api_clients["admin"]
    for method, path, takes_json in _schema_operations(client, {"post", "put", "patch"}):
        response = getattr(client, method)(
            _concrete(path), DEEP_OBJECT, content_type="application/json"
        )
        if response.status_code == 404 and "{" in path:
            continue  # a missing parent object may be looked up before the body is read
        if not takes_json and _refused_as_not_json(response, method, path):
            continue
        assert response.status_code == 400, (method, path, response.status_code)


@pytest.mark.parametrize("body", ["null", "5", "[1, 2]", '"text"', "true"])
def test_a_body_that_is_not_an_object_is_a_400_naming_the_body(api_clients, body):
    client = api_clients["admin"]
    seen = 0
    for method, path, takes_json in _schema_operations(client, {"post", "put", "patch"}):
        response = getattr(client, method)(_concrete(path), body, content_type="application/json")
        if response.status_code == 404 and "{" in path:
            continue  # a missing parent object may be looked up before the body is read
        if not takes_json and _refused_as_not_json(response, method, path):
            continue
        assert response.status_code == 400, (method, path, response.status_code)
        assert "body" in response.json(), (method, path, response.json())
        seen += 1
    assert seen > 20
    me = client.patch("/api/v1/me/", body, content_type="application/json")
    assert me.status_code == 400 and "body" in me.json()


def test_nul_in_a_share_link_path_is_a_404(clients):
    assert clients["anonymous"].get("/r/abc%00def/").status_code == 404
    assert clients["member"].get("/requests/%00/").status_code == 404
    assert clients["member"].get("/api/v1/requests/1%00/").status_code == 404


@pytest.mark.parametrize("label", ["0000", "0000-Q1", "9999", "9999-Q4", "1899-Q1", "3000"])
def test_extreme_years_are_refused_naming_the_field(label):
    with pytest.raises(ValidationFailed) as error:
        parse_period(label, fiscal_start_month=7)
    assert error.value.field == "period"
    assert "1900 to 2999" in error.value.message


def test_extreme_years_in_the_api_are_a_400(api_clients):
    team = TeamFactory()
    for period in ("0000-Q1", "9999-Q4"):
        response = api_clients["admin"].post(
            "/api/v1/roadmaps/", {"team": team.pk, "period": period}, format="json"
        )
        assert response.status_code == 400, period
        assert "period" in response.json()


def test_api_answers_json_503_while_the_database_is_down(api_clients):
    client = api_clients["member"]
    down = OperationalError("connection to server failed: Connection refused")
    with mock.patch.object(CursorWrapper, "execute", side_effect=down):
        response = client.get("/api/v1/requests/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "database" in response.json()["detail"]
    assert response["Retry-After"]
