from rest_framework import serializers

from outcomes.models import Metric
from prodops.core import limits

from .currencies import ISO_4217
from .models import (
    Approval,
    BillingPeriod,
    Plan,
    PricePoint,
    PriceProposal,
    PricingReview,
    Product,
    ReadinessItem,
)

VERSION_HELP = "Send the version you loaded; a stale one gets 409."
# Amounts are decimal strings in and out ("49.00"); JSON numbers are parsed as text by the
# Decimal field, never through a float.
AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "coerce_to_string": True}
CURRENCY = {"choices": sorted(ISO_4217), "help_text": "ISO 4217 code, such as EUR."}


class ProductSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "owner", "version", "created_at"]
        read_only_fields = ["id", "created_at"]


class PlanSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Plan
        fields = ["id", "product", "name", "segment", "status", "owner", "version", "created_at"]
        read_only_fields = ["id", "created_at"]


class PricePointSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.ChoiceField(**CURRENCY)

    class Meta:
        model = PricePoint
        fields = [
            "id",
            "plan",
            "amount",
            "currency",
            "billing_period",
            "audience",
            "effective_from",
            "effective_to",
            "created_by",
            "proposal",
            "note",
            "created_at",
        ]
        read_only_fields = ["id", "audience", "created_by", "proposal", "created_at"]


class ProposedPriceSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.ChoiceField(**CURRENCY)
    billing_period = serializers.ChoiceField(choices=BillingPeriod.choices)


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ["step", "approver", "note", "decided_at", "withdrawn_at"]
        read_only_fields = fields


class ReadinessItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReadinessItem
        fields = ["id", "kind", "owner", "done_at", "done_by", "waived_reason", "waived_by"]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    """A price change with its new prices, approval trail and readiness checklist. Writes
    (drafts only) take `lines`; the status changes through the /submit/, /approve/, /reject/
    and /schedule/ actions."""

    lines = ProposedPriceSerializer(many=True, min_length=1)
    metric = serializers.PrimaryKeyRelatedField(
        queryset=Metric.objects.all(),
        required=False,
        allow_null=True,
        help_text="The outcome metric the change should move; with it, `expected_change` "
        "(in the metric's unit, signed) and `expected_by` are required.",
    )
    expected_change = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True, coerce_to_string=True
    )
    approvals = ApprovalSerializer(many=True, read_only=True)
    readiness = ReadinessItemSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = PriceProposal
        fields = [
            "id",
            "title",
            "status",
            "effective_on",
            "rationale",
            "input_win_loss",
            "input_churn",
            "input_competitor",
            "input_usage",
            "input_links",
            "expected_effect",
            "metric",
            "expected_change",
            "expected_by",
            "metric_url",
            "observed_effect",
            "affected_customers",
            "grandfathering",
            "grandfathered_until",
            "notice_override_reason",
            "notice_overridden_by",
            "created_by",
            "rejection_reason",
            "lines",
            "approvals",
            "readiness",
            "submitted_at",
            "decided_at",
            "scheduled_at",
            "made_effective_at",
            "version",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "observed_effect",
            "notice_overridden_by",
            "created_by",
            "rejection_reason",
            "submitted_at",
            "decided_at",
            "scheduled_at",
            "made_effective_at",
            "created_at",
        ]


class ProposalActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    note = serializers.CharField(required=False, allow_blank=True, max_length=limits.REASON)


class ProposalRejectSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    reason = serializers.CharField(max_length=limits.REASON)


class ProposalReturnSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    reason = serializers.CharField(max_length=limits.REASON)


class OpenProposalSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=limits.TITLE)
    effective_on = serializers.DateField()
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.ChoiceField(**CURRENCY)
    billing_period = serializers.ChoiceField(choices=BillingPeriod.choices)
    notice_override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.REASON
    )


class PricingReviewSerializer(serializers.ModelSerializer):
    """A held pricing review. `open_proposal` drafts the decided price change in the same
    step; `change` (with `observed_effect`) makes it the post-change review of that change."""

    open_proposal = OpenProposalSerializer(required=False, write_only=True)
    held_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = PricingReview
        fields = [
            "id",
            "plan",
            "change",
            "held_by",
            "held_on",
            "input_win_loss",
            "input_churn",
            "input_competitor",
            "input_usage",
            "decision",
            "rationale",
            "observed_effect",
            "observed_change",
            "opened_proposal",
            "open_proposal",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "held_by",
            "held_on",
            "observed_change",
            "opened_proposal",
            "created_at",
        ]
