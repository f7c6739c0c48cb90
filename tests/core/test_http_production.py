"""Production settings over plain HTTP (docker compose on a laptop): with HTTPS=false one can
sign in at http://localhost:8000; with HTTPS on, the deploy check stays clean (test_deploy)."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from tests.factories import UserFactory

SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "ALLOWED_HOSTS",
)


def production_settings(**env) -> dict:
    """The security settings prodops.settings.production computes from `env`."""
    names = json.dumps(SECURITY_SETTINGS)
    code = (
        "import json, importlib; m = importlib.import_module('prodops.settings.production'); "
        f"print(json.dumps({{n: getattr(m, n) for n in {names}}}))"
    )
    full_env = {
        **{k: v for k, v in os.environ.items() if k not in ("HTTPS", "SECURE_SSL_REDIRECT")},
        "SECRET_KEY": "x7Pq9-very-long-random-production-key-for-the-check-0123456789abcdef",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "http://localhost:8000",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


class HttpBrowser(Client):
    """A test client that, like a browser on an http:// page, never stores a Secure cookie."""

    def request(self, **request):
        response = super().request(**request)
        for name, morsel in list(response.cookies.items()):
            if morsel["secure"]:
                self.cookies.pop(name, None)
        return response


def _sign_in_over_http(user) -> tuple:
    browser = HttpBrowser(enforce_csrf_checks=True)
    host = {"HTTP_HOST": "localhost:8000"}
    form = browser.get("/accounts/login/", **host)
    if form.status_code != 200:
        return form, browser
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    response = browser.post(
        "/accounts/login/",
        {"username": user.username, "password": "demo-pass-1", "csrfmiddlewaretoken": token[1]},
        HTTP_ORIGIN="http://localhost:8000",
        **host,
    )
    return response, browser


def test_https_is_on_by_default():
    values = production_settings()
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] > 0


def test_https_false_turns_redirect_hsts_and_secure_cookies_off_together():
    values = production_settings(HTTPS="false", SECURE_SSL_REDIRECT="true")
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0 and not values["SECURE_HSTS_PRELOAD"]


@pytest.mark.django_db
def test_sign_in_over_http_with_production_settings_and_https_false(settings):
    for name, value in production_settings(HTTPS="false").items():
        setattr(settings, name, value)
    user = UserFactory(username="laptop", password="demo-pass-1")
    response, browser = _sign_in_over_http(user)
    assert response.status_code == 302, response.status_code
    assert response["Location"] == settings.LOGIN_REDIRECT_URL or response["Location"] == "/"
    home = browser.get("/", HTTP_HOST="localhost:8000")
    assert home.status_code == 200
    assert home.wsgi_request.user == user
    assert "Strict-Transport-Security" not in home.headers


@pytest.mark.django_db
def test_over_http_secure_production_settings_cannot_sign_in(settings):
    """What HTTPS=false fixes: with HTTPS on, plain HTTP is redirected (or, without the
    redirect, the Secure CSRF cookie never comes back and the form is refused)."""
    for name, value in production_settings(SECURE_SSL_REDIRECT="false").items():
        setattr(settings, name, value)
    user = UserFactory(username="laptop", password="demo-pass-1")
    response, _browser = _sign_in_over_http(user)
    assert response.status_code == 403
