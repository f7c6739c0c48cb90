"""Call every GET operation of the published API schema as each demo role.

The schema is the API's promise: every path it lists must answer without a server error
for every role (refusals are fine), and every list must come in the paginated shape the
README documents. Path parameters are filled with ids from the list one level up, read as
the same role where it may, else as the admin (so refusals of other people's objects are
exercised too).
"""

import re

import pytest
from rest_framework.test import APIClient

from intake.assessments import Assessment
from intake.models import Comment
from prodops.accounts.models import User

ROLES = ("anonymous", "stakeholder", "member", "lead", "admin")
PARAMETER = re.compile(r"\{(\w+)\}")
# Suggestions while typing a title: at most five, best first, so there is nothing to page.
UNPAGINATED_LISTS = {"/api/v1/requests/similar/"}


@pytest.fixture
def demo(demo_data, db):
    """The demo workspace, seeded once per module; each test's own writes are undone."""


def api_client(username: str | None) -> APIClient:
    client = APIClient()
    if username is not None:
        client.force_authenticate(User.objects.get(username=username))
    return client


def get_operations(schema: dict) -> list[tuple[str, str]]:
    return [
        (path, ops["get"]["operationId"]) for path, ops in schema["paths"].items() if "get" in ops
    ]


def first_id(client: APIClient, collection: str) -> int | None:
    response = client.get(collection)
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return rows[0]["id"] if rows and "id" in rows[0] else None


def fill(template: str, clients: list[APIClient]) -> str | None:
    """`/api/v1/roadmaps/{roadmap_pk}/items/{id}/` with real ids, parent first."""
    path = template
    while match := PARAMETER.search(path):
        collection = path[: match.start()]
        found = next((i for c in clients if (i := first_id(c, collection)) is not None), None)
        if found is None:
            return None
        path = path[: match.start()] + str(found) + path[match.end() :]
    return path


def test_schema_is_published_as_json(demo):
    response = api_client("admin").get("/api/schema/?format=json")
    assert response.status_code == 200
    assert get_operations(response.json())


@pytest.mark.parametrize("role", ROLES)
def test_every_get_operation_answers_without_error(demo, role):
    schema = api_client("admin").get("/api/schema/?format=json").json()
    client = api_client(None if role == "anonymous" else role)
    admin = api_client("admin")
    problems, called = [], 0
    for template, operation in get_operations(schema):
        path = fill(template, [client, admin]) if "{" in template else template
        if path is None:
            continue
        response = client.get(path)
        called += 1
        status = response.status_code
        if status >= 500:
            problems.append(f"GET {path}: {status}")
            continue
        if role == "anonymous":
            if status not in (401, 403):
                problems.append(f"GET {path}: {status} for an anonymous caller")
            continue
        if status == 200 and operation.endswith("_list") and template not in UNPAGINATED_LISTS:
            body = response.json()
            if not (isinstance(body, dict) and {"results", "count", "next"} <= body.keys()):
                problems.append(f"GET {path}: a list without results/count/next")
    assert called > 20
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_stakeholder_api_never_returns_internal_notes_or_assessments(demo):
    secrets = list(
        Comment.objects.filter(is_internal=True).values_list("body", flat=True).distinct()
    ) + list(Assessment.objects.exclude(rationale="").values_list("rationale", flat=True))
    assert secrets
    client = api_client("stakeholder")
    visible = client.get("/api/v1/requests/?page_size=200").json()["results"]
    assert visible
    leaks = []
    for row in visible:
        base = f"/api/v1/requests/{row['id']}/"
        for path in (base, f"{base}comments/", f"{base}history/"):
            body = client.get(path).content.decode()
            leaks += [f"{path} returns {text[:40]!r}" for text in secrets if text in body]
        if client.get(f"{base}assessments/").status_code != 403:
            leaks.append(f"{base}assessments/ answers a stakeholder")
    assert not leaks, "\n".join(leaks)


# Wrong types and out-of-range values for the fields the API's writes take.
JUNK_BODY = {
    "title": "x" * 5000,
    "to": "bogus",
    "version": "abc",
    "into": 10**20,
    "assignee": "abc",
    "lane": 5,
    "estimate_days": "NaN",
    "buffer_percent": "abc",
    "days": -1,
    "day": "not a date",
    "requests": ["abc"],
    "objective": 10**20,
    "impact": 99,
    "effort_days": "-3",
    "cost_band_edges": ["NaN", "1"],
    "interval_days": 0,
    "period": "2027-Q9",
    "parent": 999999,
    "status": "x",
}


@pytest.mark.parametrize("role", ROLES[1:])
def test_every_write_operation_answers_bad_input_without_error(demo, role):
    schema = api_client("admin").get("/api/schema/?format=json").json()
    client, admin = api_client(role), api_client("admin")
    problems = []
    for template, operations in schema["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method not in operations:
                continue
            path = fill(template, [client, admin]) if "{" in template else template
            if path is None:
                continue
            for body in ({}, JUNK_BODY) if method != "delete" else ({},):
                response = getattr(client, method)(path, body, format="json")
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {path}: {response.status_code}")
    assert not problems, f"{role}:\n" + "\n".join(problems)
