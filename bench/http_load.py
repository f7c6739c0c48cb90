"""HTTP benchmark: the hot pages under load on a real server, each as a share of a hello-world
view on the same server in the same run.

Builds a throwaway database (the configured name plus `_httpbench`) with 10,000 requests (the
scored ones with scores), a team roadmap of 200 items with a share link, and a signed-in
member and lead; serves the app with gunicorn (2 workers, production settings over plain HTTP
on 127.0.0.1, bench/http_settings.py); drives every page with `wrk` (a small Python load loop
when wrk is missing) and prints requests per second, median latency and the ratio to the
hello-world view. The hello-world view is measured first and last; the ratio uses the mean.

Usage: python bench/http_load.py [name-fragment …]     (or `make bench-http`)
Environment: HTTP_BENCH_SECONDS (per page, default 8), HTTP_BENCH_CONNECTIONS (default 4).

Everything it starts (gunicorn and its workers) is stopped on the way out, after an error or
Ctrl-C too, and the database is dropped. Results are also written to
bench/results/http-latest.md."""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from harness import ROOT, analyze, format_table, throwaway_database, timed
from intake_bench import DEPARTMENTS, REQUESTERS, WORDS

HERE = Path(__file__).resolve().parent
LATEST = HERE / "results" / "http-latest.md"
DB_SUFFIX = "_httpbench"
REQUESTS = 10_000
ITEMS = 200
WORKERS = 2
SECONDS = int(os.environ.get("HTTP_BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("HTTP_BENCH_CONNECTIONS", "4"))
HELLO = "/bench/hello/"
# Pages must reach at least this share of the hello-world view's requests per second
# (issue 9's targets); API lists are held to the higher bar.
PAGE_TARGET = 0.10
API_TARGET = 0.15
WRK = shutil.which("wrk")
# First renders timed per page (cold_ms), beside the load that the response cache may answer.
COLD_RUNS = 5
OPEN_STATUSES = ("new", "triaged", "needs_info", "scored", "accepted")


class Case(NamedTuple):
    label: str
    path: str
    who: str  # "member", "lead" or "anonymous"
    target: float | None


class Result(NamedTuple):
    rps: float
    p50_ms: float
    errors: int


def build() -> dict:
    """The data the pages are timed on; returns the ids and tokens the case URLs need."""
    from django.contrib.auth.hashers import make_password

    from intake.assessments import RequestScore
    from intake.models import Comment, Request, Vote
    from intake.scoring_services import scores_recompute_all
    from outcomes.models import Objective
    from prodops.accounts.models import Department, Team, TeamMembership, User
    from prodops.accounts.roles import Role
    from roadmap import services as roadmap_services
    from roadmap.models import ItemRequest, RoadmapItem

    departments = Department.objects.bulk_create(
        [Department(name=f"Department {i}", slug=f"department-{i}") for i in range(DEPARTMENTS)]
    )
    password = make_password("bench")
    lead, member, *requesters = User.objects.bulk_create(
        [
            User(username="bench-lead", first_name="Lee", last_name="Lead", role=Role.LEAD),
            User(username="bench-member", first_name="Mo", last_name="Member", role=Role.MEMBER),
        ]
        + [
            User(
                username=f"bench-{i}",
                password=password,
                role=Role.STAKEHOLDER,
                department=departments[i % DEPARTMENTS],
            )
            for i in range(REQUESTERS)
        ]
    )
    team = Team.objects.create(name="Bench Ops", slug="bench-ops", lead=lead)
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, user=lead), TeamMembership(team=team, user=member)]
    )
    objective = Objective.objects.create(
        title="Grow net revenue retention",
        level=Objective.Level.BUSINESS,
        period="2027",
        status=Objective.Status.ACTIVE,
    )
    rows = []
    for i in range(REQUESTS):
        words = [WORDS[(i * k + k) % len(WORDS)] for k in (1, 3, 7, 11)]
        planned = i < ITEMS
        rows.append(
            Request(
                title=f"{' '.join(words).capitalize()} for team {i % 97}",
                description="Generated for the **benchmark**.",
                requester=requesters[i % REQUESTERS],
                department=departments[i % DEPARTMENTS],
                assignee=member if i % 3 == 0 else None,
                objective=objective if i % 3 == 1 else None,
                vote_count=i % 17,
                status="planned" if planned else OPEN_STATUSES[i % len(OPEN_STATUSES)],
                visible_to_stakeholders=i % 2 == 0,
            )
        )
    created = Request.objects.bulk_create(rows, batch_size=2000)
    RequestScore.objects.bulk_create(
        [
            RequestScore(
                request=r,
                assessment_count=2,
                mean_impact=Decimal(1 + i % 5),
                mean_feasibility=Decimal(1 + (i * 7) % 5),
                mean_effort=Decimal(1 + i % 30),
                mean_confidence=Decimal(80),
                mean_reach=Decimal(10 + i % 500),
                impact_min=1,
                impact_max=5,
                feasibility_min=1,
                feasibility_max=5,
                effort_min=Decimal(1),
                effort_max=Decimal(30),
                confidence_min=50,
                confidence_max=100,
            )
            for i, r in enumerate(created)
            if r.status in ("scored", "accepted")
        ],
        batch_size=2000,
    )
    scores_recompute_all()

    roadmap = roadmap_services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    lanes = ("now", "next", "later")
    items = RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                roadmap=roadmap,
                title=request.title,
                objective=objective,
                estimate_days=Decimal("0.2"),
                lane=lanes[n % 3],
                visibility="shared" if n % 2 else "internal",
                public_title=f"Shared item {n}" if n % 2 else "",
                position=n,
            )
            for n, request in enumerate(created[:ITEMS])
        ]
    )
    ItemRequest.objects.bulk_create(
        [
            ItemRequest(item=item, request=request)
            for item, request in zip(items, created[:ITEMS], strict=True)
        ]
    )
    link = roadmap_services.share_link_create(roadmap=roadmap, actor=lead)

    # The request page shows a request with a conversation: comments and votes with notes.
    shown = created[ITEMS]
    Comment.objects.bulk_create(
        [
            Comment(
                request=shown,
                author=requesters[n] if n % 2 else member,
                body=f"Comment {n} with **Markdown** and a [link](https://example.com/{n}).",
                is_internal=n % 5 == 0,
            )
            for n in range(12)
        ]
    )
    Vote.objects.bulk_create(
        [Vote(request=shown, voter=requesters[n], note=f"Needed for deal {n}") for n in range(8)]
    )
    analyze()
    return {
        "member": member,
        "lead": lead,
        "roadmap": roadmap.pk,
        "token": link.token,
        "request": shown.pk,
    }


