import pytest

from prodops.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.MEMBER, Role.LEAD, Role.ADMIN])
def test_login_lands_on_home_for_each_role(page, live_server, login, role):
    user = UserFactory(username=f"b-{role}", role=role)
    login(page, user)
    assert page.get_by_test_id("role").inner_text() == Role(role).label
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Requests", "Roadmap", "Objectives", "Docs"):
        assert nav.get_by_role("link", name=label).is_visible()
    team_only = 1 if role != Role.STAKEHOLDER else 0
    for label in ("Backlog", "Reviews"):
        assert nav.get_by_role("link", name=label, exact=True).count() == team_only
    admin_link = page.get_by_role("link", name="Admin", exact=True)
    assert admin_link.count() == (1 if role == Role.ADMIN else 0)


def test_wrong_password_shows_message(page, live_server):
    UserFactory(username="someone")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url
