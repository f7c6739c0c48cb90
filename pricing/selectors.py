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
    Audience,
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
        PriceProposal.objects.select_related("created_by", "notice_overridden_by", "metric")
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
    """One plan of the price book, its prices already written out as text (a page of the
    book renders in a template loop, where every lookup counts). `grandfathered` are the
    prices existing customers keep paying: "49.00 EUR per month until 01 Mar 2027"."""

    plan: Plan
    name: str
    segment: str
    status_label: str
    current: list[str]
    grandfathered: list[str]
    upcoming: list[NextChange]
    cadence: Cadence | None


PERIODS = dict(BillingPeriod.choices)
SEGMENTS = dict(Segment.choices)
PLAN_STATUSES = dict(Plan.Status.choices)
PROPOSAL_STATUSES = dict(ProposalStatus.choices)


def price_text(amount, currency: str, period: str) -> str:
    return f"{amount} {currency} {PERIODS.get(period, period)}"


def grandfathered_text(point: PricePoint) -> str:
    price = price_text(point.amount, point.currency, point.billing_period)
    if point.effective_to is None:
        return f"{price} for good"
    return f"{price} until {point.effective_to:%d %b %Y}"


def book_plans(
    *,
    product: int | None = None,
    segment: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[Plan]:
    """The plans of the price book, filtered by product, segment and status, and by a
    search on the plan's (or its product's) name; in the book's order."""
    plans = Plan.objects.select_related("product").order_by("product__name", "name", "id")
    if product:
        plans = plans.filter(product_id=product)
    if segment:
        plans = plans.filter(segment=segment)
    if status:
        plans = plans.filter(status=status)
    if search:
        plans = plans.filter(Q(name__icontains=search) | Q(product__name__icontains=search))
    return plans


def price_book(*, plans, today: dt.date | None = None) -> list[BookRow]:
    """The plans given (one page of book_plans) with their current prices (list and
    grandfathered), next decided change and next review, in a fixed number of queries
    however many plans and prices there are."""
    today = today or timezone.localdate()
    plans = plans.prefetch_related(
        Prefetch(
            "price_points",
            queryset=PricePoint.objects.filter(current_filter(today))
            .only("plan_id", "amount", "currency", "billing_period", "audience", "effective_to")
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
            current=[
                price_text(x.amount, x.currency, x.billing_period)
                for x in p.current_prices
                if x.audience == Audience.EVERYONE
            ],
            grandfathered=[
                grandfathered_text(x) for x in p.current_prices if x.audience == Audience.EXISTING
            ],
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
                audience=Audience.EVERYONE,
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


@dataclass(frozen=True)
class ChangeEffect:
    """What a change tied to an outcome metric was expected to do and what the metric's
    measurements say it did: `before` is the last measurement on or before the effective
    date, `after` the last one on or before the expected-by date (or today, if earlier)."""

    metric: object
    expected_change: Decimal
    expected_by: dt.date
    before: tuple[dt.date, Decimal] | None
    after: tuple[dt.date, Decimal] | None
    observed_change: Decimal | None
    progress: Decimal | None
    verdict: str

    @property
    def before_text(self) -> str:
        return f"{plain(self.before[1])} ({self.before[0]:%d %b %Y})" if self.before else ""

    @property
    def after_text(self) -> str:
        return f"{plain(self.after[1])} ({self.after[0]:%d %b %Y})" if self.after else ""

    @property
    def observed_text(self) -> str:
        return signed(self.observed_change) if self.observed_change is not None else "—"

    @property
    def expected_text(self) -> str:
        return signed(self.expected_change)

    @property
    def percent(self) -> str:
        from outcomes.progress import as_percent

        return as_percent(self.progress)

    def summary(self) -> str:
        unit = self.metric.unit
        expected = f"{signed(self.expected_change)} {unit} expected by {self.expected_by:%d %b %Y}"
        if self.observed_change is None:
            return f"{self.metric.name}: {expected}; not enough measurements to compare."
        return (
            f"{self.metric.name} moved {signed(self.observed_change)} {unit} "
            f"({plain(self.before[1])} on {self.before[0]:%d %b %Y} → {plain(self.after[1])} on "
            f"{self.after[0]:%d %b %Y}) against {expected}: {self.percent} of the expected "
            f"change, {self.verdict}."
        )


def plain(value: Decimal) -> str:
    """A measurement without trailing zeros: 12.5000 → 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: Decimal) -> str:
    return f"+{plain(value)}" if value > 0 else plain(value)


# The verdicts of a post-change comparison.
MET, PARTLY, NOT_MET, NO_DATA = "met", "partly met", "not met", "no data"


def change_effect(proposal: PriceProposal, *, today: dt.date | None = None) -> ChangeEffect | None:
    """The expected-versus-observed rule of a post-change review: the observed change is the
    metric's value at `after` minus its value at `before` (see ChangeEffect); its progress
    toward the expected change uses the outcomes progress rule with the value on the
    effective date as baseline and that value plus the expected change as target. Met at
    100 % or more, partly met above 0 %, not met otherwise; no data without a measurement on
    both sides. None for a change not tied to a metric. Two queries."""
    from outcomes.models import Measurement
    from outcomes.progress import metric_progress

    if proposal.metric_id is None or proposal.expected_change is None:
        return None
    today = today or timezone.localdate()
    until = min(proposal.expected_by, today)
    measurements = Measurement.objects.filter(metric_id=proposal.metric_id).order_by(
        "-measured_on", "-id"
    )
    before = measurements.filter(measured_on__lte=proposal.effective_on).first()
    after = measurements.filter(
        measured_on__gt=proposal.effective_on, measured_on__lte=until
    ).first()
    observed = progress = None
    verdict = NO_DATA
    if before is not None and after is not None:
        observed = after.value - before.value
        progress = metric_progress(
            baseline=before.value,
            target=before.value + proposal.expected_change,
            latest=after.value,
        )
        verdict = MET if progress >= 1 else PARTLY if progress > 0 else NOT_MET
    return ChangeEffect(
        metric=proposal.metric,
        expected_change=proposal.expected_change,
        expected_by=proposal.expected_by,
        before=(before.measured_on, before.value) if before else None,
        after=(after.measured_on, after.value) if after else None,
        observed_change=observed,
        progress=progress,
        verdict=verdict,
    )