def cases(ids: dict) -> list[Case]:
    return [
        Case("triage queue", "/requests/", "member", PAGE_TARGET),
        Case("backlog", "/requests/backlog/", "lead", PAGE_TARGET),
        Case(f"roadmap board, {ITEMS} items", f"/roadmap/{ids['roadmap']}/", "member", PAGE_TARGET),
        Case("share page", f"/r/{ids['token']}/", "anonymous", PAGE_TARGET),
        Case("request page", f"/requests/{ids['request']}/", "member", PAGE_TARGET),
        Case("home (member)", "/", "member", PAGE_TARGET),
        Case("home (lead)", "/", "lead", PAGE_TARGET),
        Case("GET /api/v1/requests/", "/api/v1/requests/", "member", API_TARGET),
        Case("GET /api/v1/backlog/", "/api/v1/backlog/", "lead", API_TARGET),
        Case(
            "GET /api/v1/roadmaps/…/items/",
            f"/api/v1/roadmaps/{ids['roadmap']}/items/",
            "member",
            API_TARGET,
        ),
    ]


def session_cookie(user) -> str:
    """A session for `user` in the database, as the Cookie header a signed-in browser sends."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def database_url(name: str) -> str:
    """The URL of database `name` on the configured server, for the server's settings."""
    from django.db import connection

    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(db_name: str):
    """Serve the app on a free loopback port for the body; yields the base URL. The server
    runs in its own process group, which is stopped (TERM, then KILL) on the way out."""
    from django.conf import settings

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "http_settings",
        "DATABASE_URL": database_url(db_name),
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
        # WhiteNoise warns that collectstatic has not run; static files are not timed here.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "prodops.wsgi:application",
        ],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            try:
                with urllib.request.urlopen(base + HELLO, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.3)
        yield base
    finally:
        stop(server)


