"""``make run``: the whole application on one machine, stopped cleanly with Ctrl-C.

Usage: ``python -m prodops.devserver`` (``PORT`` sets the web port, default 8000;
``RELOAD=0`` turns off the web server's code reloading).

Rule: the database comes first (the embedded PostgreSQL when ``DATABASE_URL`` is unset),
then migrations, then the demo data the first time (when user ``admin`` does not exist),
then the web server, a Celery worker and Celery beat run side by side. Each child runs in
its own process group, so stopping it also stops whatever it started. Ctrl-C or SIGTERM
stops every child (SIGTERM, then SIGKILL after a grace period) and the embedded
PostgreSQL. A worker or beat that exits on its own is started again (see RestartPolicy);
if the web server exits, the rest are stopped and the exit status is 1.
POSIX only (process groups).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from prodops import embedded_pg

REPO_DIR = embedded_pg.REPO_DIR
GRACE_SECONDS = 10
READY_TIMEOUT_SECONDS = 90
DEMO_USERS = ("admin", "lead", "member", "stakeholder")
DEMO_PASSWORD = "demo"

# Re-entrant: the signal handler prints from the main thread, which may be printing already.
_print_lock = threading.RLock()


def say(message: str, name: str = "run") -> None:
    with _print_lock:
        for line in message.splitlines() or [""]:
            sys.stdout.write(f"{name:<6}| {line}\n")
        sys.stdout.flush()


@dataclass
class Child:
    """A process this run started, with a thread copying its output, line by line, prefixed."""

    name: str
    process: subprocess.Popen
    reader: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._copy_output, daemon=True)
        self.reader.start()

    def _copy_output(self) -> None:
        for raw in iter(self.process.stdout.readline, b""):
            say(raw.decode(errors="replace").rstrip("\n"), self.name)

    def signal_group(self, signum: int) -> None:
        # The child leads its own group (start_new_session), so its group id is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def start(name: str, argv: list[str], env: dict[str, str]) -> Child:
    process = subprocess.Popen(
        argv,
        cwd=REPO_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Child(name, process)


def stop_all(children: list[Child]) -> None:
    """SIGTERM each child, wait up to GRACE_SECONDS, then SIGKILL each child's whole group.

    The SIGTERM goes to the child alone so that it winds down its own processes in order
    (a Celery worker stops its pool itself); the group-wide SIGKILL then removes whatever
    is left, such as the process the dev server's reloader started.
    """
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {GRACE_SECONDS}s; killing it")
    for child in children:
        child.signal_group(signal.SIGKILL)
        child.process.wait()
        child.reader.join(timeout=2)


@dataclass(frozen=True)
class RestartPolicy:
    """A restartable child that exits is started again after a delay that doubles with each
    exit inside ``window`` seconds, from ``first_delay`` up to ``max_delay``; after more than
    ``max_restarts`` exits inside ``window`` it is left stopped (with a message), so a crash
    loop cannot spin. The rest keep running either way."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    max_restarts: int = 5
    window: float = 300.0

    def delay(self, recent_exits: int) -> float | None:
        """Seconds to wait before the next start after ``recent_exits`` exits inside the
        window (this one included), or None to give up."""
        if recent_exits > self.max_restarts:
            return None
        return min(self.max_delay, self.first_delay * 2 ** (recent_exits - 1))


@dataclass
class Supervised:
    """One process the supervisor keeps: how to start it, and its exits so far."""

    name: str
    argv: list[str]
    restart: bool
    child: Child | None = None
    last_status: int | None = None
    exits: list[float] = field(default_factory=list)
    start_at: float | None = None  # when a restart is due; None while running or given up
    given_up: bool = False


