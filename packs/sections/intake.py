"""Intake: what came in during the quarter and how fast it was triaged."""

from django.db.models import Aggregate, Count, F, FloatField, Func, Q

from intake.models import Request, RequestStatus, StatusChange
from prodops.core import charts

from . import Scope, Section, Table, register

DECISIONS = (
    RequestStatus.ACCEPTED,
    RequestStatus.DECLINED,
    RequestStatus.DEFLECTED,
    RequestStatus.DUPLICATE,
)
UNTRIAGED = (RequestStatus.NEW, RequestStatus.NEEDS_INFO)
OLDEST_SHOWN = 5


class _Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value at `fraction`, interpolated between the two
    nearest values (the median of 1, 2, 3, 10 is 2.5). NULLs are left out."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _triage_seconds():
    return Func(
        F("first_triaged_at") - F("created_at"),
        template="EXTRACT(EPOCH FROM %(expressions)s)",
        output_field=FloatField(),
    )


def _hours(seconds) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def compute(scope: Scope) -> dict:
    """Requests received in the quarter (created in it) by department and for whom; the
    median and 90th percentile of time-to-triage (received → first triage) of those
    triaged, in hours; the accepted, declined, deflected and duplicate decisions made in
    the quarter (each request counted once per decision); and the untriaged requests (new or
    needs info) received by the quarter's end, oldest first. Five queries."""
    start, end = scope.bounds()
    received = Request.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.team is not None:
        received = received.filter(team_id=scope.team_id)
    totals = received.aggregate(
        received=Count("id"),
        triaged=Count("id", filter=Q(first_triaged_at__isnull=False)),
        median=_Percentile(_triage_seconds(), fraction=0.5),
        p90=_Percentile(_triage_seconds(), fraction=0.9),
    )
    grouped = list(
        received.order_by()
        .values("department__name", "audience")
        .annotate(n=Count("id"))
        .values_list("department__name", "audience", "n")
    )
    by_department: dict[str, int] = {}
    by_audience: dict[str, int] = {}
    for department, audience, n in grouped:
        name = department or "No department"
        by_department[name] = by_department.get(name, 0) + n
        by_audience[audience] = by_audience.get(audience, 0) + n
    changes = StatusChange.objects.filter(
        created_at__gte=start, created_at__lt=end, to_status__in=DECISIONS
    )
    if scope.team is not None:
        changes = changes.filter(request__team_id=scope.team_id)
    decided = dict(
        changes.order_by()
        .values("to_status")
        .annotate(n=Count("request_id", distinct=True))
        .values_list("to_status", "n")
    )
    untriaged = Request.objects.filter(status__in=UNTRIAGED, created_at__lt=end)
    if scope.team is not None:
        untriaged = untriaged.filter(team_id=scope.team_id)
    untriaged_count = untriaged.count()
    as_of = scope.as_of()
    oldest = [
        {
            "id": r.pk,
            "title": r.title,
            "department": r.department.name if r.department_id else "No department",
            "received_on": r.created_at.date().isoformat(),
            "age_days": (as_of - r.created_at.date()).days,
        }
        for r in untriaged.select_related("department").order_by("created_at", "id")[:OLDEST_SHOWN]
    ]
    labels = dict(Request.Audience.choices)
    return {
        "has_data": bool(totals["received"] or untriaged_count or decided),
        "received": totals["received"],
        "by_department": [
            {"department": name, "count": n}
            for name, n in sorted(by_department.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_audience": [
            {"audience": key, "label": labels.get(key, key), "count": by_audience.get(key, 0)}
            for key in Request.Audience.values
        ],
        "time_to_triage_hours": {
            "triaged": totals["triaged"],
            "median": _hours(totals["median"]),
            "p90": _hours(totals["p90"]),
        },
        "decisions": {str(status): decided.get(status, 0) for status in DECISIONS},
        "untriaged": untriaged_count,
        "oldest_untriaged": oldest,
    }


def public(figures: dict) -> dict:
    """Counts only: the oldest untriaged requests' titles stay internal (a stakeholder may not
    be allowed to see those requests)."""
    shown = dict(figures)
    shown["oldest_untriaged"] = []
    return shown


def tables(figures: dict) -> list[Table]:
    d = figures.get("decisions", {})
    t = figures.get("time_to_triage_hours", {})
    result = [
        Table(
            "by_department",
            "Received by department",
            ["Department", "Requests"],
            [[row["department"], row["count"]] for row in figures.get("by_department", [])],
        ),
        Table(
            "by_audience",
            "Received by for whom",
            ["For whom", "Requests"],
            [[row["label"], row["count"]] for row in figures.get("by_audience", [])],
        ),
        Table(
            "decisions",
            "Decisions in the quarter",
            ["Decision", "Requests"],
            [[str(status.label), d.get(str(status), 0)] for status in DECISIONS],
        ),
        Table(
            "time_to_triage",
            "Time to triage",
            ["Figure", "Value"],
            [
                ["Triaged", t.get("triaged", 0)],
                ["Median (hours)", "—" if t.get("median") is None else t["median"]],
                ["90th percentile (hours)", "—" if t.get("p90") is None else t["p90"]],
            ],
        ),
    ]
    if figures.get("oldest_untriaged"):
        result.append(
            Table(
                "oldest_untriaged",
                "Oldest untriaged requests",
                ["#", "Title", "Department", "Received", "Age (days)"],
                [
                    [r["id"], r["title"], r["department"], r["received_on"], r["age_days"]]
                    for r in figures["oldest_untriaged"]
                ],
            )
        )
    return result


def headline(figures: dict) -> list[tuple[str, object]]:
    t = figures.get("time_to_triage_hours", {})
    d = figures.get("decisions", {})
    return [
        ("Received", figures.get("received", 0)),
        ("Median time to triage (h)", t.get("median")),
        ("90th percentile time to triage (h)", t.get("p90")),
        ("Accepted", d.get("accepted", 0)),
        ("Declined", d.get("declined", 0)),
        ("Deflected", d.get("deflected", 0)),
        ("Duplicate", d.get("duplicate", 0)),
        ("Untriaged", figures.get("untriaged", 0)),
    ]


def chart_list(figures: dict, prefix: str) -> list:
    rows = figures.get("by_department", [])
    return [
        charts.bar_chart(
            id=f"{prefix}-intake-departments",
            title="Requests received by department",
            desc=f"{figures.get('received', 0)} requests received in the quarter.",
            labels=[row["department"] for row in rows],
            values=[row["count"] for row in rows],
            x_unit="Department",
            y_unit="Requests",
            empty_text="No requests received.",
            whole=True,
        )
    ]


SECTION = register(
    Section(
        key="intake",
        title="Intake",
        compute=compute,
        public=public,
        tables=tables,
        headline=headline,
        charts=chart_list,
    )
)
