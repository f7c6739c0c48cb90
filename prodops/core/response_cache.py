"""A response cache for the hot GET pages and API lists, keyed on the PostgreSQL snapshot.

Rule: a cached response is served only to a request that would have rendered the same bytes
itself, so the cache can never show data older than the reader's own database snapshot.

Why that holds:
- A PostgreSQL snapshot (`pg_current_snapshot()`: xmin, xmax and the transactions in
  progress) fixes which committed rows a statement can see, and any transaction that ends
  changes it; a snapshot never comes back. Each request reads its snapshot before the view
  runs (with its session, prodops.core.sessions, or with one query of its own), and the key
  holds the snapshot's text. Every statement the view runs
  afterwards sees that snapshot or a later one, so a stored page is never older than its key.
- Everything else a page reads is in the key by value: the signed-in user's row as it was
  loaded (their role, department), the session's data, the path with its query string, the
  htmx headers, the host, the language, the current minute (relative dates, "overdue",
  windows that end now) and a version of the code and settings (a deploy never serves pages
  of the old code). Per-user keys mean one person's page never reaches another.
- A request that holds its own uncommitted writes (an assigned transaction id) neither reads
  nor stores; nor is a response stored when the view wrote to the database, added or showed
  messages, changed the session, set a cookie, answered anything but 200, or streamed.
- The CSRF token is not part of a stored page: every token the page carries is swapped for a
  placeholder when it is stored, and a fresh token for the reader's own CSRF cookie is put in
  when it is served, exactly as a render would (the cookie is then set as a render sets it).

Pages opt in with `@response_cached` (function views) and API list actions with
`@api_response_cached`; the `RESPONSE_CACHE` setting switches both (on in production)."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import (
    _unmask_cipher_token,  # the inverse of the masking get_token applies; no public name
    get_token,
)
from django.template.response import SimpleTemplateResponse
from django.utils import translation

logger = logging.getLogger(__name__)

SNAPSHOT_SQL = "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text"
XID_SQL = "SELECT pg_current_xact_id_if_assigned()::text"
# Stands in for the CSRF token in a stored body. PostgreSQL text cannot hold NUL, and the
# templates write none, so no page content can look like it.
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
# A masked CSRF token: 64 letters and digits, not part of a longer run of them.
_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# Statements a read may run; anything else (INSERT, UPDATE, DELETE, a data-changing WITH …)
# marks the response as having written, and it is not stored.
_READ_RE = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)
# Bodies above this size are served as rendered but not stored.
MAX_BODY_BYTES = 2_000_000
# The htmx request headers; a full page and a partial of the same URL must never mix.
_HTMX_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_TRIGGER",
    "HTTP_HX_TRIGGER_NAME",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_HX_CURRENT_URL",
    "HTTP_HX_PROMPT",
)
# Folders whose files do not shape a response (the code version ignores them).
_NOT_CODE = {"tests", "bench", "docs", "staticfiles", "node_modules", "__pycache__"}


@functools.cache
def code_version() -> str:
    """The deploy a stored response belongs to: `RESPONSE_CACHE_VERSION` when set (a release
    id), else a digest of the source tree (names, sizes, modification times), Django's version
    and the settings, so new code or configuration never serves a page of the old one."""
    configured = settings.RESPONSE_CACHE_VERSION
    if configured:
        return configured
    digest = hashlib.sha256(django.get_version().encode())
    root = Path(settings.BASE_DIR)
    for path in sorted(_code_files(root)):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for name in sorted(n for n in dir(settings) if n.isupper()):
        digest.update(f"{name}={getattr(settings, name)!r}\n".encode())
    return digest.hexdigest()[:16]


def _code_files(folder: Path):
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.name in _NOT_CODE:
            continue
        if entry.is_dir():
            yield from _code_files(entry)
        elif entry.is_file():
            yield entry


def _database_identity() -> str:
    db = connection.settings_dict
    return f"{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}"


def current_minute() -> int:
    """Minutes since the epoch: pages show relative dates and "overdue" against the clock."""
    return int(time.time() // 60)


def read_snapshot() -> tuple[str, str | None]:
    """The database snapshot now, and the connection's own transaction id if it has one."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_SQL)
        return cursor.fetchone()


