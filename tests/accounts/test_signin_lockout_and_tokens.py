"""Repeated failed sign-ins lock a username or an address out for a while, on the login form
and the token endpoint; API tokens expire and their owner can revoke them."""

import datetime as dt
import time
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def person(db):
    return UserFactory(username="pat", password="right-pass-1")


@pytest.fixture
def later():
    """later(minutes) moves the lockout clock forward."""
    start = time.time()

    def move(minutes):
        return mock.patch("prodops.accounts.signin._now", return_value=start + minutes * 60)

    return move


def _form_sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _token(client, username, password, address="10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_login_form_locks_a_username_after_five_failures_until_it_expires(person, settings, later):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES = 5, 15
    client = Client()
    for attempt in range(5):
        page = _form_sign_in(client, "pat", f"wrong-{attempt}", address=f"10.0.0.{attempt}")
        assert page.status_code == 200 and "_auth_user_id" not in client.session
    locked = _form_sign_in(client, "pat", "right-pass-1", address="10.9.9.9")
    assert locked.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in locked.content.decode()
    with later(14):
        assert "_auth_user_id" not in (
            _form_sign_in(client, "pat", "right-pass-1") and client.session
        )
    with later(16):
        assert _form_sign_in(client, "pat", "right-pass-1").status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_token_endpoint_locks_a_username_with_429_and_retry_after(person, settings, later):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES = 5, 15
    client = APIClient()
    for attempt in range(5):
        assert _token(client, "PAT", "nope", address=f"10.1.0.{attempt}").status_code == 400
    locked = _token(client, "pat", "right-pass-1", address="10.2.0.1")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.json()["detail"]
    assert 0 < int(locked["Retry-After"]) <= 15 * 60 + 1
    with later(16):
        assert _token(client, "pat", "right-pass-1").status_code == 200


def test_one_address_is_locked_out_across_usernames(person, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    client = APIClient()
    for n in range(20):
        assert _token(client, f"guess{n}", "nope", address="192.0.2.7").status_code == 400
    assert _token(client, "pat", "right-pass-1", address="192.0.2.7").status_code == 429
    assert _form_sign_in(Client(), "pat", "right-pass-1", address="192.0.2.7").status_code == 200
    assert _token(client, "pat", "right-pass-1", address="192.0.2.8").status_code == 200


def test_a_successful_sign_in_resets_the_username_count(person, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = APIClient()
    for _ in range(4):
        _token(client, "pat", "nope")
    assert _token(client, "pat", "right-pass-1").status_code == 200
    for _ in range(4):
        _token(client, "pat", "nope")
    assert _token(client, "pat", "right-pass-1").status_code == 200


def test_tokens_expire_with_a_clear_401_and_a_new_one_is_issued(person, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    key = _token(APIClient(), "pat", "right-pass-1").json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(hours=25))
    expired = client.get("/api/v1/me/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    fresh = _token(APIClient(), "pat", "right-pass-1").json()
    assert fresh["token"] != key
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {fresh['token']}").get("/api/v1/me/").status_code
        == 200
    )


def test_owner_revokes_their_token_through_the_api(person):
    key = _token(APIClient(), "pat", "right-pass-1").json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    refused = client.get("/api/v1/me/")
    assert refused.status_code in (401, 403) and "Invalid token" in refused.json()["detail"]
    assert APIClient().delete(TOKEN).status_code in (401, 403)


def test_owner_revokes_their_token_from_the_settings_page(person):
    other = UserFactory()
    Token.objects.create(user=other)
    _token(APIClient(), "pat", "right-pass-1")
    client = Client()
    client.force_login(person)
    page = client.get("/notifications/settings/").content.decode()
    assert "Revoke my API token" in page
    response = client.post("/accounts/token/revoke/")
    assert response.status_code == 302
    assert not Token.objects.filter(user=person).exists()
    assert Token.objects.filter(user=other).exists()
    assert "You have no API token" in client.get("/notifications/settings/").content.decode()


def test_a_username_with_spaces_is_counted_under_a_key_any_cache_takes(settings, recwarn):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(username="pat smith", password="right-pass-1")
    client = APIClient()
    for attempt in range(2):
        assert _token(client, "Pat Smith ", "nope", address=f"10.3.0.{attempt}").status_code == 400
    assert _token(client, "pat smith", "right-pass-1", address="10.4.0.1").status_code == 429
    from django.core.cache.backends.base import CacheKeyWarning

    assert not [w for w in recwarn if issubclass(w.category, CacheKeyWarning)]
