from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from intake.models import Request
from prodops.accounts.models import Team
from prodops.core import limits

from . import selectors, services
from .models import Lane, Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry


class RoadmapSerializer(serializers.ModelSerializer):
    """A roadmap with the figures every read includes. Expects a roadmap from
    `selectors.roadmap_queryset()` so the figures cost no extra queries."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    buffer_percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, help_text="20–30; default 25."
    )
    version = serializers.IntegerField(
        required=False, help_text="Send the version you loaded; a stale one gets 409."
    )
    capacity_overrides = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True),
        required=False,
        write_only=True,
        help_text="{user id: person-days for the quarter, or null to use capacity × allocation}.",
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=limits.REASON
    )

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "team",
            "period",
            "buffer_percent",
            "notes",
            "version",
            "capacity_overrides",
            "override_reason",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        figures = selectors.roadmap_figures(instance)
        for name in (
            "capacity_days",
            "buffer_days",
            "plannable_days",
            "planned_days",
            "free_days",
            "unplanned_days",
            "buffer_burn_percent",
        ):
            data[name] = str(getattr(figures, name))
        data["buffer_percent"] = str(figures.buffer_percent)
        data["overcommitted"] = figures.overcommitted
        data["team_name"] = instance.team.name
        data["members"] = [
            {
                "user": row["user"].pk,
                "name": row["user"].display_name,
                "default_days": str(row["default_days"]),
                "override_days": None
                if row["override_days"] is None
                else str(row["override_days"]),
            }
            for row in selectors.capacity_rows(instance)
        ]
        return data


class PlannableRequestSerializer(serializers.ModelSerializer):
    """An accepted request an item on this roadmap may plan."""

    class Meta:
        model = Request
        fields = [
            "id",
            "title",
            "category",
            "department",
            "objective",
            "team",
            "score",
            "vote_count",
        ]
        read_only_fields = fields


class RoadmapItemSerializer(serializers.ModelSerializer):
    requests = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Request.objects.all(),
        required=False,
        help_text="Accepted requests of the roadmap's team (see the roadmap's "
        "plannable-requests); another team's request is refused naming `requests`.",
    )
    estimate_days = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="Person-days; on create, empty means the mean assessed effort.",
    )
    version = serializers.IntegerField(required=False)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=limits.REASON,
        help_text="Leads: why over-commit.",
    )
    overcommitted = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapItem
        fields = [
            "id",
            *services.ITEM_FIELDS,
            "requests",
            "version",
            "override_reason",
            "overcommitted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "title": {"required": False},
            "objective": {"required": False},
        }

    def get_overcommitted(self, item) -> bool:
        # `overcommits` is prefetched by selectors.item_list and item_list_api.
        return bool(item.overcommits.all())


class MovePeriodSerializer(serializers.Serializer):
    to_roadmap = serializers.PrimaryKeyRelatedField(
        queryset=Roadmap.objects.all(), help_text="Another quarter's roadmap of the same team."
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.REASON,
        help_text="Leads: why over-commit there.",
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A stale one gets 409."
    )


class UnplannedEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = UnplannedEntry
        fields = [
            "id",
            "day",
            "days",
            "what",
            "requested_by",
            "category",
            "logged_by",
            "created_at",
        ]
        read_only_fields = ["id", "logged_by", "created_at"]
        extra_kwargs = {"day": {"required": False}}


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Snapshot
        fields = ["id", "note", "taken_by", "taken_at", "review", "data"]
        read_only_fields = ["id", "taken_by", "taken_at", "review", "data"]


class ShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["id", "label", "token", "url", "expires_at", "revoked_at", "created_at"]
        read_only_fields = ["id", "token", "url", "revoked_at", "created_at"]

    def get_url(self, link) -> str:
        request = self.context.get("request")
        path = link.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class CompleteReviewSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=limits.NOTES)


# --- stakeholder-facing: only shared items and their stakeholder-facing text -----------


class SharedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="public_title")
    summary = serializers.CharField(source="public_summary")
    status = serializers.CharField()
    lane = serializers.ChoiceField(choices=Lane.choices)
    start_month = serializers.DateField(allow_null=True)
    end_month = serializers.DateField(allow_null=True)
    objective = serializers.CharField(source="objective.title", allow_null=True)


class SharedRoadmapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    period = serializers.CharField()
    items = SharedItemSerializer(many=True, source="shared")


# --- what changed between two states of a roadmap (snapshot diff, completed review) ------

CHANGE_KINDS = ["added", "removed", "moved", "re_estimated", "status_changed", "moved_period"]


def _item_changes_serializer():
    """Per item, what changed, as `roadmap.snapshots.diff` writes it. `from`/`to` of a
    change: lane and months for `moved`, estimates (decimal strings) for `re_estimated`,
    statuses for `status_changed`, periods for `moved_period` (`direction` `in` or `out`)."""
    change = inline_serializer(
        "RoadmapItemChange",
        {
            "kind": serializers.ChoiceField(choices=CHANGE_KINDS),
            "direction": serializers.ChoiceField(choices=["in", "out"], required=False),
            "from": serializers.JSONField(required=False),
            "to": serializers.JSONField(required=False),
        },
        many=True,
    )
    return inline_serializer(
        "RoadmapItemChanges",
        {
            "item_id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "changes": change,
        },
        many=True,
    )


ITEM_CHANGES = _item_changes_serializer()


def snapshot_diff_serializer():
    return inline_serializer(
        "SnapshotDiff",
        {"from": serializers.IntegerField(), "changes": ITEM_CHANGES},
    )


def completed_review_serializer():
    return inline_serializer(
        "CompletedReview",
        {
            "review": serializers.IntegerField(),
            "snapshot": serializers.IntegerField(),
            "next_due_on": serializers.DateField(),
            "changes": ITEM_CHANGES,
        },
    )