def stop(process: subprocess.Popen) -> None:
    """Stop the process group `process` leads: TERM, up to 15 s, then KILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(url: str, cookie: str) -> int:
    """One GET; its status (a redirect to the login page must not be timed as a page)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def cold_ms(url: str, cookie: str, runs: int = COLD_RUNS) -> float:
    """Median time of a first render: GETs at addresses no one asked for yet (an extra query
    parameter the pages ignore), so the response cache cannot answer them."""
    times = []
    for n in range(runs):
        start = time.perf_counter()
        check(f"{url}{'&' if '?' in url else '?'}cold={n}", cookie)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def load_wrk(url: str, cookie: str) -> Result:
    command = [WRK, "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=SECONDS + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    failed = re.search(r"Socket errors:.*?timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (int(failed.group(1)) if failed else 0)
    return Result(rps, float(p50.group(1)) * scale, errors)


def load_python(url: str, cookie: str) -> Result:
    """The same load without wrk: CONNECTIONS threads, each with one keep-alive connection,
    GET in a loop for SECONDS."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def loop():
        nonlocal errors
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
                if answer.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=loop) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies) / SECONDS, statistics.median(latencies or [0.0]), errors)


def load(url: str, cookie: str) -> Result:
    return load_wrk(url, cookie) if WRK else load_python(url, cookie)


def main(argv: list[str]) -> int:
    with throwaway_database(DB_SUFFIX) as db_name:
        ids, seconds = timed(build)
        cookies = {
            "member": session_cookie(ids["member"]),
            "lead": session_cookie(ids["lead"]),
            "anonymous": "",
        }
        chosen = [c for c in cases(ids) if not argv or any(a in c.label for a in argv)]
        print(
            f"{REQUESTS:,} requests, {ITEMS} roadmap items, built in {seconds:.0f} s; "
            f"gunicorn {WORKERS} workers; {'wrk' if WRK else 'Python load loop'} "
            f"{CONNECTIONS} connections, {SECONDS} s a page",
            flush=True,
        )
        with gunicorn(db_name) as base:
            for case in chosen:
                status = check(base + case.path, cookies[case.who])
                if status != 200:
                    raise SystemExit(f"GET {case.path} as {case.who} answered {status}")
                check(base + case.path, cookies[case.who])  # warm both workers
            cold = {c.label: cold_ms(base + c.path, cookies[c.who]) for c in chosen}
            hello_first = load(base + HELLO, cookies["member"])
            print(f"hello-world: {hello_first.rps:.0f} req/s", flush=True)
            results = []
            for case in chosen:
                result = load(base + case.path, cookies[case.who])
                print(f"{case.label}: {result.rps:.1f} req/s", flush=True)
                results.append((case, result))
            hello_last = load(base + HELLO, cookies["member"])
        hello_rps = (hello_first.rps + hello_last.rps) / 2
        rows = [
            (
                f"hello-world (first / last: {hello_first.rps:.0f} / {hello_last.rps:.0f})",
                round(hello_rps),
                round(statistics.mean([hello_first.p50_ms, hello_last.p50_ms]), 1),
                "100 %",
                "",
                "",
                hello_first.errors + hello_last.errors,
            )
        ]
        missed = []
        for case, result in results:
            share = result.rps / hello_rps if hello_rps else 0.0
            ok = case.target is None or share >= case.target
            if not ok:
                missed.append(case.label)
            rows.append(
                (
                    case.label,
                    round(result.rps, 1),
                    round(result.p50_ms, 1),
                    f"{share * 100:.1f} %",
                    f"≥ {case.target * 100:.0f} % {'ok' if ok else 'MISSED'}",
                    round(cold[case.label], 1),
                    result.errors,
                )
            )
    table = format_table(
        ("page", "req/s", "p50 ms", "of hello", "target", "cold ms", "errors"), rows
    )
    print(table)
    footer = f"Targets missed: {', '.join(missed)}." if missed else "Every target met."
    print(footer)
    LATEST.parent.mkdir(exist_ok=True)
    LATEST.write_text(
        "# HTTP bench results\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, gunicorn {WORKERS} workers, "
        f"{'wrk' if WRK else 'Python load loop'} -c{CONNECTIONS} -d{SECONDS}s.\n\n"
        f"{table}\n\n{footer}\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
