"""The main pages, in a real browser, as a member and as a lead: no JavaScript error in the
console and no failed request, on page load or on the first htmx filter change.

Each page is also saved as a screenshot of the first screen under the system temp folder
(`prodops-screens/`) so a layout can be looked at after a run."""

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command

from intake.models import Request
from prodops.accounts.models import User
from roadmap.models import Roadmap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(tempfile.gettempdir()) / "prodops-screens"


def _main_pages(user: User) -> list[tuple[str, str]]:
    roadmap = Roadmap.objects.filter(team__memberships__user=user).order_by("pk").first()
    request = Request.objects.order_by("pk").first()
    return [
        ("queue", "/requests/"),
        ("request", f"/requests/{request.pk}/"),
        ("backlog", "/requests/backlog/"),
        ("board", f"/roadmap/{roadmap.pk}/"),
        ("timeline", f"/roadmap/{roadmap.pk}/timeline/"),
        ("reviews", "/reviews/"),
        ("notifications", "/notifications/"),
        ("objectives", "/outcomes/objectives/"),
    ]


class BrowserProblems:
    """Console errors, uncaught exceptions and failed requests seen by one tab."""

    def __init__(self, page):
        self.seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"uncaught: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, message):
        if message.type == "error":
            where = message.location.get("url", "")
            self.seen.append(f"console: {message.text} {where}".strip())

    def _failed(self, request):
        # Going to the next page cancels what is still loading (the favicon, say); that is
        # the browser's doing, not a failure of the app.
        if request.failure != "net::ERR_ABORTED":
            self.seen.append(f"failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.seen.append(f"{response.status}: {response.request.method} {response.url}")

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


@pytest.mark.parametrize("username", ["member", "lead"])
def test_main_pages_load_without_console_errors_or_failed_requests(
    page, live_server, login, username
):
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(username=username)
    SCREENS.mkdir(exist_ok=True)
    problems = BrowserProblems(page)
    login(page, user, password="demo")
    found = []
    for name, path in _main_pages(user):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SCREENS / f"{username}-{name}.png")
        filters = page.locator("form.filters select").first
        # Picking the second choice of the first filter is enough to send one htmx request.
        if filters.count() and filters.locator("option").count() > 1:
            with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
                filters.select_option(index=1)
            page.wait_for_load_state("networkidle")
        found += [f"{path}: {problem}" for problem in problems.take()]
    assert not found, "\n".join(found)
