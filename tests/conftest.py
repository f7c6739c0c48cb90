import io
import os
import shutil
import uuid

import pytest
from rest_framework.test import APIClient

from prodops.accounts.roles import Role
from tests.factories import DepartmentFactory, UserFactory

# Playwright's sync API keeps an event loop on the main thread; Django's async-safety check
# would then refuse the synchronous ORM calls that tests make on purpose.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`seed_demo` once for a whole test module, rolled back when the module is done.

    Each test still runs in its own transaction inside this one (as in Django's
    `TestCase.setUpTestData`), so what a test writes is undone before the next."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so counts kept there (sign-in failures) never
    carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Sales", slug="sales")


@pytest.fixture
def stakeholder(db, department):
    return UserFactory(username="stakeholder", role=Role.STAKEHOLDER, department=department)


@pytest.fixture
def member(db):
    return UserFactory(username="member", role=Role.MEMBER)


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", role=Role.LEAD)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def users(stakeholder, member, lead, admin_user):
    return {"stakeholder": stakeholder, "member": member, "lead": lead, "admin": admin_user}


def _client_for(user, client_class):
    client = client_class()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(users):
    """Django test clients signed in as each role, plus an anonymous one (browser views)."""
    from django.test import Client

    result = {role: _client_for(user, Client) for role, user in users.items()}
    result["anonymous"] = Client()
    return result


@pytest.fixture
def api_clients(users):
    """DRF API clients signed in as each role, plus an anonymous one."""
    result = {role: _client_for(user, APIClient) for role, user in users.items()}
    result["anonymous"] = APIClient()
    return result


@pytest.fixture
def mailoutbox_clear(mailoutbox):
    mailoutbox.clear()
    return mailoutbox


# --- Browser tests -------------------------------------------------------------------------


def _chromium_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    # A browser test waits on a real browser and a live server sharing two cores with the rest
    # of the machine; one that fails is run once more, and one that fails twice fails.
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.flaky(reruns=1))
    reason = _chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        # In CI a missing browser is a failure, not a skip.
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing_reason()
    if reason is not None:
        pytest.fail(f"browser tests need Chromium: {reason}")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's assertions wait 5 s by default; a loaded machine can need longer.
    expect.set_options(timeout=10_000)
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def login(live_server):
    """login(page, user) signs a browser page in through the real login form."""

    def _login(page, user, password: str = "pw"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _login


# --- A real Celery worker ------------------------------------------------------------------


def _redis_answering_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # any failure to reach Redis means "no Redis" for these tests
        return ""
    return url


@pytest.fixture
def real_worker(transactional_db):
    """A Celery worker thread consuming from Redis, with eager mode off for the test.

    Skipped when no Redis answers, except in CI with REDIS_URL set, where that is a failure."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from prodops.celery import app

    url = _redis_answering_url()
    if not url:
        if os.environ.get("CI") == "true" and os.environ.get("REDIS_URL"):
            pytest.fail("REDIS_URL is set in CI but Redis does not answer")
        pytest.skip("no Redis answering at REDIS_URL")
    # A queue of its own, so a worker of another test run on the same Redis cannot take
    # this run's tasks.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    default_queue = app.conf.task_default_queue
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        broker_transport_options={},
        task_default_queue=queue,
    )
    try:
        with start_worker(
            app,
            perform_ping_check=False,
            pool="solo",
            concurrency=1,
            loglevel="WARNING",
            queues=[queue],
        ) as worker:
            yield worker
    finally:
        import redis

        client = redis.Redis.from_url(url)
        client.delete(queue, *client.keys(f"_kombu.binding*{queue}"))
        app.conf.update(
            task_default_queue=default_queue,
            task_always_eager=True,
            broker_url=settings.CELERY_BROKER_URL,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )


def wait_until(condition, *, timeout: float = 20.0, interval: float = 0.2) -> bool:
    """Poll `condition` until it is true or `timeout` seconds pass; returns its last value."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