def request_snapshot(request) -> tuple[str, str | None]:
    """The snapshot `request` reads from, and its own transaction id if it has one (it wrote
    in a transaction still open)."""
    return _early_snapshot(request) or read_snapshot()


def _early_snapshot(request) -> tuple[str, str | None] | None:
    """The snapshot read before this request's first query (with its session, or by
    ResponseCacheMixin), when no transaction is open: one opened since may hold writes."""
    if connection.in_atomic_block:
        return None
    early = getattr(request, "_response_cache_snapshot", None)
    if early is None:
        early = getattr(getattr(request, "session", None), "loaded_snapshot", None)
    return early


def cache_until(request, moment) -> None:
    """The page rendered for `request` may be served from the cache only before `moment` (a
    datetime): a share link that expires then must not outlive it by the minute of the key."""
    if moment is None:
        return
    state = getattr(request, "_response_cache", None)
    if state is not None:
        state.until = min(state.until, moment.timestamp())


def _user_digest(user) -> str:
    """The signed-in user's row as this request loaded it (the login and role checks may
    have loaded it before the snapshot was read)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    values = tuple(getattr(user, f.attname) for f in user._meta.concrete_fields)
    return f"{user.pk}:{values!r}"


def _session_digest(request) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    return repr(sorted(session.items()))


def _messages_count(request) -> int:
    """Messages waiting to be shown plus those added by this request."""
    storage = getattr(request, "_messages", None)
    return len(storage) if storage is not None else 0


@dataclass
class _Lookup:
    """One cacheable request: its key, and what the view did while it rendered."""

    request: object
    key: str
    minute: int
    until: float = float("inf")
    wrote: bool = False

    @classmethod
    def begin(cls, request, *, user, extra: tuple = ()) -> _Lookup | None:
        """The lookup for `request`, or None when the cache must stay out of it (switched
        off, not a GET, messages waiting, or a transaction holding its own writes)."""
        if not settings.RESPONSE_CACHE or request.method != "GET":
            return None
        if _messages_count(request):
            return None
        snapshot, own_xid = request_snapshot(request)
        if own_xid is not None:
            return None
        meta = request.META
        minute = current_minute()
        parts = (
            code_version(),
            str(minute),
            # Snapshots of two servers (or two databases) can read alike; a cache shared by
            # two deployments must never mix them.
            _database_identity(),
            snapshot,
            _user_digest(user),
            _session_digest(request),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            translation.get_language() or "",
            *(f"{h}={meta.get(h, '')}" for h in _HTMX_HEADERS),
            *extra,
        )
        key = "response:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        lookup = cls(request=request, key=key, minute=minute)
        request._response_cache = lookup
        return lookup

    def get(self) -> HttpResponse | None:
        try:
            entry = cache.get(self.key)
        except Exception:  # an unreachable cache is a miss, not an error page
            logger.warning("Response cache unreachable on read", exc_info=True)
            return None
        if entry is None:
            return None
        body, headers, has_token, until = entry
        if time.time() >= until:
            return None
        if has_token:
            body = body.replace(CSRF_PLACEHOLDER, get_token(self.request).encode())
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        response.from_response_cache = True
        return response

    def watch(self):
        """While the view runs: note any statement that is not a read."""

        def observe(execute, sql, params, many, context):
            if not _READ_RE.match(sql):
                self.wrote = True
            return execute(sql, params, many, context)

        return connection.execute_wrapper(observe)

    def store(self, response) -> None:
        """Keep `response` if it is a plain, complete 200 of a read that touched nothing."""
        if not self._storable(response):
            return
        body = response.content
        if len(body) > MAX_BODY_BYTES:
            return
        has_token = False
        secret = self.request.META.get("CSRF_COOKIE")
        if secret and self.request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            body, has_token = _without_tokens(body, secret)
        headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
        # The key names the current minute: an entry is of no use once the minute is over.
        until = min(self.until, (self.minute + 1) * 60)
        timeout = min(settings.RESPONSE_CACHE_SECONDS, math.ceil(until - time.time()))
        if timeout <= 0:
            return
        try:
            cache.set(self.key, (body, headers, has_token, self.until), timeout=timeout)
        except Exception:  # an unreachable cache only costs the next render
            logger.warning("Response cache unreachable on write", exc_info=True)

    def _storable(self, response) -> bool:
        request = self.request
        if self.wrote or response.status_code != 200 or response.streaming:
            return False
        if response.cookies or "no-store" in response.get("Cache-Control", ""):
            return False
        if _messages_count(request):
            return False
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        if connection.in_atomic_block:
            # Writes inside a transaction the view opened and left open would commit later.
            with connection.cursor() as cursor:
                cursor.execute(XID_SQL)
                if cursor.fetchone()[0] is not None:
                    return False
        return True


def _without_tokens(body: bytes, secret: str) -> tuple[bytes, bool]:
    """`body` with each CSRF token of `secret` replaced by the placeholder; whether any was."""
    tokens = {m for m in set(_TOKEN_RE.findall(body)) if _unmask_cipher_token(m.decode()) == secret}
    for token in tokens:
        body = body.replace(token, CSRF_PLACEHOLDER)
    return body, bool(tokens)


def response_cached(view):
    """Serve a function view's GET from the response cache when the same snapshot, user,
    session and address were rendered already (see the module docstring for the rule).
    Put it under the view's login and role decorators, so those checks still run first."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        lookup = _Lookup.begin(request, user=getattr(request, "user", None))
        if lookup is None:
            return view(request, *args, **kwargs)
        hit = lookup.get()
        if hit is not None:
            return hit
        with lookup.watch():
            response = view(request, *args, **kwargs)
        _store_when_rendered(lookup, response)
        return response

    return wrapped


