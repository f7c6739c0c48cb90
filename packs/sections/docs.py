"""Docs and deflections: requests answered by a doc, and the hours that saved. Docs published
and stale come from the docs hub, which registers its own "docs" section in place of this one
when it has docs."""

from decimal import Decimal

from django.conf import settings

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


def compute(scope: Scope) -> dict:
    """Requests deflected (answered by a doc) in the quarter, each counted once, and the hours
    that saved. One query."""
    start, end = scope.bounds()
    changes = StatusChange.objects.filter(
        created_at__gte=start, created_at__lt=end, to_status=RequestStatus.DEFLECTED
    )
    if scope.team is not None:
        changes = changes.filter(request__team_id=scope.team_id)
    deflections = changes.values("request_id").distinct().count()
    handling = handling_hours()
    return {
        "has_data": bool(deflections),
        "message": "" if deflections else NO_DATA,
        "deflections": deflections,
        "handling_hours": str(handling),
        "hours_saved": hours_saved(deflections=deflections, handling=handling),
        "docs_published": None,
        "docs_stale": None,
    }


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
        )
    ]


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Deflections", figures.get("deflections", 0)),
        ("Hours saved", figures.get("hours_saved")),
    ]


SECTION = register(
    Section(
        key="docs",
        title="Docs and deflections",
        compute=compute,
        public=lambda figures: dict(figures),
        tables=tables,
        headline=headline,
    )
)
