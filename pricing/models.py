"""The price book (products, plans, price points), price change proposals with their approvals
and readiness, and pricing reviews."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value

from prodops.core import limits

from .currencies import validate_currency


class Segment(models.TextChoices):
    SELF_SERVE = "self_serve", "Self-serve"
    SMB = "smb", "Small business"
    MID_MARKET = "mid_market", "Mid-market"
    ENTERPRISE = "enterprise", "Enterprise"


class BillingPeriod(models.TextChoices):
    MONTH = "month", "per month"
    YEAR = "year", "per year"
    ONE_TIME = "one_time", "one-time"


class Product(models.Model):
    """Something the company sells; its plans carry the prices. The owner (a lead) is who a
    plan's overdue pricing review escalates to."""

    name = models.CharField(max_length=limits.TITLE, unique=True)
    description = models.TextField(blank=True, max_length=limits.REASON)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pricing_products",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """One way a product is sold (Starter, Pro…), to one segment, with its own prices."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEGACY = "legacy", "Legacy (existing customers only)"
        RETIRED = "retired", "Retired"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=limits.TITLE)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.SMB)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pricing_plans",
        help_text="The lead who runs the plan's pricing reviews.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="pricing_plan_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}" if self.product_id else self.name


class DateRange(Func):
    """PostgreSQL `daterange(from, to, '[)')`: an open `to` (NULL) runs for ever."""

    function = "daterange"
    output_field = DateRangeField()


class Audience(models.TextChoices):
    """Who pays a price point: everyone (the list price), or only customers who had the plan
    before a grandfathered change took effect."""

    EVERYONE = "everyone", "Everyone"
    EXISTING = "existing", "Existing customers (grandfathered)"


