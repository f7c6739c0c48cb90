"""Database sessions that read the database snapshot in the same query that loads them.

The response cache (prodops.core.response_cache) keys on the snapshot a request reads from. A
signed-in request loads its session first of all, so reading the snapshot with it saves the
cache a round trip on every page it serves, and the snapshot is then older than everything
the request reads afterwards (the user, the page's data), which is what the cache's rule
needs. Sessions are stored and behave exactly as Django's database sessions."""

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db.models.expressions import RawSQL
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    # (snapshot text, own transaction id or None) as of the load, when the cache is on.
    loaded_snapshot: tuple[str, str | None] | None = None

    def _get_session_from_db(self):
        if not settings.RESPONSE_CACHE:
            return super()._get_session_from_db()
        try:
            session = self.model.objects.annotate(
                loaded_snapshot=RawSQL("pg_current_snapshot()::text", ()),
                loaded_own_xid=RawSQL("pg_current_xact_id_if_assigned()::text", ()),
            ).get(session_key=self.session_key, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation):
            # Django's own path logs and forgets the key (a rare, second query).
            return super()._get_session_from_db()
        self.loaded_snapshot = (session.loaded_snapshot, session.loaded_own_xid)
        return session
