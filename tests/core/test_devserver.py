"""`make run`'s supervision, with small stand-in processes (never the real dev server)."""

import os
import sys
import time

import pytest

from prodops import devserver
from prodops.devserver import RestartPolicy, Supervisor
from tests.conftest import wait_until

EXITS = [sys.executable, "-c", "import sys; sys.exit(3)"]
RUNS = [sys.executable, "-c", "import time; time.sleep(120)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited but not been reaped yet; it counts as stopped.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for_exit(process) -> None:
    process.child.process.wait(timeout=10)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def supervisor(clock):
    supervisor = Supervisor(dict(os.environ), RestartPolicy(max_restarts=3), clock=clock)
    yield supervisor
    supervisor.stop()


def test_backoff_doubles_up_to_its_ceiling_and_gives_up_after_the_cap():
    policy = RestartPolicy(first_delay=1, max_delay=5, max_restarts=4)
    assert [policy.delay(n) for n in range(1, 6)] == [1, 2, 4, 5, None]


def test_a_crashed_worker_is_restarted_after_its_backoff_while_the_web_keeps_running(
    supervisor, clock
):
    web = supervisor.add("web", RUNS, restart=False)
    worker = supervisor.add("worker", EXITS, restart=True)
    first_pid = worker.child.process.pid
    wait_for_exit(worker)

    assert supervisor.check() is None
    assert worker.child is None  # waiting out the backoff, not spinning
    clock.now += 0.5
    supervisor.check()
    assert worker.child is None
    clock.now += 0.5
    supervisor.check()
    assert worker.child is not None
    assert worker.child.process.pid != first_pid
    assert web.child.process.poll() is None

    wait_for_exit(worker)
    supervisor.check()
    clock.now += 1.5
    supervisor.check()
    assert worker.child is None  # the second delay is two seconds
    clock.now += 0.5
    supervisor.check()
    assert worker.child is not None


def test_a_crash_loop_is_given_up_after_the_cap_and_the_rest_keep_running(supervisor, clock):
    web = supervisor.add("web", RUNS, restart=False)
    worker = supervisor.add("worker", EXITS, restart=True)
    starts = 1
    for _ in range(10):
        wait_for_exit(worker)
        assert supervisor.check() is None
        if worker.given_up:
            break
        clock.now += 60  # past any delay, still inside the window
        supervisor.check()
        starts += 1
    assert worker.given_up
    assert starts == 4  # the first start and three restarts
    clock.now += 3600
    assert supervisor.check() is None
    assert worker.child is None
    assert web.child.process.poll() is None


def test_exits_spread_beyond_the_window_are_restarted_indefinitely(supervisor, clock):
    worker = supervisor.add("worker", EXITS, restart=True)
    for _ in range(6):
        wait_for_exit(worker)
        supervisor.check()
        clock.now += 400  # each exit is the only one inside the window
        supervisor.check()
        assert worker.child is not None
    assert not worker.given_up


def test_the_web_server_exiting_ends_the_run(supervisor):
    supervisor.add("worker", RUNS, restart=True)
    web = supervisor.add("web", EXITS, restart=False)
    wait_for_exit(web)
    assert supervisor.check() is web
    assert web.last_status == 3


def test_stop_ends_every_child_and_what_it_started_and_drops_pending_restarts(
    supervisor, clock, tmp_path
):
    pid_file = tmp_path / "grandchild"
    starts_grandchild = [
        sys.executable,
        "-c",
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(120)",
    ]
    web = supervisor.add("web", starts_grandchild, restart=False)
    worker = supervisor.add("worker", EXITS, restart=True)
    assert wait_until(lambda: pid_file.exists() and pid_file.read_text())
    grandchild = int(pid_file.read_text())
    wait_for_exit(worker)
    supervisor.check()  # a restart is now pending

    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < devserver.GRACE_SECONDS
    assert web.child.process.poll() is not None
    assert wait_until(lambda: not alive(grandchild), timeout=5)
    clock.now += 3600
    supervisor.check()
    assert worker.child is None


@pytest.mark.parametrize("ending", ["stopped", "interrupted"])
def test_the_embedded_database_is_stopped_however_the_run_ends(monkeypatch, tmp_path, ending):
    """Ctrl-C makes supervision stop the children and return; whether it returns or is
    interrupted, the embedded PostgreSQL the run started is stopped after it."""
    stopped = []
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PRODOPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "0")
    monkeypatch.setattr(devserver.signal, "signal", lambda *args: None)
    monkeypatch.setattr(devserver.embedded_pg, "ensure_database_url", lambda _dir: "postgres://x")
    monkeypatch.setattr(devserver.embedded_pg, "stop", lambda: stopped.append(True))

    def supervise(*args):
        if ending == "interrupted":
            raise KeyboardInterrupt
        return 0

    monkeypatch.setattr(devserver, "supervise", supervise)
    if ending == "interrupted":
        with pytest.raises(KeyboardInterrupt):
            devserver.main()
    else:
        assert devserver.main() == 0
    assert stopped == [True]
