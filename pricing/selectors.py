"""Reads for pricing: the price book, a plan's history, proposals with their changes."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from prodops.accounts.models import User
from prodops.accounts.roles import Role
from prodops.reviews.models import Cadence
from prodops.reviews.selectors import cadence_for

from .models import (
    BillingPeriod,
    Plan,
    PricePoint,
    PriceProposal,
    PricingReview,
    Product,
    ProposalStatus,
    ProposedPrice,
    Segment,
)

# Proposals whose prices are decided but not live yet: the book shows them as "next".
UPCOMING = (ProposalStatus.APPROVED, ProposalStatus.SCHEDULED)


def admins() -> QuerySet[User]:
    return User.objects.filter(role=Role.ADMIN, is_active=True)


def cadence_of(target) -> Cadence | None:
    return cadence_for(target=target, kind=Cadence.Kind.PRICE_PLAN)


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("owner").order_by("name", "id")


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("product", "owner").order_by("product__name", "name", "id")


def price_point_list() -> QuerySet[PricePoint]:
    return PricePoint.objects.select_related("plan__product", "created_by", "proposal").order_by(
        "plan_id", "currency", "billing_period", "effective_from", "id"
    )


def proposal_list() -> QuerySet[PriceProposal]:
    return (
        PriceProposal.objects.select_related("created_by", "notice_overridden_by")
        .prefetch_related(
            Prefetch("lines", queryset=ProposedPrice.objects.select_related("plan__product")),
            Prefetch("approvals", queryset=_approvals()),
            Prefetch("readiness", queryset=_readiness()),
        )
        .order_by("-created_at", "-id")
    )


def _approvals():
    from .models import Approval

    return Approval.objects.select_related("approver").order_by("decided_at", "id")


def _readiness():
    from .models import ReadinessItem

    return ReadinessItem.objects.select_related("owner", "done_by", "waived_by").order_by("id")


def pricing_review_list() -> QuerySet[PricingReview]:
    return PricingReview.objects.select_related(
        "plan__product", "held_by", "change", "opened_proposal"
    ).order_by("-held_on", "-id")


def current_filter(today: dt.date) -> Q:
    return Q(effective_from__lte=today) & (Q(effective_to__isnull=True) | Q(effective_to__gt=today))


@dataclass(frozen=True)
class NextChange:
    proposal_id: int
    price: str
    effective_on: dt.date
    status: str


@dataclass(frozen=True)
class BookRow:
    """One plan of the price book, its prices already written out as text (a 500-plan book
    renders in a template loop, where every lookup counts)."""

    plan: Plan
    name: str
    segment: str
    status_label: str
    current: list[str]
    upcoming: list[NextChange]
    cadence: Cadence | None


PERIODS = dict(BillingPeriod.choices)
SEGMENTS = dict(Segment.choices)
PLAN_STATUSES = dict(Plan.Status.choices)
PROPOSAL_STATUSES = dict(ProposalStatus.choices)


def price_text(amount, currency: str, period: str) -> str:
    return f"{amount} {currency} {PERIODS.get(period, period)}"


def price_book(*, today: dt.date | None = None, product: int | None = None) -> list[BookRow]:
    """Every plan with its current prices, its next decided change and its next review, in
    a fixed number of queries however many plans and prices there are."""
    today = today or timezone.localdate()
    plans = (
        Plan.objects.select_related("product")
        .order_by("product__name", "name", "id")
        .prefetch_related(
            Prefetch(
                "price_points",
                queryset=PricePoint.objects.filter(current_filter(today))
                .only("plan_id", "amount", "currency", "billing_period")
                .order_by("currency", "billing_period"),
                to_attr="current_prices",
            ),
            Prefetch(
                "proposed_prices",
                queryset=ProposedPrice.objects.filter(
                    proposal__status__in=UPCOMING, proposal__effective_on__gt=today
                )
                .select_related("proposal")
                .only(
                    "plan_id",
                    "amount",
                    "currency",
                    "billing_period",
                    "proposal__status",
                    "proposal__effective_on",
                )
                .order_by("proposal__effective_on", "id"),
                to_attr="upcoming_prices",
            ),
        )
    )
    if product:
        plans = plans.filter(product_id=product)
    plans = list(plans)
    cadences = {
        c.target_id: c
        for c in Cadence.objects.filter(
            kind=Cadence.Kind.PRICE_PLAN,
            target_type=ContentType.objects.get_for_model(Plan),
            target_id__in=[p.pk for p in plans],
        ).only("target_id", "next_due_on")
    }
    return [
        BookRow(
            plan=p,
            name=f"{p.product.name} {p.name}",
            segment=SEGMENTS.get(p.segment, p.segment),
            status_label=PLAN_STATUSES.get(p.status, p.status),
            current=[price_text(x.amount, x.currency, x.billing_period) for x in p.current_prices],
            upcoming=[
                NextChange(
                    proposal_id=x.proposal_id,
                    price=price_text(x.amount, x.currency, x.billing_period),
                    effective_on=x.proposal.effective_on,
                    status=PROPOSAL_STATUSES.get(x.proposal.status, x.proposal.status),
                )
                for x in p.upcoming_prices
            ],
            cadence=cadences.get(p.pk),
        )
        for p in plans
    ]


def plan_history(plan: Plan) -> list[PricePoint]:
    """Every price the plan ever had, newest first, with who set it and the decision."""
    return list(
        PricePoint.objects.filter(plan=plan)
        .select_related("created_by", "proposal")
        .order_by("-effective_from", "currency", "billing_period", "-id")
    )


@dataclass(frozen=True)
class ChangeRow:
    line: ProposedPrice
    old: PricePoint | None
    percent: Decimal | None

    @property
    def plan(self) -> Plan:
        return self.line.plan


def proposal_changes(proposal: PriceProposal) -> list[ChangeRow]:
    """Each proposed price beside the price it replaces — the last one of the same plan,
    currency and period that started before the effective date, not set by this proposal —
    and the change in percent (Decimal). Two queries for the whole proposal."""
    lines = list(proposal.lines.select_related("plan__product"))
    olds: dict[tuple, PricePoint] = {}
    if lines:
        points = (
            PricePoint.objects.filter(
                plan_id__in={line.plan_id for line in lines},
                effective_from__lt=proposal.effective_on,
            )
            .exclude(proposal_id=proposal.pk)
            .order_by("effective_from", "id")
        )
        for point in points:
            olds[(point.plan_id, point.currency, point.billing_period)] = point
    rows = []
    for line in lines:
        old = olds.get((line.plan_id, line.currency, line.billing_period))
        percent = (line.amount - old.amount) / old.amount * 100 if old and old.amount else None
        rows.append(ChangeRow(line=line, old=old, percent=percent))
    return rows


def reviews_for_plan(plan: Plan) -> QuerySet[PricingReview]:
    return pricing_review_list().filter(plan=plan)
