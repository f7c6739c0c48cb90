"""Docs and deflections: docs published in the quarter and docs stale at its end (from the
docs hub), requests answered by a doc, and the hours that saved."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from docs_hub.models import Doc
from intake.models import RequestStatus, StatusChange

from . import NO_DATA, Scope, Section, Table, register

# Hours a request takes to handle when no doc answers it (PACKS_DEFLECTION_HANDLING_HOURS).
DEFAULT_HANDLING_HOURS = Decimal(2)


def handling_hours() -> Decimal:
    return Decimal(
        str(getattr(settings, "PACKS_DEFLECTION_HANDLING_HOURS", DEFAULT_HANDLING_HOURS))
    )


def hours_saved(*, deflections: int, handling: Decimal) -> str:
    """Hours saved = requests deflected in the quarter × the average handling time."""
    return str((Decimal(deflections) * handling).quantize(Decimal("0.1")))


AUDIENCE_LABELS = dict(Doc.Audience.choices)


def _team_docs(scope: Scope):
    """Docs have no team: a team's docs are those owned by one of its members or its lead."""
    docs = Doc.objects.all()
    if scope.team is not None:
        docs = docs.filter(
            Q(owner__memberships__team_id=scope.team_id) | Q(owner_id=scope.team.lead_id)
        ).distinct()
    return docs


def stale_on(doc: Doc, day) -> bool:
    """Stale is the docs hub's own rule (Doc.needs_review): a published doc never verified,
    or whose verification ran out, on `day`."""
    return doc.needs_review(today=day)


def _docs(scope: Scope) -> tuple[list[dict], list[dict]]:
    """Docs published in the quarter (published_at inside it, whatever they are now), and the
    published docs stale on the quarter's as-of day. Two queries."""
    start, end = scope.bounds()
    fields = (
        "id",
        "title",
        "audience",
        "status",
        "published_at",
        "last_verified_on",
        "verify_interval_days",
    )
    published = [
        {
            "id": d.pk,
            "title": d.title,
            "audience": d.audience,
            "published_on": d.published_at.date().isoformat(),
        }
        for d in _team_docs(scope)
        .filter(published_at__gte=start, published_at__lt=end)
        .only(*fields)
        .order_by("published_at", "id")
    ]
    as_of = scope.as_of()
    stale = []
    for d in (
        _team_docs(scope)
        .filter(status=Doc.Status.PUBLISHED)
        .filter(Q(published_at__lt=end) | Q(published_at__isnull=True))
        .only(*fields)
        .order_by("last_verified_on", "title", "id")
    ):
        if stale_on(d, as_of):
            due = d.verify_due_on
            stale.append(
                {
                    "id": d.pk,
                    "title": d.title,
                    "audience": d.audience,
                    "verify_due_on": due.isoformat() if due else None,
                }
            )
    return published, stale


def compute(scope: Scope) -> dict:
    """Docs published in the quarter and stale at its end (a team's pack: docs its people
    own); requests deflected (answered by a doc) in the quarter, each counted once, and the
    hours that saved. Three queries."""
    start, end = scope.bounds()
    changes = StatusChange.objects.filter(
        created_at__gte=start, created_at__lt=end, to_status=RequestStatus.DEFLECTED
    )
    if scope.team is not None:
        changes = changes.filter(request__team_id=scope.team_id)
    deflections = changes.values("request_id").distinct().count()
    handling = handling_hours()
    published, stale = _docs(scope)
    has_data = bool(deflections or published or stale)
    return {
        "has_data": has_data,
        "message": "" if has_data else NO_DATA,
        "deflections": deflections,
        "handling_hours": str(handling),
        "hours_saved": hours_saved(deflections=deflections, handling=handling),
        "docs_published": len(published),
        "docs_stale": len(stale),
        "published": published,
        "stale": stale,
    }


def public(figures: dict) -> dict:
    """Stakeholders read published stakeholder and customer docs, never the team's own; which
    docs are stale is the team's housekeeping. So: the counts of deflections and hours saved,
    and the docs published for them."""
    shown = {k: v for k, v in figures.items() if k not in ("stale", "docs_stale", "published")}
    published = [
        row for row in figures.get("published") or [] if row["audience"] != Doc.Audience.TEAM
    ]
    shown["published"] = published
    shown["docs_published"] = len(published)
    return shown


def tables(figures: dict) -> list[Table]:
    return [
        Table(
            "deflections",
            "Deflections",
            ["Figure", "Value"],
            [
                ["Requests deflected", figures.get("deflections", 0)],
                ["Average handling time (h)", figures.get("handling_hours")],
                ["Hours saved", figures.get("hours_saved")],
            ],
        ),
        Table(
            "published",
            "Docs published",
            ["Doc", "Audience", "Published"],
            [
                [r["title"], AUDIENCE_LABELS.get(r["audience"], r["audience"]), r["published_on"]]
                for r in figures.get("published") or []
            ],
        ),
    ] + (
        [
            Table(
                "stale",
                "Docs stale at the quarter's end",
                ["Doc", "Audience", "Verification ran out"],
                [
                    [
                        r["title"],
                        AUDIENCE_LABELS.get(r["audience"], r["audience"]),
                        r["verify_due_on"] or "Never verified",
                    ]
                    for r in figures["stale"]
                ],
            )
        ]
        if "stale" in figures
        else []
    )


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Docs published", figures.get("docs_published")),
        *([("Docs stale", figures["docs_stale"])] if "docs_stale" in figures else []),
        ("Deflections", figures.get("deflections", 0)),
        ("Hours saved", figures.get("hours_saved")),
    ]


SECTION = register(
    Section(
        key="docs",
        title="Docs and deflections",
        compute=compute,
        public=public,
        tables=tables,
        headline=headline,
    )
)