class PricePoint(models.Model):
    """What a plan costs in one currency and billing period from `effective_from` up to (not
    including) `effective_to`; an open `effective_to` means "until changed". The decision that
    set it is the proposal (or, for history kept before proposals, the note). A grandfathered
    price point (audience `existing`) is what customers who had the plan before a change keep
    paying, from the change's date until its grandfathering ends.

    Two price points of one plan, audience, currency and period never overlap in time: the
    database refuses it (an exclusion constraint over the date range), whatever path the write
    takes."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="price_points")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, validators=[validate_currency])
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.EVERYONE,
        db_default=Audience.EVERYONE,
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal = models.ForeignKey(
        "PriceProposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_points",
        help_text="The decision that made this price.",
    )
    note = models.CharField(max_length=limits.TITLE, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "currency", "billing_period", "effective_from"]
        constraints = [
            ExclusionConstraint(
                name="pricing_price_points_do_not_overlap",
                expressions=[
                    ("plan", RangeOperators.EQUAL),
                    ("audience", RangeOperators.EQUAL),
                    ("currency", RangeOperators.EQUAL),
                    ("billing_period", RangeOperators.EQUAL),
                    (
                        DateRange(F("effective_from"), F("effective_to"), Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="pricing_price_point_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="pricing_price_point_amount_not_negative"
            ),
            # A grandfathered price exists only because a change made it.
            models.CheckConstraint(
                condition=Q(audience="everyone") | Q(proposal__isnull=False),
                name="pricing_grandfathered_price_has_its_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.amount} {self.currency} {self.get_billing_period_display()}"

    def is_current(self, today) -> bool:
        return self.effective_from <= today and (
            self.effective_to is None or self.effective_to > today
        )


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SCHEDULED = "scheduled", "Scheduled"
    EFFECTIVE = "effective", "Effective"


class PriceProposal(models.Model):
    """A price change run like a release: new prices for one or more plans from an effective
    date, why, what we expect, who it hits, its approvals and its readiness checklist."""

    class Grandfathering(models.TextChoices):
        NONE = "none", "No: everyone moves to the new price"
        UNTIL = "until", "Existing customers keep the old price until a date"
        FOREVER = "forever", "Existing customers keep the old price for good"

    title = models.CharField(max_length=limits.TITLE)
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    effective_on = models.DateField()
    rationale = models.TextField(max_length=limits.REASON)
    input_win_loss = models.TextField("Win/loss notes", blank=True, max_length=limits.NOTES)
    input_churn = models.TextField("Churn notes", blank=True, max_length=limits.NOTES)
    input_competitor = models.TextField("Competitor notes", blank=True, max_length=limits.NOTES)
    input_usage = models.TextField("Usage notes", blank=True, max_length=limits.NOTES)
    input_links = models.TextField("Links", blank=True, max_length=limits.NOTES)
    expected_effect = models.TextField(
        blank=True, max_length=limits.REASON, help_text="The expected effect, in words."
    )
    metric = models.ForeignKey(
        "outcomes.Metric",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_changes",
        help_text="The outcome metric the change is expected to move.",
    )
    expected_change = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="How much the metric should move, in its unit, signed (from its value on the "
        "effective date).",
    )
    expected_by = models.DateField(
        null=True, blank=True, help_text="When the metric should have moved by then."
    )
    metric_url = models.URLField(blank=True, help_text="Where the metric is tracked.")
    observed_effect = models.TextField(blank=True, max_length=limits.REASON)
    affected_customers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Estimated existing customers the change reaches."
    )
    grandfathering = models.CharField(
        max_length=10, choices=Grandfathering.choices, default=Grandfathering.NONE
    )
    grandfathered_until = models.DateField(null=True, blank=True)
    notice_override_reason = models.TextField(blank=True, max_length=limits.REASON)
    notice_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True, max_length=limits.REASON)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    made_effective_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "effective_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grandfathering="until") | Q(grandfathered_until__isnull=False),
                name="pricing_grandfathering_until_has_date",
            ),
            models.CheckConstraint(
                condition=Q(metric__isnull=True)
                | Q(expected_change__isnull=False, expected_by__isnull=False),
                name="pricing_metric_has_expected_change_and_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProposedPrice(models.Model):
    """One new price a proposal sets: plan, currency, billing period and amount."""

    proposal = models.ForeignKey(PriceProposal, on_delete=models.CASCADE, related_name="lines")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="proposed_prices")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, validators=[validate_currency])
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)

    class Meta:
        ordering = ["plan__product__name", "plan__name", "currency", "billing_period", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "plan", "currency", "billing_period"],
                name="pricing_one_line_per_plan_price",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.amount} {self.currency}"


class Approval(models.Model):
    """One step of a proposal's approval trail: a lead's, then (above the threshold) an
    admin's; a proposal returned to draft adds a `returned` step (its note says why) and
    withdraws the approvals given so far. Steps are kept, never overwritten or deleted: the
    trail reads as it happened."""

    class Step(models.TextChoices):
        LEAD = "lead", "Lead approval"
        ADMIN = "admin", "Admin approval"
        RETURNED = "returned", "Returned to draft"

    APPROVING = (Step.LEAD, Step.ADMIN)

    proposal = models.ForeignKey(PriceProposal, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(max_length=10, choices=Step.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=limits.REASON)
    decided_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the proposal went back to draft after this step."
    )

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "step"],
                condition=Q(withdrawn_at__isnull=True, step__in=["lead", "admin"]),
                name="pricing_one_standing_approval_per_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} of {self.proposal_id}"

    @property
    def standing(self) -> bool:
        """An approval that counts: given, and not withdrawn by a return to draft."""
        return self.step in self.APPROVING and self.withdrawn_at is None


class ReadinessItem(models.Model):
    """One thing that must be true before a price change goes live, with its owner. Open items
    hold the change back unless a lead waives them with a reason."""

    class Kind(models.TextChoices):
        PRICE_PAGE = "price_page", "Price page or doc updated"
        SALES_BRIEFED = "sales_briefed", "Sales briefed"
        CS_BRIEFED = "cs_briefed", "Customer success briefed"
        CUSTOMER_NOTICE = "customer_notice", "Customer notice sent"

    proposal = models.ForeignKey(PriceProposal, on_delete=models.CASCADE, related_name="readiness")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_reason = models.TextField(blank=True, max_length=limits.REASON)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["proposal_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "kind"], name="pricing_one_item_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.done_at is None and not self.waived_reason


class PricingReview(models.Model):
    """A held pricing review of one plan: the inputs, the decision and why. A post-change
    review (of a proposal that took effect) also compares the expected and observed effect."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep"
        RAISE = "raise", "Raise"
        LOWER = "lower", "Lower"
        RESTRUCTURE = "restructure", "Restructure"
        RETIRE = "retire", "Retire"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pricing_reviews")
    change = models.ForeignKey(
        PriceProposal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="post_change_reviews",
        help_text="For a post-change review: the change it looks back on.",
    )
    cadence_review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField()
    input_win_loss = models.TextField("Win/loss notes", blank=True, max_length=limits.NOTES)
    input_churn = models.TextField("Churn notes", blank=True, max_length=limits.NOTES)
    input_competitor = models.TextField("Competitor notes", blank=True, max_length=limits.NOTES)
    input_usage = models.TextField("Usage notes", blank=True, max_length=limits.NOTES)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    rationale = models.TextField(max_length=limits.REASON)
    observed_effect = models.TextField(blank=True, max_length=limits.REASON)
    observed_change = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="For a post-change review of a change tied to a metric: how much the metric "
        "moved from the effective date, from its measurements.",
    )
    opened_proposal = models.OneToOneField(
        PriceProposal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opened_by_review",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} review on {self.held_on}"
