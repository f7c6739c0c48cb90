"""Every page a demo role reaches, in Chromium: nothing wider than the screen at 1280 and at
390 px (a phone), and axe-core finds no critical or serious accessibility violation.

The pages are the ones the crawl (tests/test_crawl.py) reaches as that role, one of each kind,
and for the admin also the Django admin's index, lists and forms. axe-core is the npm
package's `axe.min.js` (MPL-2.0, see vendor/axe-core-LICENSE), injected into each page.

With PRODOPS_SCREENSHOTS=<folder> set, the pages the README shows are saved there
(`make screenshots`)."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from prodops.accounts.models import User
from tests.test_crawl import crawl

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)
# Impacts that fail the test; axe's "moderate" and "minor" are advice. landmark-unique is a
# moderate rule the product asks for by name, so it fails too.
FAILING_IMPACTS = {"critical", "serious"}
ALWAYS_FAILING_RULES = {"landmark-unique"}
MAX_ADMIN_PAGES = 16
README_SHOTS = {
    ("member", "/requests/"): "queue",
    ("lead", "board"): "roadmap-board",
    ("stakeholder", "/requests/new/"): "request-form",
}


def _admin_paths(client: Client) -> list[str]:
    """The admin's index, each model's list and add form, and the first object of each list."""
    paths = ["/admin/"]
    index = client.get("/admin/").content.decode()
    lists = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index)))
    for path in lists:
        paths.append(path)
        page = client.get(path).content.decode()
        change = re.search(rf'href="({re.escape(path)}\d+/change/)"', page)
        if change:
            paths.append(change.group(1))
    paths += [p + "add/" for p in lists[:2]]
    return paths[:MAX_ADMIN_PAGES]


def _pages_for(user: User) -> list[str]:
    client = Client()
    client.force_login(user)
    # One page of each template: `/requests/3/` and `/requests/9/?page=2` lay out alike
    # (a filtered list is the same markup too), and each page costs an axe run.
    kinds: dict[str, str] = {}
    for path in sorted(crawl(client, max_per_kind=1, links_only=True).pages, key=len):
        kinds.setdefault(re.sub(r"\d+", "N", path.partition("?")[0]), path)
    pages = sorted(kinds.values())
    if user.is_workspace_admin:
        pages += _admin_paths(client)
    return pages


def _overflow(page) -> tuple[int, int]:
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def _axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALWAYS_FAILING_RULES
    ]


ROLES = ("stakeholder", "member", "lead", "admin")


def _problems_as(browser, live_server, login, role: str) -> list[str]:
    user = User.objects.get(username=role)
    paths = _pages_for(user)
    assert len(paths) > 5, paths
    shots = os.environ.get("PRODOPS_SCREENSHOTS")
    board = next((p for p in paths if re.fullmatch(r"/roadmap/\d+/", p)), None)

    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, user, password="demo")
    problems = []
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(f"{live_server.url}{path}")
        if response is None or response.status >= 400:
            problems.append(f"{role} {path}: HTTP {response and response.status}")
            continue
        problems += [f"{role} {path}: {v}" for v in _axe_violations(page)]
        if shots and README_SHOTS.get((role, path)) == "request-form":
            # Show the similar-request suggestions the form offers while a title is typed.
            page.get_by_label("Title").press_sequentially("pipeline dashboard", delay=20)
            page.get_by_test_id("similar").wait_for()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll, inner = _overflow(page)
            if scroll > inner:
                problems.append(f"{role} {path} at {width} px: {scroll} px wide")
            name = README_SHOTS.get((role, path)) or (
                README_SHOTS.get((role, "board")) if path == board else None
            )
            if shots and name:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"))
    context.close()
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, login, role):
    """One test per role, so that parallel runs can share them out; each seeds the demo data
    (a transactional test's writes are undone by emptying every table)."""
    call_command("seed_demo", verbosity=0)
    problems = _problems_as(browser, live_server, login, role)
    assert not problems, "\n".join(problems)