class Supervisor:
    """Starts children, restarts the restartable ones by the policy, stops them all."""

    def __init__(
        self,
        env: dict[str, str],
        policy: RestartPolicy | None = None,
        clock=time.monotonic,
    ) -> None:
        self.env = env
        self.policy = policy or RestartPolicy()
        self.clock = clock
        self.processes: list[Supervised] = []

    def add(self, name: str, argv: list[str], *, restart: bool) -> Supervised:
        process = Supervised(name, argv, restart)
        process.child = start(name, argv, self.env)
        self.processes.append(process)
        return process

    def check(self) -> Supervised | None:
        """One pass: note exits, schedule or make due restarts. Returns a non-restartable
        process that exited (the run should end), else None."""
        now = self.clock()
        for process in self.processes:
            child = process.child
            if child is not None and child.process.poll() is not None:
                child.reader.join(timeout=2)
                status = process.last_status = child.process.returncode
                process.child = None
                if not process.restart:
                    return process
                process.exits = [t for t in process.exits if now - t < self.policy.window]
                process.exits.append(now)
                delay = self.policy.delay(len(process.exits))
                if delay is None:
                    process.given_up = True
                    say(
                        f"{process.name} exited with status {status}, {len(process.exits)} "
                        f"times in {self.policy.window:.0f}s; not starting it again "
                        "(fix it, then restart make run)"
                    )
                else:
                    process.start_at = now + delay
                    say(f"{process.name} exited with status {status}; restarting in {delay:.0f}s")
            elif process.start_at is not None and now >= process.start_at:
                process.start_at = None
                process.child = start(process.name, process.argv, self.env)
                say(f"{process.name} restarted")
        return None

    def stop(self) -> None:
        """Stop every running child (pending restarts are dropped)."""
        for process in self.processes:
            process.start_at = None
        stop_all([p.child for p in self.processes if p.child is not None])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def web_answers(url: str) -> int | None:
    """The HTTP status of ``url``, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def describe_broker(data_dir: Path) -> str:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return f"kombu filesystem transport in {data_dir / 'broker'} (set REDIS_URL for Redis)"
    parts = urlsplit(redis_url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path}"
    return f"Redis at {where}"


def prepare_database() -> None:
    """Create broker folders, migrate, and load the demo data unless user ``admin`` exists.

    Runs in a child process (``--prepare``) so that this process never holds Django or a
    database connection while it supervises the others.
    """
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    # kombu's filesystem transport reads its folders without creating them.
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)

    call_command("migrate", interactive=False)
    if get_user_model().objects.filter(username="admin").exists():
        print("Demo data already present (user admin exists); `manage.py seed_demo` refreshes it.")
    else:
        call_command("seed_demo")


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    reload_code = os.environ.get("RELOAD", "1") not in {"0", "false", "no"}
    data_dir = embedded_pg.default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)

    if not port_is_free(port):
        say(f"Port {port} on 127.0.0.1 is already in use; pick another with PORT=<number>.")
        return 1

    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if not stop_requested.is_set():
            say(f"{signal.Signals(signum).name} received; stopping everything")
        stop_requested.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)

    own_database = not os.environ.get("DATABASE_URL")
    try:
        if own_database:
            say(f"Starting the embedded PostgreSQL (data in {data_dir / 'postgres'})")
        database_url = embedded_pg.ensure_database_url(data_dir)
        database = describe_database(database_url, own_database, data_dir)
        return supervise(port, reload_code, data_dir, database_url, database, stop_requested)
    finally:
        if own_database:
            embedded_pg.stop()
            say("Embedded PostgreSQL stopped")


def supervise(
    port: int,
    reload_code: bool,
    data_dir: Path,
    database_url: str,
    database: str,
    stop_requested: threading.Event,
) -> int:
    env = dict(os.environ, DATABASE_URL=database_url, PRODOPS_DATA_DIR=str(data_dir))
    env["PYTHONUNBUFFERED"] = "1"  # children write through a pipe; keep their lines live
    env.setdefault("DJANGO_SETTINGS_MODULE", "prodops.settings.local")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    python = sys.executable
    say(f"Database: {database}")
    say(f"Celery broker: {describe_broker(data_dir)}")
    if stop_requested.is_set():
        return 0

    step = start("setup", [python, "-m", "prodops.devserver", "--prepare"], env)
    while step.process.poll() is None:
        if stop_requested.wait(0.2):
            stop_all([step])
            return 0
    step.reader.join(timeout=2)
    if step.process.returncode != 0:
        say(f"Preparing the database failed (exit status {step.process.returncode})")
        return 1

    web_argv = [python, "manage.py", "runserver", f"127.0.0.1:{port}"]
    if not reload_code:
        web_argv.append("--noreload")
    schedule = data_dir / "celerybeat-schedule"
    celery = [python, "-m", "celery", "-A", "prodops"]
    supervisor = Supervisor(env)
    supervisor.add("web", web_argv, restart=False)
    supervisor.add(
        "worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=1"], restart=True
    )
    supervisor.add("beat", [*celery, "beat", "--loglevel=INFO", "-s", str(schedule)], restart=True)

    exit_status = 0
    announced = False
    started = time.monotonic()
    base_url = f"http://127.0.0.1:{port}/"
    while not stop_requested.wait(0.5):
        ended = supervisor.check()
        if ended:
            say(f"{ended.name} exited with status {ended.last_status}; stopping the rest")
            exit_status = 1
            break
        if not announced:
            status = web_answers(base_url + "healthz")
            if status is not None:
                banner(base_url, status, database, data_dir)
                announced = True
            elif time.monotonic() - started > READY_TIMEOUT_SECONDS:
                say(f"The web server did not answer within {READY_TIMEOUT_SECONDS}s")
                exit_status = 1
                break

    supervisor.stop()
    say("All processes stopped")
    return exit_status


def describe_database(database_url: str, own_database: bool, data_dir: Path) -> str:
    if own_database:
        return f"embedded PostgreSQL (data in {data_dir / 'postgres'})"
    parts = urlsplit(database_url)
    return f"{parts.hostname or 'local socket'}:{parts.port or 5432}{parts.path} (DATABASE_URL)"


def banner(base_url: str, health_status: int, database: str, data_dir: Path) -> None:
    lines = [
        "",
        "=" * 64,
        f"  prodops is running at {base_url}",
        f"  Log in as {', '.join(DEMO_USERS)} (password: {DEMO_PASSWORD})",
        f"  Database: {database}",
        f"  Celery broker: {describe_broker(data_dir)}",
        "  Press Ctrl-C to stop everything.",
        "=" * 64,
        "",
    ]
    if health_status != 200:
        lines.insert(-2, f"  Warning: {base_url}healthz answered {health_status}")
    say("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["--prepare"]:
        prepare_database()
        sys.exit(0)
    sys.exit(main())
