from django.urls import reverse
from rest_framework import serializers

from intake.models import Request
from prodops.accounts.models import Team
from prodops.core import limits

from .models import Commitment, PackReopening, PackShareLink, ReviewPack


class SectionSerializer(serializers.Serializer):
    """One section of a pack: its title, whether its feature has data for the quarter, and
    its figures (each section's own shape; see packs.sections)."""

    key = serializers.CharField()
    title = serializers.CharField()
    has_data = serializers.BooleanField()
    message = serializers.CharField(help_text="What the pack says when there is no data.")
    figures = serializers.JSONField()


class CommitmentSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", allow_null=True, read_only=True)
    request = serializers.IntegerField(source="request_id", allow_null=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "title", "request", "item"]


class CommitmentWriteSerializer(serializers.ModelSerializer):
    """A next-quarter commitment of a pack. `request` names an accepted request of the pack's
    team (the one it would plan); `item` is the roadmap item it became (set by `plan`)."""

    title = serializers.CharField(max_length=200)
    request = serializers.PrimaryKeyRelatedField(
        queryset=Request.objects.all(),
        allow_null=True,
        required=False,
        help_text="An accepted request of the pack's team.",
    )
    item = serializers.IntegerField(source="item_id", allow_null=True, read_only=True)
    roadmap_period = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        required=False, help_text="The version you loaded; a stale one is refused with 409."
    )

    class Meta:
        model = Commitment
        fields = ["id", "pack", "title", "request", "item", "roadmap_period", "position", "version"]
        read_only_fields = ["id", "pack", "item", "roadmap_period", "position"]

    def get_roadmap_period(self, commitment) -> str | None:
        item = commitment.item
        return item.roadmap.period if item is not None else None


class CommitmentPlanSerializer(serializers.Serializer):
    estimate_days = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="Person-days; left out, the request's assessed effort.",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=limits.REASON,
        help_text="Needed when the item would over-commit next quarter's roadmap.",
    )


class ReopenSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you loaded.")
    reason = serializers.CharField(
        max_length=limits.REASON, help_text="Why the frozen pack is reopened; kept in history."
    )


class PackReopeningSerializer(serializers.ModelSerializer):
    """A snapshot the pack had before it was reopened, with who reopened it and why."""

    class Meta:
        model = PackReopening
        fields = [
            "id",
            "reason",
            "reopened_by",
            "reopened_at",
            "finalized_by",
            "finalized_at",
            "narrative",
            "decisions",
            "figures",
        ]


class ReviewPackSerializer(serializers.ModelSerializer):
    """A pack without its sections (the list)."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True)
    team_name = serializers.CharField(source="scope_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReviewPack
        fields = [
            "id",
            "team",
            "team_name",
            "period",
            "period_start",
            "period_end",
            "status",
            "version",
            "finalized_at",
            "created_at",
            "url",
        ]
        read_only_fields = [
            "period_start",
            "period_end",
            "status",
            "version",
            "finalized_at",
            "created_at",
        ]

    def get_url(self, pack) -> str:
        request = self.context.get("request")
        path = pack.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ReviewPackCreateSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        help_text="The team; null for the whole organisation's pack (admins).",
    )
    period = serializers.CharField(max_length=7, help_text="A quarter like 2026-Q3.")


class ReviewPackDetailSerializer(ReviewPackSerializer):
    """A pack with its write-up, commitments and every section. Stakeholders get the
    stakeholder version: no internal notes, no internal sections or figures."""

    narrative = serializers.CharField(required=False, allow_blank=True, max_length=limits.MARKDOWN)
    decisions = serializers.CharField(required=False, allow_blank=True, max_length=limits.MARKDOWN)
    internal_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=limits.NOTES,
        help_text="Left out of the stakeholder version.",
    )
    version = serializers.IntegerField(
        help_text="The version you loaded; a stale one is refused with 409."
    )
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    stakeholder_version = serializers.SerializerMethodField()
    commitments = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta(ReviewPackSerializer.Meta):
        fields = [
            *ReviewPackSerializer.Meta.fields,
            "narrative",
            "decisions",
            "internal_notes",
            "stakeholder_version",
            "commitments",
            "history",
            "sections",
        ]
        read_only_fields = [
            f for f in ReviewPackSerializer.Meta.read_only_fields if f != "version"
        ] + ["period"]

    def get_stakeholder_version(self, pack) -> bool:
        return bool(self.context.get("stakeholder"))

    def get_commitments(self, pack) -> list[dict]:
        rows = self.context.get("commitments", [])
        if self.context.get("stakeholder"):
            return [{"id": c.pk, "title": c.title, "request": None, "item": None} for c in rows]
        return CommitmentSerializer(rows, many=True).data

    def get_history(self, pack) -> list[dict]:
        """Each time the pack was reopened, with the snapshot it had (not for stakeholders)."""
        if self.context.get("stakeholder"):
            return []
        return PackReopeningSerializer(self.context.get("history", []), many=True).data

    def get_sections(self, pack) -> list[dict]:
        return [
            {
                "key": view["section"].key,
                "title": view["section"].title,
                "has_data": view["has_data"],
                "message": view["message"] if not view["has_data"] else "",
                "figures": view["figures"],
            }
            for view in self.context.get("sections", [])
        ]

    def to_representation(self, pack):
        data = super().to_representation(pack)
        if self.context.get("stakeholder"):
            data.pop("internal_notes", None)
        return data


class FinalizeSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you loaded.")


class PackShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PackShareLink
        fields = ["id", "label", "token", "url", "expires_at", "revoked_at", "created_at"]
        read_only_fields = ["id", "token", "url", "revoked_at", "created_at"]

    def get_url(self, link) -> str:
        request = self.context.get("request")
        path = reverse("pack_share:view", args=[link.token])
        return request.build_absolute_uri(path) if request else path
