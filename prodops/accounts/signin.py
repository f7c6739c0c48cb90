"""Sign-in lockout, for the login form and the API token endpoint alike.

After LOGIN_FAILURE_LIMIT failed sign-ins for one username, or LOGIN_ADDRESS_FAILURE_LIMIT
from one client address, further attempts for that username or from that address are refused
for LOGIN_LOCKOUT_MINUTES after the last failure, whatever the password. A successful
sign-in clears the username's count (never the address's, so a guesser cannot reset their
address by signing in to their own account). Counts live in the cache (Redis in production,
shared by every web worker), so they expire on their own.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _now() -> float:
    return time.time()


def client_address(request) -> str:
    """The address the request came from, as the web server saw it."""
    return request.META.get("REMOTE_ADDR", "") or ""


def _counters(*, username: str, address: str) -> list[tuple[str, int]]:
    counters = []
    if username:
        # A digest: a username may hold spaces and other characters no cache key may.
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        counters.append((f"signin-failures:user:{digest}", _user_limit()))
    if address:
        counters.append((f"signin-failures:address:{address}", _address_limit()))
    return counters


def _user_limit() -> int:
    return settings.LOGIN_FAILURE_LIMIT


def _address_limit() -> int:
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


def _window() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def signin_locked_seconds(*, username: str, address: str) -> int:
    """Seconds until `username` or `address` may try to sign in again; 0 when they may now.
    The rule is this module's docstring."""
    now, window, wait = _now(), _window(), 0
    for key, limit in _counters(username=username, address=address):
        count, last = cache.get(key, (0, 0.0))
        if count >= limit and now - last < window:
            wait = max(wait, int(window - (now - last)) + 1)
    return wait


def signin_failed(*, username: str, address: str) -> None:
    """Count one failed sign-in against the username and the address."""
    now, window = _now(), _window()
    for key, _limit in _counters(username=username, address=address):
        count, last = cache.get(key, (0, 0.0))
        if now - last >= window:
            count = 0
        cache.set(key, (count + 1, now), timeout=window)


def signin_succeeded(*, username: str) -> None:
    """A correct password clears the username's failures."""
    for key, _limit in _counters(username=username, address=""):
        cache.delete(key)


def locked_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        "Too many failed sign-ins for this username or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
