"""The OpenAPI schema tells the truth: schemathesis over every operation, as three roles.

For each operation of the published schema and for the stakeholder, member and lead of
the demo workspace, generated requests (valid ones and invalid ones, from a fixed seed) go
through the real Django WSGI application on PostgreSQL, signed in with the role's API token
(obtained from the token endpoint, so authentication runs exactly as for a client). Every
response must pass all of schemathesis' default checks: no server error, a documented
status code, a documented content type and headers, a body of the documented shape,
invalid input refused and valid input not refused for being invalid.

In valid cases, path parameters are mostly real ids of the demo data (read as the admin, so other people's
objects and refusals are exercised too) and sometimes generated ones (so 404 is exercised).
Each generated request runs in a savepoint that is rolled back, so deletes and edits of
one case never change what the next one sees.

On failure the test lists, per operation and role, schemathesis' explanation and a curl
command that reproduces the request.
"""

import os
import re
import time
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from prodops.accounts.models import User

pytestmark = pytest.mark.slow

ROLES = ("stakeholder", "member", "lead")
SEED = 20260
# Per operation, per role and per generation mode (valid input, invalid input).
EXAMPLES = {
    GenerationMode.POSITIVE: int(os.environ.get("SCHEMA_TEST_EXAMPLES", "20")),
    GenerationMode.NEGATIVE: int(os.environ.get("SCHEMA_TEST_NEGATIVE_EXAMPLES", "5")),
}
DEMO_PASSWORD = "demo"
TOKEN_PATH = "/api/v1/auth/token/"
PARAMETER = re.compile(r"\{(\w+)\}")
# All default checks run. One setting differs: a well-formed request may still be refused
# with 400 by a rule the schema cannot express because it depends on stored data (an id
# that does not exist, a lifecycle move not allowed from the current status, someone who is
# not on the team, a department still in use). Such 400s must still be documented and
# have the documented body; malformed input must still be refused.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
            }
        }
    }
)
# How many real objects per path parameter a case may pick from.
REAL_IDS = 3


@pytest.fixture
def demo(demo_data, db):
    """The demo workspace, seeded once per module; each test's own writes are undone."""


@contextmanager
def requests_keep_the_test_transaction():
    """Django closes an unusable database connection as a request starts and ends; inside a test that
    would end the test's transaction. Django's own test client unhooks it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def published_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def list_ids(admin: APIClient, collection: str) -> list:
    response = admin.get(collection)
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row][:REAL_IDS]


def real_path_parameters(template: str, admin: APIClient) -> list[dict]:
    """Combinations of existing ids for `/roadmaps/{roadmap_pk}/items/{id}/`, parent first."""
    combinations: list[tuple[dict, str]] = [({}, template)]
    while combinations and PARAMETER.search(combinations[0][1]):
        extended = []
        for params, path in combinations:
            match = PARAMETER.search(path)
            for value in list_ids(admin, path[: match.start()]):
                filled = path[: match.start()] + str(value) + path[match.end() :]
                extended.append(({**params, match.group(1): value}, filled))
        combinations = extended
    return [params for params, _ in combinations]


def token_for(username: str) -> str:
    client = APIClient()
    response = client.post(
        TOKEN_PATH, {"username": username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def sign_in_with_token(schema, token: str):
    """Every case carries the role's token, as schemathesis' own credentials: its
    authentication checks then also send each request without them, and with wrong ones,
    and expect a refusal."""

    @schema.auth()
    class RoleToken:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


def has_input(operation) -> bool:
    """Whether there is anything to make invalid: path or query parameters, or a body."""
    return any(
        len(list(part)) for part in (operation.path_parameters, operation.query, operation.body)
    )


def run_operation(operation, *, mode, real_ids, failures, counter):
    if mode == GenerationMode.NEGATIVE and not has_input(operation):
        return
    strategy = operation.as_strategy(generation_mode=mode, auth_storage=operation.schema.auth)

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(data=st.data())
    def check(data):
        case = data.draw(strategy, label="case")
        # Invalid cases keep what was generated: a real id could undo what makes them invalid.
        if (
            real_ids
            and mode == GenerationMode.POSITIVE
            and data.draw(st.integers(0, 3), label="real ids?") > 0
        ):
            case.path_parameters = {
                **(case.path_parameters or {}),
                **data.draw(st.sampled_from(real_ids), label="real ids"),
            }
        counter[0] += 1
        with transaction.atomic():
            case.call_and_validate()
            transaction.set_rollback(True)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # one entry per failing operation and role
        failures.append(f"{operation.label} [{mode.value}]\n{error}")


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_the_schema_says(demo, role):
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_dict(published_schema(), config=CONFIG)
    schema.app = app
    admin = APIClient()
    admin.force_authenticate(User.objects.get(username="admin"))
    sign_in_with_token(schema, token_for(role))

    # Read through Django's test client, which hooks the connection handling back in when
    # done: so all of it before the schemathesis requests.
    operations = [result.ok() for result in schema.get_all_operations()]
    real_ids = {op.path: real_path_parameters(op.path, admin) for op in operations}

    failures: list[str] = []
    counter = [0]
    started = time.monotonic()
    with requests_keep_the_test_transaction():
        for operation in operations:
            for mode in EXAMPLES:
                run_operation(
                    operation,
                    mode=mode,
                    real_ids=real_ids[operation.path],
                    failures=failures,
                    counter=counter,
                )
    elapsed = time.monotonic() - started
    print(f"{role}: {counter[0]} cases over {len(operations)} operations in {elapsed:.1f}s")
    assert len(operations) > 40
    assert not failures, f"{len(failures)} failing operations as {role}:\n\n" + "\n\n".join(
        failures
    )