class ResponseCacheMixin:
    """For a DRF view with `@api_response_cached` actions: reads the snapshot before
    authentication and role checks, so everything they load (the token, the user, the roadmap
    a team-scope check fetches and the view reuses) is at least as new as the key."""

    def initial(self, request, *args, **kwargs):
        handler = getattr(self, getattr(self, "action", None) or "", None)
        if (
            settings.RESPONSE_CACHE
            and request.method == "GET"
            and getattr(handler, "response_cached", False)
        ):
            # A session cookie's session is loaded now, reading the snapshot with it
            # (prodops.core.sessions); a token-only request reads it on its own.
            session = request._request.session
            session.keys()
            request._request._response_cache_snapshot = (
                getattr(session, "loaded_snapshot", None) or read_snapshot()
            )
        super().initial(request, *args, **kwargs)


def api_response_cached(method):
    """`response_cached` for a DRF action (a list) of a view with `ResponseCacheMixin`: runs
    after authentication, role checks and content negotiation; only JSON answers are stored,
    keyed also on the media type."""

    @functools.wraps(method)
    def wrapped(self, request, *args, **kwargs):
        if not isinstance(self, ResponseCacheMixin):
            raise TypeError(f"{type(self).__name__} needs ResponseCacheMixin for its cache")
        if getattr(request.accepted_renderer, "format", None) != "json":
            return method(self, request, *args, **kwargs)
        lookup = _Lookup.begin(
            request._request, user=request.user, extra=(request.accepted_media_type,)
        )
        if lookup is None:
            return method(self, request, *args, **kwargs)
        hit = lookup.get()
        if hit is not None:
            return hit
        with lookup.watch():
            response = method(self, request, *args, **kwargs)
        _store_when_rendered(lookup, response)
        return response

    wrapped.response_cached = True
    return wrapped


def _store_when_rendered(lookup: _Lookup, response) -> None:
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        # DRF renders after the view returns; store the bytes once they exist.
        response.add_post_render_callback(lookup.store)
    else:
        lookup.store(response)
