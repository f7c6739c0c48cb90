"""The pieces of the visual system and of htmx feedback that need no browser: the icon,
avatar and date tags, htmx answers carrying Django messages, refusals naming their field,
real select placeholders and help texts that the fields' aria-describedby point at."""

import datetime as dt
import re

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory as DjangoRequestFactory
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.core.templatetags.prodops_tags import initials
from tests.factories import RequestFactory, UserFactory
from tests.test_crawl import parse


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_icon_is_inline_svg_hidden_from_screen_readers_unless_labelled():
    plain = render('{% icon "bell" %}')
    assert plain.startswith("<svg") and 'aria-hidden="true"' in plain and "<path" in plain
    labelled = render('{% icon "bell" label="Notifications" %}')
    assert 'role="img" aria-label="Notifications"' in labelled
    assert "aria-hidden" not in labelled


def test_an_unknown_icon_fails_loudly():
    with pytest.raises(TemplateSyntaxError, match="No icon named"):
        render('{% icon "no-such-icon" %}')


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Milo Owens", "MO"), ("milo", "MI"), ("ana-lucia ruiz", "AR"), ("", "?")],
)
def test_initials(name, expected):
    assert initials(name) == expected


@pytest.mark.django_db
def test_avatar_shows_initials_in_one_tone_per_person():
    person = UserFactory(first_name="Lena", last_name="Lopez")
    html = render("{% avatar p %}{% avatar p decorative=True %}", p=person)
    first, second = re.findall(r"<span[^>]*>[^<]*</span>", html)
    assert ">LL<" in first and 'aria-label="Lena Lopez"' in first
    assert 'aria-hidden="true"' in second
    tone = re.search(r"tone-\d", first).group(0)
    assert tone in second


def test_when_is_relative_with_the_absolute_date_on_hover():
    now = timezone.now()
    html = render("{{ v|when }}", v=now - dt.timedelta(days=3))
    assert re.fullmatch(
        r'<time datetime="[^"]+" title="\d{1,2} \w{3} \d{4}, \d\d:\d\d">3\sdays ago</time>', html
    )
    later = render("{{ v|when }}", v=now + dt.timedelta(days=14, hours=1)).replace("\xa0", " ")
    assert ">in 2 weeks<" in later
    today = timezone.localdate()
    assert ">yesterday<" in render("{{ v|when }}", v=today - dt.timedelta(days=1))
    assert ">tomorrow<" in render("{{ v|when }}", v=today + dt.timedelta(days=1))
    assert render("{{ v|when }}", v=None) == "—"


@pytest.mark.django_db
def test_htmx_answers_bring_pending_messages_out_of_band():
    from prodops.core.middleware import HtmxMessagesMiddleware

    def view(request):
        messages.success(request, "Saved it.")
        return HttpResponse("<p>row</p>", content_type="text/html; charset=utf-8")

    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    def request(htmx: bool):
        req = DjangoRequestFactory().post("/", headers={"HX-Request": "true"} if htmx else {})
        req.htmx = htmx
        req.session = SessionStore()
        req._messages = FallbackStorage(req)
        req.user = UserFactory()
        return req

    html = HtmxMessagesMiddleware(view)(request(htmx=True)).content.decode()
    assert html.startswith("<p>row</p>")
    assert re.search(r'id="messages"[^>]*hx-swap-oob="true"', html)
    assert "Saved it." in html
    assert "messages" not in HtmxMessagesMiddleware(view)(request(htmx=False)).content.decode()


@pytest.mark.django_db
def test_a_refused_htmx_action_names_the_field_at_fault(client):
    member = UserFactory(role=Role.MEMBER)
    req = RequestFactory(requester=member)
    client.force_login(member)
    response = client.post(
        f"/requests/{req.pk}/transition/",
        {"to": "needs_info", "reason": "", "version": req.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="refused"' in html and 'data-field="reason"' in html


@pytest.mark.django_db
def test_selects_have_real_placeholders_and_help_texts_exist(clients):
    for path in ("/requests/new/", "/roadmap/new/", "/outcomes/objectives/new/"):
        html = clients["admin"].get(path).content.decode()
        assert "---------" not in html, path
        facts = parse(html)
        described = set(re.findall(r'aria-describedby="([^"]+)"', html))
        missing = {i for ids in described for i in ids.split() if i not in facts.ids}
        assert not missing, f"{path}: aria-describedby points at no element: {missing}"


@pytest.mark.django_db
def test_navigation_and_page_agree_on_objectives(clients):
    html = clients["member"].get("/outcomes/objectives/").content.decode()
    assert re.search(r'aria-current="page">.*?<span>Objectives</span>', html, re.S)
    assert "<h1>Objectives" in html or re.search(r"<h1[^>]*>\s*Objectives", html)
