"""What every bench in this folder shares.

A bench builds its data inside `throwaway_database()`, times pages with `measure()` (and
other work with `measure_call()`), times the trivial view with `baseline()` so its numbers
can be read against the cost of the bare stack on the same machine in the same run, and
prints its table with `report()`. `bench/run.py` runs every `*_bench.py` in its own process
and gathers what `report()` hands it into one summary table.

Nothing here is imported by the app; Django is set up only when a bench enters
`throwaway_database()`.
"""

from __future__ import annotations

import json
import math
import os
import signal
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTINGS = "prodops.settings.test"
DB_SUFFIX = "_bench"
RUNS = 30
WARMUP = 2
BASELINE_LABEL = "trivial view (notification bell)"
BASELINE_URL = "/notifications/bell/"
# Set by run.py to a file that each bench appends its rows to, one JSON object a line.
RESULTS_ENV = "BENCH_RESULTS_FILE"


class Measurement(NamedTuple):
    """Wall-clock milliseconds over `runs` timed calls and SQL queries of one call."""

    median_ms: float
    p95_ms: float
    queries: int
    runs: int


@contextmanager
def throwaway_database(suffix: str = DB_SUFFIX) -> Iterator[str]:
    """Set up Django with the test settings and run the body against a freshly migrated,
    empty database named after the configured one plus `suffix` (DATABASE_URL
    `…/prodops` → `prodops_bench`); yields that name.

    The database is dropped on the way out, also after an error or Ctrl-C; one left behind
    by a killed run is dropped and re-made by the next. Neither the configured database (a
    developer's data, CI's) nor the test suite's `test_<name>` is ever opened for writing."""
    # A CI job that is cancelled gets SIGTERM; exit through the `finally` below so the
    # database is dropped then too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # Static files come from the finders here; WhiteNoise's warning about the collectstatic
    # folder says nothing about the pages being timed.
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    configured = connection.settings_dict["NAME"]
    name = f"{configured}{suffix}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(configured, verbosity=0)
        teardown_test_environment()


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in a while,
    so the timed queries use the plans they would get on a database that has settled (the
    VACUUM also moves rows from the GIN indexes' pending lists into the indexes proper,
    which a bulk load leaves for autovacuum: read through the list, a full-text match
    scans megabytes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """Run `call()` once; return its result and how long it took in seconds (for data
    building and other one-off steps that are reported, not measured)."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def client(user=None):
    """A Django test client, signed in as `user` when one is given (anonymous otherwise)."""
    from django.test import Client

    test_client = Client()
    if user is not None:
        test_client.force_login(user)
    return test_client


def count_queries(call: Callable[[], Any]) -> int:
    """How many SQL statements one `call()` sends to the database."""
    from django.db import connection

    statements = 0

    def counter(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return statements


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` (0–100) per
    cent of the values at or below it. With 30 runs p95 is the 29th slowest."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def measure_call(call: Callable[[], Any], runs: int = RUNS, warmup: int = WARMUP) -> Measurement:
    """Time `call()` in this process: `warmup` untimed calls (first-use costs such as
    template loading and connection set-up), one untimed call with its SQL queries counted,
    then `runs` timed calls. Median and p95 are wall-clock milliseconds."""
    for _ in range(warmup):
        call()
    queries = count_queries(call)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return Measurement(statistics.median(timings), percentile(timings, 95), queries, runs)


def measure(
    test_client, url: str, runs: int = RUNS, warmup: int = WARMUP, **headers
) -> Measurement:
    """Time GET `url` through the whole Django stack (middleware, session, view, templates
    or serializers) with the test client, no network: median and p95 milliseconds over
    `runs` requests and the SQL queries one request makes. `headers` go to the request as
    WSGI environ keys (HTTP_HX_REQUEST="true" for an htmx partial). Fails unless every
    response, warm-up included, is a 200, so a redirect to the login page or an error page
    is never timed by mistake."""

    def get():
        response = test_client.get(url, **headers)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}, expected 200")
        return response

    return measure_call(get, runs=runs, warmup=warmup)


def baseline(test_client, runs: int = RUNS) -> Measurement:
    """Time the notification bell: a signed-in fragment whose own work is counting unread
    notifications (none here). It costs what every signed-in page pays (middleware, session
    and user look-up, the navigation context, a small template) and little more, so a page's
    time over this one is the page's own work. Pass the client signed in as the user the
    bench's pages are timed with."""
    return measure(test_client, BASELINE_URL, runs=runs)


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned Markdown table: text columns left, numbers right. Reads the same in a
    terminal and in a rendered `.md` file."""

    def cell(value: Any) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    numeric = [
        bool(rows) and all(isinstance(row[i], int | float) or row[i] is None for row in rows)
        for i in range(len(header))
    ]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if r else ("-" * (w + 2))
            for w, r in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(header), rule, *(line(row) for row in cells)])


TABLE_HEADER = ("case", "median ms", "p95 ms", "queries", "runs", "× trivial")


def table_row(label: str, measurement: Measurement, trivial: Measurement) -> tuple:
    """One table row: the label, the measurement and its median over the trivial view's."""
    ratio = measurement.median_ms / trivial.median_ms if trivial.median_ms else None
    return (label, *measurement, ratio)


def report(
    bench: str,
    trivial: Measurement,
    rows: Sequence[tuple[str, Measurement]],
    note: str = "",
) -> None:
    """Print the bench's table — the trivial view first, then each case with its median as a
    multiple of the trivial view's — and, when run by run.py, hand the rows on for the
    summary."""
    labelled = [(BASELINE_LABEL, trivial), *rows]
    print(f"{bench}: {note}" if note else bench)
    print(format_table(TABLE_HEADER, [table_row(label, m, trivial) for label, m in labelled]))
    print(flush=True)
    target = os.environ.get(RESULTS_ENV)
    if not target:
        return
    with open(target, "a", encoding="utf-8") as out:
        for index, (label, m) in enumerate(labelled):
            record = {"bench": bench, "label": label, "baseline": index == 0, **m._asdict()}
            out.write(json.dumps(record) + "\n")
