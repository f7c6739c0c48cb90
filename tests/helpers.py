"""Test helpers that every feature reuses: the role matrix and the query-count check."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

ROLES = ("anonymous", "stakeholder", "member", "lead", "admin")


def assert_role_matrix(
    clients: dict, method: str, url: str, expected: dict, data=None, **extra
) -> None:
    """Call `url` as every role and compare status codes with `expected` ({role: status}).

    Roles missing from `expected` are not called. Each call runs through the real URL,
    middleware and view, so the rule is checked where users meet it."""
    failures = []
    for role, want in expected.items():
        client = clients[role]
        call = getattr(client, method.lower())
        kwargs = dict(extra)
        if data is not None:
            kwargs["data"] = data
            if hasattr(client, "credentials"):
                kwargs.setdefault("format", "json")
        response = call(url, **kwargs)
        got = response.status_code
        wanted = want if isinstance(want, tuple | list | set) else (want,)
        if got not in wanted:
            failures.append(f"{role}: {method.upper()} {url} → {got}, expected {want}")
    assert not failures, "\n".join(failures)


def count_queries(call: Callable[[], object]) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


def assert_queries_do_not_grow(
    call: Callable[[], object],
    add_rows: Callable[[int], None],
    *,
    before: int = 10,
    after: int = 100,
) -> int:
    """Measure `call` with `before` rows, add rows up to `after`, measure again: the number of
    queries must be the same. Returns the count so a test can also pin it."""
    add_rows(before)
    call()  # warm caches (content types, sessions) so both measurements compare alike
    small, response = count_queries(call)
    _assert_ok(response)
    add_rows(after - before)
    large, response = count_queries(call)
    _assert_ok(response)
    assert small == large, (
        f"queries grew with rows: {small} with {before} rows, {large} with {after}"
    )
    return large


def _assert_ok(response) -> None:
    status = getattr(response, "status_code", 200)
    assert status == 200, f"expected 200, got {status}"
