"""API shapes for scoring. Rows are explained from data loaded by the selectors; no per-row
queries."""

from decimal import Decimal

from rest_framework import serializers

from . import scoring
from .assessments import Assessment, ScoringModel


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.CharField(source="assessor.username", read_only=True)
    version = serializers.IntegerField(
        required=False,
        help_text="Required when editing: the version you loaded. Missing gets 400, stale 409.",
    )
    revision_count = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "request",
            "assessor",
            "feasibility",
            "effort_days",
            "impact",
            "reach",
            "confidence",
            "rationale",
            "version",
            "revision_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "request",
            "assessor",
            "revision_count",
            "created_at",
            "updated_at",
        ]
        # The service holds the rules; the serializer only parses, so messages come from one place.
        extra_kwargs = {
            "feasibility": {"validators": []},
            "impact": {"validators": []},
            "effort_days": {"validators": []},
        }

    def get_revision_count(self, obj) -> int:
        # `revisions` is prefetched by the selector.
        return len(obj.revisions.all())


def _number(value) -> float | None:
    return None if value is None else float(value)


class BacklogRowSerializer(serializers.Serializer):
    """A ranked backlog row: the request, its score, how the score was built, and the spread."""

    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    department = serializers.SerializerMethodField()
    objective = serializers.SerializerMethodField()
    audience = serializers.CharField()
    category = serializers.CharField()
    vote_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    assessment_count = serializers.IntegerField(source="score_record.assessment_count")
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    score_parts = serializers.SerializerMethodField()
    spread = serializers.SerializerMethodField()

    def get_department(self, obj) -> dict | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department else None

    def get_objective(self, obj) -> dict | None:
        if not obj.objective:
            return None
        return {
            "id": obj.objective_id,
            "title": obj.objective.title,
            "status": obj.objective.status,
        }

    def get_score_parts(self, obj) -> dict:
        b = obj.breakdown
        parts = b.parts
        return {
            "model": b.kind,
            "formula": b.formula,
            "worked": b.worked,
            "impact": _number(parts["impact"]),
            "feasibility": _number(parts["feasibility"]),
            "effort_days": _number(parts["effort_days"]),
            "cost_band": parts["cost_band"],
            "confidence": _number(parts["confidence"]),
            "reach": _number(parts["reach"]),
            "alignment": _number(parts["alignment"]),
            "aligned": parts["aligned"],
            "capped": b.capped,
        }

    def get_spread(self, obj) -> dict:
        s = obj.spread
        return {
            "impact": list(s.impact),
            "feasibility": list(s.feasibility),
            "effort_days": [_number(v) for v in s.effort],
            "cost_band": list(s.cost_band),
            "confidence": list(s.confidence),
            "reach": list(s.reach),
            "wide": s.wide,
            "wide_on": list(s.wide_on),
        }


class ScoringModelSerializer(serializers.ModelSerializer):
    """Read: the model, its formula and bands. Write (PUT/PATCH): the lead's parameters."""

    cost_band_edges = serializers.ListField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2),
        help_text="Four increasing upper edges (person-days) of cost bands 1–4.",
    )
    impact_weight = serializers.DecimalField(max_digits=8, decimal_places=4)
    feasibility_weight = serializers.DecimalField(max_digits=8, decimal_places=4)
    cost_weight = serializers.DecimalField(max_digits=8, decimal_places=4)
    alignment_factor = serializers.DecimalField(max_digits=8, decimal_places=4)
    version = serializers.IntegerField(
        required=False,
        help_text="Required on PUT and PATCH: the version you loaded. Missing gets 400, stale 409.",
    )
    formula = serializers.SerializerMethodField()

    class Meta:
        model = ScoringModel
        fields = [
            "kind",
            "impact_weight",
            "feasibility_weight",
            "cost_weight",
            "alignment_factor",
            "cost_band_edges",
            "formula",
            "version",
            "updated_at",
        ]
        read_only_fields = ["formula", "updated_at"]

    def get_formula(self, obj) -> str:
        return scoring.formula_text(scoring.ScoringParams.from_model(obj))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("impact_weight", "feasibility_weight", "cost_weight", "alignment_factor"):
            data[name] = str(Decimal(data[name]).quantize(Decimal("0.01")))
        return data
