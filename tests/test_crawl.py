"""Crawl the app as each demo role and check what every reachable page gets right.

A real user follows links; so does this test. Starting at `/`, it follows every same-site
link a role is shown, submits each filter form once per choice, and checks each page: no
server error, no link to a page that is missing or refused, one `<h1>`, a `<main>`, a label
for every form control, no label pointing at nothing, no duplicate ids, no stray "None" in
a table. What htmx fetches is also fetched with `HX-Request`. For the stakeholder it also
checks that no internal note or assessment reaches any page.
"""

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.test import Client

from intake.assessments import Assessment
from intake.models import Comment, Request
from prodops.accounts.models import User
from roadmap.models import RoadmapItem, ShareLink, UnplannedEntry

ROLES = ("stakeholder", "member", "lead", "admin")
MAX_PAGES = 150
# Sixty request pages differ only by their data; a few of each kind leave room in the cap
# for every other page.
MAX_PER_KIND = 4
SKIP_PREFIXES = ("/admin/", "/accounts/logout/", "/static/", "/media/", "/api/")
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
FORM_CONTROLS = {"input", "select", "textarea"}


@dataclass
class PageFacts:
    h1_count: int = 0
    main_count: int = 0
    links: list[str] = field(default_factory=list)
    htmx_links: list[str] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)
    label_targets: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    duplicate_ids: set[str] = field(default_factory=set)
    none_cells: list[str] = field(default_factory=list)
    get_forms: list[dict] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects the facts the checks need in one pass over a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._label_depth = 0
        self._cell_text: list[str] | None = None
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value or "") for name, value in attrs}
        facts = self.facts
        if "id" in attrs:
            if attrs["id"] in facts.ids:
                facts.duplicate_ids.add(attrs["id"])
            facts.ids.add(attrs["id"])
        if tag == "h1":
            facts.h1_count += 1
        elif tag == "main":
            facts.main_count += 1
        elif tag == "a" and "href" in attrs:
            facts.links.append(attrs["href"])
            if attrs.get("hx-get"):
                facts.htmx_links.append(attrs["hx-get"])
        elif tag == "label":
            self._label_depth += 1
            if "for" in attrs:
                facts.label_targets.add(attrs["for"])
        elif tag in ("td", "th"):
            self._cell_text = []
        elif tag == "form":
            self._form = {
                "method": attrs.get("method", "get").lower(),
                "action": attrs.get("action", ""),
                "htmx": bool(attrs.get("hx-get")),
                "fields": [],
            }
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": ""}
            self._select["options"].append(self._option)
            if "selected" in attrs:
                self._select["value"] = attrs.get("value")
        self._collect_form_field(tag, attrs)
        if tag in FORM_CONTROLS:
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if kind not in UNLABELLED_TYPES:
                facts.controls.append(
                    {
                        "tag": tag,
                        "name": attrs.get("name", ""),
                        "id": attrs.get("id", ""),
                        "wrapped": self._label_depth > 0,
                        "aria": bool(attrs.get("aria-label") or attrs.get("aria-labelledby")),
                    }
                )

    def _collect_form_field(self, tag, attrs):
        if self._form is None or not attrs.get("name") or "form" in attrs:
            return
        if tag == "select":
            self._select = {"name": attrs["name"], "value": None, "options": []}
            self._form["fields"].append(self._select)
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "reset", "image"):
                self._form["fields"].append({"name": attrs["name"], "value": attrs.get("value")})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "label":
            self._label_depth -= 1

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1
        elif tag in ("td", "th") and self._cell_text is not None:
            text = " ".join("".join(self._cell_text).split())
            if text == "None":
                self.facts.none_cells.append(tag)
            self._cell_text = None
        elif tag == "form" and self._form is not None:
            if self._form["method"] == "get":
                self.facts.get_forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            for option in options:
                if option["value"] is None:
                    option["value"] = option["text"].strip()
            if self._select["value"] is None and options:
                self._select["value"] = options[0]["value"]
            self._select = self._option = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._cell_text is not None:
            self._cell_text.append(data)
        if self._option is not None:
            self._option["text"] += data


