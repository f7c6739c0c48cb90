"""Feedback on inline (htmx) actions, in a real browser: a refused action is shown next to the
control that sent it and the page stays (with DEBUG on, where django-htmx's debug script would
otherwise replace the page, and off); a running action disables its button; a success shows a
toast; `?` opens the shortcut list as a dialog; opening a notification marks it read."""

import pytest
from playwright.sync_api import expect

from prodops.accounts.roles import Role
from prodops.notifications.models import Notification
from roadmap.models import RoadmapItem
from tests.factories import RequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Run the test with DEBUG off and on; with DEBUG on, pages load django-htmx's debug
    script, which is what used to replace the page on a 4xx answer."""
    settings.DEBUG = request.param
    return request.param


def _no_reload_marker(page):
    page.evaluate("window.__noReload = 1")


def test_a_refused_comment_is_shown_under_the_comment_form(browser, live_server, login, debug):
    member = UserFactory(username="milo", role=Role.MEMBER)
    req = RequestFactory(title="Quarterly pipeline review deck", requester=member)
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    login(page, member)
    page.goto(f"{live_server.url}/requests/{req.pk}/")
    assert (page.locator("script[src*='django-htmx.js']").count() == 1) is debug
    _no_reload_marker(page)

    # Spaces pass the browser's `required` check; the server refuses them.
    page.get_by_label("Comment", exact=True).fill("   ")
    page.get_by_role("button", name="Comment", exact=True).click()

    error = page.locator("#comments form .inline-error")
    expect(error).to_contain_text("Comment")
    expect(error).to_have_attribute("role", "alert")
    assert page.evaluate("window.__noReload") == 1
    expect(page.get_by_role("heading", level=1)).to_contain_text(req.title)
    # The field at fault is marked and points at the message.
    body = page.get_by_label("Comment", exact=True)
    expect(body).to_have_attribute("aria-invalid", "true")
    error_id = error.get_attribute("id")
    assert error_id in (body.get_attribute("aria-describedby") or "")

    # The next try clears the error and shows the comment, without a reload.
    body.fill("Here is the deck outline.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments")).to_contain_text("Here is the deck outline.")
    expect(page.locator("#comments .inline-error")).to_have_count(0)
    assert page.evaluate("window.__noReload") == 1


def test_a_stale_board_move_says_why_next_to_the_card(browser, live_server, login, debug):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    from prodops.accounts.models import User

    lead = User.objects.get(username="lead")
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    login(page, lead, password="demo")
    item = (
        RoadmapItem.objects.filter(roadmap__team__memberships__user=lead, lane="now")
        .order_by("pk")
        .first()
    )
    page.goto(f"{live_server.url}/roadmap/{item.roadmap_id}/")
    _no_reload_marker(page)
    # Someone else changes the item after the board was loaded.
    RoadmapItem.objects.filter(pk=item.pk).update(version=item.version + 5)

    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name="→ Next").click()
    expect(card.locator(".inline-error")).to_contain_text("Someone else changed this")
    assert page.evaluate("window.__noReload") == 1
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_running_action_disables_its_button_and_a_success_shows_a_toast(
    browser, live_server, login
):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    from prodops.accounts.models import User

    lead = User.objects.get(username="lead")
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    login(page, lead, password="demo")
    item = (
        RoadmapItem.objects.filter(roadmap__team__memberships__user=lead, lane="now")
        .order_by("pk")
        .first()
    )
    page.goto(f"{live_server.url}/roadmap/{item.roadmap_id}/")

    # Hold the answer back so the busy state can be seen.
    def slow(route):
        page.wait_for_timeout(600)
        route.continue_()

    page.route("**/move/", slow)
    button = page.locator(f"#item-{item.pk}").get_by_role("button", name="→ Next")
    button.click()
    expect(button).to_be_disabled()
    expect(page.locator("html")).to_have_class("is-busy")
    toast = page.locator("#messages .flash-success")
    expect(toast).to_contain_text(f"“{item.title}” moved to Next")
    expect(page.locator("html")).not_to_have_class("is-busy")
    expect(page.locator("#board section[data-lane=next]")).to_contain_text(item.title)


def test_question_mark_opens_the_shortcut_list_as_a_dialog(page, live_server, login):
    member = UserFactory(username="milo", role=Role.MEMBER)
    login(page, member)
    page.goto(f"{live_server.url}/requests/")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("next / previous request")
    # A modal dialog sits in the viewport, not at the bottom of a long page.
    box = dialog.bounding_box()
    assert 0 <= box["y"] < 900
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_merge_asks_only_when_submitted(page, live_server, login):
    member = UserFactory(username="milo", role=Role.MEMBER)
    duplicate = RequestFactory(title="Webinar landing page", requester=member)
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    login(page, member)
    page.goto(f"{live_server.url}/requests/{duplicate.pk}/")
    merge = page.locator("form[action$='/merge/']")
    merge.get_by_label("Merge into request #").click()
    merge.get_by_label("Merge into request #").fill(str(duplicate.pk + 1))
    assert asked == []
    merge.get_by_role("button").click()
    assert len(asked) == 1 and "Merge this request?" in asked[0]


def test_opening_a_notification_marks_it_read(page, live_server, login):
    member = UserFactory(username="milo", role=Role.MEMBER)
    req = RequestFactory(title="Churn dashboard", requester=member)
    note = Notification.objects.create(
        recipient=member, title="Churn dashboard is now triaged", url=f"/requests/{req.pk}/"
    )
    login(page, member)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Churn dashboard is now triaged").click()
    page.wait_for_url(f"**/requests/{req.pk}/")
    note.refresh_from_db()
    assert note.read_at is not None
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


def test_queue_refusals_show_next_to_their_controls(browser, live_server, login, debug):
    member = UserFactory(username="milo", role=Role.MEMBER)
    req = RequestFactory(title="Partner referral form", requester=member)
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    login(page, member)
    page.goto(f"{live_server.url}/requests/?status=new")
    _no_reload_marker(page)

    # "Needs info" without saying what is needed, from the triage panel.
    page.get_by_role("link", name=f"Triage #{req.pk}").click()
    panel = page.locator("#triage-panel")
    panel.get_by_label(f"Move #{req.pk} to").select_option("needs_info")
    panel.get_by_role("button", name="Move").click()
    expect(panel.locator(".inline-error")).to_contain_text("Say what information is needed")
    expect(panel.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")

    # A bulk action with no status or assignee chosen.
    page.get_by_label(f"Select #{req.pk}").check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_role("button", name="Apply").click()
    expect(bulk.locator(".inline-error")).to_be_visible()

    assert page.evaluate("window.__noReload") == 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
