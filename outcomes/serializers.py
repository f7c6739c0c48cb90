from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from prodops.accounts.models import User
from prodops.accounts.roles import Role, has_role

from .models import (
    Coalition,
    CoalitionMeeting,
    Contribution,
    Measurement,
    Metric,
    Objective,
    Revisit,
)
from .selectors import metric_figures
from .services import COALITION_FIELDS, EDITABLE_FIELDS, METRIC_FIELDS


class ObjectiveSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            *EDITABLE_FIELDS,
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class MetricSerializer(serializers.ModelSerializer):
    """A metric with its progress. `source_note` is internal: stakeholders get it empty."""

    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )
    latest_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, read_only=True, allow_null=True
    )
    latest_on = serializers.DateField(read_only=True, allow_null=True)
    archived = serializers.BooleanField(
        required=False,
        help_text="True archives the metric (a lead of its team; it keeps its history but "
        "leaves the lists and the roll-up); false restores it.",
    )
    progress_percent = serializers.SerializerMethodField(
        help_text="(latest − baseline) ÷ (target − baseline) × 100, beyond 0–100 as it is; "
        "null with no measurement yet."
    )
    status = serializers.SerializerMethodField(
        help_text="on_track, at_risk or off_track against the straight line from baseline date "
        "to target date; no_data with no measurement yet."
    )

    class Meta:
        model = Metric
        fields = [
            "id",
            *METRIC_FIELDS,
            "latest_value",
            "latest_on",
            "progress_percent",
            "status",
            "archived",
            "archived_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "archived_at", "created_at", "updated_at"]
        extra_kwargs = {
            "baseline_value": {"coerce_to_string": False},
            "target_value": {"coerce_to_string": False},
        }

    def _figures(self, metric):
        cache = self.context.setdefault("_figures", {})
        if metric.pk not in cache:
            cache[metric.pk] = metric_figures(metric)
        return cache[metric.pk]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_progress_percent(self, metric):
        progress = self._figures(metric).progress
        return None if progress is None else round(float(progress * 100), 2)

    @extend_schema_field(
        serializers.ChoiceField(choices=["on_track", "at_risk", "off_track", "no_data"])
    )
    def get_status(self, metric) -> str:
        return self._figures(metric).status

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not has_role(request.user, Role.MEMBER):
            data["source_note"] = ""
        return data


class MeasurementSerializer(serializers.ModelSerializer):
    """One measurement. `note` is internal: stakeholders get it empty."""

    value = serializers.DecimalField(max_digits=16, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = Measurement
        fields = ["id", "measured_on", "value", "note", "recorded_by", "batch", "updated_at"]
        read_only_fields = ["id", "recorded_by", "batch", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not has_role(request.user, Role.MEMBER):
            data["note"] = ""
            data["recorded_by"] = None
        return data


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    fate = serializers.ChoiceField(choices=["new", "replaces", "error"])
    measured_on = serializers.DateField(allow_null=True)
    value = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    note = serializers.CharField()
    old_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    reason = serializers.CharField(help_text="Why the line is in error; empty otherwise.")


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    batch = serializers.IntegerField(
        allow_null=True, help_text="The import batch (undo it as a whole); null on a dry run."
    )
    rows = ImportRowSerializer(many=True)


class ContributionSerializer(serializers.ModelSerializer):
    """A roadmap item or a request expected to move a metric. The work it comes from is set
    when it is created; changes carry `version` (409 when stale)."""

    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )
    expected_change = serializers.DecimalField(
        max_digits=16, decimal_places=4, coerce_to_string=False
    )

    class Meta:
        model = Contribution
        fields = [
            "id",
            "metric",
            "roadmap_item",
            "request",
            "expected_change",
            "expected_by",
            "note",
            "shipped_on",
            "created_by",
            "version",
            "created_at",
        ]
        read_only_fields = ["id", "shipped_on", "created_by", "created_at"]


class RevisitSerializer(serializers.ModelSerializer):
    metric = serializers.IntegerField(source="contribution.metric_id", read_only=True)
    roadmap_item = serializers.IntegerField(
        source="contribution.roadmap_item_id", read_only=True, allow_null=True
    )
    request = serializers.IntegerField(
        source="contribution.request_id", read_only=True, allow_null=True
    )
    shipped_on = serializers.DateField(
        source="contribution.shipped_on", read_only=True, allow_null=True
    )
    outcome = serializers.ChoiceField(
        choices=Revisit.Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the revisit is recorded.",
    )
    observed_change = serializers.DecimalField(
        max_digits=16, decimal_places=4, coerce_to_string=False, allow_null=True, read_only=True
    )
    guardrail = serializers.IntegerField(
        source="contribution.metric.guardrail_id",
        read_only=True,
        allow_null=True,
        help_text="The metric's guardrail, if it has one.",
    )
    guardrail_at_ship = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text="The guardrail's value at the ship date, as checked when the revisit was recorded.",
    )
    guardrail_latest = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text="Its latest value since shipping, as checked when the revisit was recorded.",
    )
    guardrail_worse = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the guardrail got worse since shipping (direction-aware); null "
        "before recording, without a guardrail, or without data from both sides of the ship date.",
    )

    class Meta:
        model = Revisit
        fields = [
            "id",
            "contribution",
            "metric",
            "roadmap_item",
            "request",
            "shipped_on",
            "due_on",
            "outcome",
            "observed_change",
            "impact_statement",
            "recorded_by",
            "recorded_at",
            "guardrail",
            "guardrail_at_ship",
            "guardrail_latest",
            "guardrail_worse",
            "version",
        ]
        read_only_fields = fields


class RevisitRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Revisit.Outcome.choices)
    observed_change = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        help_text="In the metric's unit, signed; required when the outcome is moved.",
    )
    impact_statement = serializers.CharField(max_length=2000)
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )


class CoalitionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )
    members = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.filter(is_active=True),
        help_text="People from at least two departments.",
    )
    metrics = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Metric.objects.all(), required=False, help_text="Shared metrics."
    )

    class Meta:
        model = Coalition
        fields = [
            "id",
            *COALITION_FIELDS,
            "members",
            "metrics",
            "version",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class CoalitionMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoalitionMeeting
        fields = ["id", "held_on", "decisions", "notes", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]