def parse(html: str) -> PageFacts:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser.facts


def same_site_path(base: str, href: str) -> str | None:
    """The path (with query) a link leads to, or None when the crawl should not follow it."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url, _fragment = urldefrag(urljoin(f"http://testserver{base}", href))
    parts = urlsplit(url)
    if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(".csv"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def form_submissions(page_path: str, form: dict) -> list[str]:
    """The queries a user produces with a filter form: as shown, then each choice of each
    select with the other fields left as they are."""
    action = form["action"] or page_path.partition("?")[0]
    base = {f["name"]: f["value"] or "" for f in form["fields"]}
    queries = [base]
    for select in (f for f in form["fields"] if "options" in f):
        for option in select["options"]:
            if option["value"] != select["value"]:
                queries.append({**base, select["name"]: option["value"]})
    return [f"{action}?{urlencode(query)}" for query in queries]


def page_kind(path: str) -> str:
    """`/requests/12/?page=2` and `/requests/40/?page=3` are the same kind of page."""
    base, _, query = path.partition("?")
    keys = sorted(part.partition("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", base) + "?" + "&".join(keys)


def page_problems(path: str, facts: PageFacts) -> list[str]:
    problems = []
    if facts.h1_count != 1:
        problems.append(f"{path}: {facts.h1_count} <h1> elements, expected exactly one")
    if facts.main_count != 1:
        problems.append(f"{path}: {facts.main_count} <main> elements, expected one")
    for control in facts.controls:
        labelled = (
            control["wrapped"]
            or control["aria"]
            or (control["id"] and control["id"] in facts.label_targets)
        )
        if not labelled:
            problems.append(
                f"{path}: <{control['tag']} name={control['name']!r} id={control['id']!r}> "
                "has no label"
            )
    dangling = facts.label_targets - facts.ids
    if dangling:
        problems.append(f"{path}: <label for> pointing at no element: {sorted(dangling)}")
    if facts.duplicate_ids:
        # A label's `for` (and a skip link, and htmx targets) finds only the first one.
        problems.append(f"{path}: duplicate ids {sorted(facts.duplicate_ids)}")
    if facts.none_cells:
        problems.append(f"{path}: a table cell shows the text 'None'")
    return problems


@dataclass
class CrawlResult:
    pages: dict[str, str] = field(default_factory=dict)  # path → HTML of each 200 page
    problems: list[str] = field(default_factory=list)


def crawl(
    client: Client, *, max_per_kind: int = MAX_PER_KIND, links_only: bool = False
) -> CrawlResult:
    """Follow links breadth-first from `/`; then submit each filter form once per choice
    and fetch as htmx what htmx fetches (unless `links_only`)."""
    result = CrawlResult()
    queue: list[tuple[str, str]] = [("/", "(start)")]
    seen = {"/"}
    kinds: dict[str, int] = {}
    htmx_targets: dict[str, str] = {}
    forms: dict[tuple, tuple[str, dict]] = {}

    def follow(target: str | None, referrer: str) -> None:
        if not target or target in seen:
            return
        kind = page_kind(target)
        if kinds.get(kind, 0) >= max_per_kind:
            return
        kinds[kind] = kinds.get(kind, 0) + 1
        seen.add(target)
        queue.append((target, referrer))

    def fetch(path: str, referrer: str) -> tuple[int, str | None]:
        response = client.get(path)
        status = response.status_code
        if status >= 500 or status in (403, 404, 405):
            result.problems.append(f"{path} (from {referrer}): {status}")
        elif status == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            result.pages[path] = html
            return status, html
        elif status in (301, 302):
            return status, response["Location"]
        return status, None

    while queue and len(result.pages) < MAX_PAGES:
        path, referrer = queue.pop(0)
        status, body = fetch(path, referrer)
        if status in (301, 302):
            follow(same_site_path(path, body), path)
        if status != 200 or body is None:
            continue
        facts = parse(body)
        result.problems.extend(page_problems(path, facts))
        for href in facts.links:
            follow(same_site_path(path, href), path)
        for href in facts.htmx_links:
            if target := same_site_path(path, href):
                htmx_targets.setdefault(target, path)
        for form in facts.get_forms:
            key = (page_kind(form["action"] or path), tuple(f["name"] for f in form["fields"]))
            forms.setdefault(key, (path, form))

    if links_only:
        return result
    for page_path, form in forms.values():
        for query in form_submissions(page_path, form):
            status, body = fetch(query, f"the filter form on {page_path}")
            if status == 200 and body is not None:
                result.problems.extend(page_problems(query, parse(body)))
            if form["htmx"]:
                htmx_targets.setdefault(query, page_path)

    for path, referrer in htmx_targets.items():
        response = client.get(path, headers={"HX-Request": "true"})
        if response.status_code >= 400:
            result.problems.append(f"{path} as htmx (from {referrer}): {response.status_code}")
        elif response.status_code == 200 and parse(response.content.decode()).none_cells:
            # A partial has no page chrome; only the table check applies.
            result.problems.append(f"{path} as htmx: a table cell shows the text 'None'")
    return result


@pytest.fixture
def demo(demo_data, db):
    """The demo workspace, seeded once per module; each test's own writes are undone."""


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_is_sound(demo, role):
    client = Client()
    client.force_login(User.objects.get(username=role))
    result = crawl(client)
    assert len(result.pages) > 3, f"{role} reached only {sorted(result.pages)}"
    assert not result.problems, f"{role}:\n" + "\n".join(result.problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_demo_request_page_is_sound(demo, role):
    """The crawl samples a few request pages; requests in each status render differently
    (merged, parked, needs info, scored…), so every one is opened here."""
    client = Client()
    client.force_login(User.objects.get(username=role))
    problems = []
    for pk in Request.objects.order_by("pk").values_list("pk", flat=True):
        path = f"/requests/{pk}/"
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        elif response.status_code == 200:
            problems.extend(page_problems(path, parse(response.content.decode())))
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_stakeholder_pages_never_show_internal_notes_or_assessments(demo):
    notes = list(
        Comment.objects.filter(is_internal=True).values_list("body", flat=True).distinct()[:5]
    )
    rationales = list(
        Assessment.objects.exclude(rationale="").values_list("rationale", flat=True).distinct()[:5]
    )
    assert notes, "the demo data should hold internal notes"
    client = Client()
    client.force_login(User.objects.get(username="stakeholder"))
    result = crawl(client, max_per_kind=MAX_PAGES)
    assert any(path.startswith("/requests/") for path in result.pages)
    leaks = [
        f"{path} shows {text[:40]!r}"
        for path, html in result.pages.items()
        for text in notes + rationales
        if text in unescape(html)
    ]
    leaks += [
        f"{path} shows the scoring panel"
        for path, html in result.pages.items()
        if 'id="scoring-panel"' in html
    ]
    assert not leaks, "\n".join(leaks)


def test_anonymous_share_link_page_is_sound_and_shows_only_shared_text(demo, client):
    links = list(ShareLink.objects.select_related("roadmap"))
    assert links, "the demo data should hold share links"
    internal = list(
        RoadmapItem.objects.filter(visibility="internal").values_list("title", flat=True)
    ) + list(UnplannedEntry.objects.values_list("what", flat=True))
    for link in links:
        path = link.get_absolute_url()
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert not page_problems(path, parse(html))
        shown = [text for text in internal if text in unescape(html)]
        assert not shown, f"{path} shows internal text: {shown}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/requests/", "/roadmap/"])
def test_anonymous_user_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/"])
def test_anonymous_user_reaches_health_and_login(client, path):
    assert client.get(path).status_code == 200
