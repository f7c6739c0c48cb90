"""Pricing reviews held and overdue in the quarter, and their decisions. Price plans belong to
the workspace, not a team, so every pack (a team's and the organisation's) shows the same
pricing figures."""

from django.db.models import F

from pricing.models import PricingReview
from prodops.reviews.models import Cadence, Review

from . import NO_DATA, Scope, Section, Table, register

DECISION_LABELS = dict(PricingReview.Decision.choices)


def overdue(*, scope: Scope) -> list[dict]:
    """A pricing review (a plan's, or a change's post-change review) was overdue in the
    quarter when a due date passed without it: either it was held late, after its due date,
    with the lateness reaching into the quarter (due before the as-of day, held on or after
    the quarter's first day), or it is still not held, due before the as-of day. Two queries."""
    start, as_of = scope.period.start, scope.as_of()
    rows = []
    late = (
        Review.objects.filter(
            cadence__kind=Cadence.Kind.PRICE_PLAN,
            due_on__lt=as_of,
            completed_on__gt=F("due_on"),
            completed_on__gte=start,
        )
        .select_related("cadence")
        .order_by("due_on", "id")
    )
    for review in late:
        rows.append(
            {
                "review": review.cadence.title,
                "due_on": review.due_on.isoformat(),
                "held_on": review.completed_on.isoformat(),
                "days_late": (review.completed_on - review.due_on).days,
            }
        )
    open_ = Cadence.objects.filter(
        kind=Cadence.Kind.PRICE_PLAN, active=True, next_due_on__lt=as_of
    ).order_by("next_due_on", "id")
    for cadence in open_:
        rows.append(
            {
                "review": cadence.title,
                "due_on": cadence.next_due_on.isoformat(),
                "held_on": None,
                "days_late": (as_of - cadence.next_due_on).days,
            }
        )
    return rows


def compute(scope: Scope) -> dict:
    """Pricing reviews held in the quarter (held_on inside it) with their decisions, counted by
    decision in the decisions' order; and the reviews overdue in it (see `overdue`). Three
    queries."""
    held = [
        {
            "plan": str(r.plan),
            "held_on": r.held_on.isoformat(),
            "held_by": str(r.held_by) if r.held_by_id else None,
            "decision": r.decision,
            "rationale": r.rationale,
            "post_change": r.change_id is not None,
            "opened_proposal": r.opened_proposal_id,
        }
        for r in PricingReview.objects.filter(held_on__range=(scope.period.start, scope.period.end))
        .select_related("plan__product", "held_by")
        .order_by("held_on", "id")
    ]
    late = overdue(scope=scope)
    by_decision = [
        {"decision": key, "label": str(label), "count": n}
        for key, label in PricingReview.Decision.choices
        if (n := sum(1 for row in held if row["decision"] == key))
    ]
    has_data = bool(held or late)
    return {
        "has_data": has_data,
        "message": "" if has_data else NO_DATA,
        "held": held,
        "reviews_held": len(held),
        "by_decision": by_decision,
        "overdue": late,
        "reviews_overdue": len(late),
        "still_overdue": sum(1 for row in late if row["held_on"] is None),
    }


def tables(figures: dict) -> list[Table]:
    return [
        Table(
            "held",
            "Pricing reviews held",
            ["Plan", "Held on", "Held by", "Decision", "Why", "Post-change"],
            [
                [
                    r["plan"],
                    r["held_on"],
                    r["held_by"],
                    DECISION_LABELS.get(r["decision"], r["decision"]),
                    r["rationale"],
                    "Yes" if r["post_change"] else "No",
                ]
                for r in figures.get("held", [])
            ],
        ),
        Table(
            "by_decision",
            "Decisions",
            ["Decision", "Reviews"],
            [[r["label"], r["count"]] for r in figures.get("by_decision", [])],
        ),
        Table(
            "overdue",
            "Pricing reviews overdue",
            ["Review", "Due", "Held on", "Days late"],
            [
                [r["review"], r["due_on"], r["held_on"] or "Not held yet", r["days_late"]]
                for r in figures.get("overdue", [])
            ],
        ),
    ]


def headline(figures: dict) -> list[tuple[str, object]]:
    return [
        ("Reviews held", figures.get("reviews_held", 0)),
        ("Reviews overdue", figures.get("reviews_overdue", 0)),
        ("Still overdue", figures.get("still_overdue", 0)),
    ]


def chart_list(figures: dict, prefix: str) -> list:
    from prodops.core import charts

    rows = figures.get("by_decision", [])
    return [
        charts.bar_chart(
            id=f"{prefix}-pricing-decisions",
            title="Pricing review decisions",
            desc=f"{figures.get('reviews_held', 0)} pricing reviews held.",
            labels=[r["label"] for r in rows],
            values=[r["count"] for r in rows],
            x_unit="Decision",
            y_unit="Reviews",
            empty_text="No pricing review held.",
            whole=True,
        )
    ]


# Pricing reviews (their inputs, rationale and prices under review) are for the team and
# leads (the pricing pages are members-only): stakeholders never see this section.
SECTION = register(
    Section(
        key="pricing",
        title="Pricing reviews",
        compute=compute,
        public=None,
        tables=tables,
        headline=headline,
        charts=chart_list,
    )
)
