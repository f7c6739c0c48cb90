"""API shapes for intake. Every nested value comes from the selector's joins, never a
per-row query."""

from rest_framework import serializers

from outcomes.models import Objective
from prodops.accounts.models import Department, Team
from prodops.accounts.roles import Role, has_role
from prodops.core import limits

from .models import Comment, Request, RequestStatus, StatusChange


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class TeamRefSerializer(serializers.Serializer):
    """The team a request belongs to: its name is not internal, so every viewer gets it."""

    id = serializers.IntegerField()
    name = serializers.CharField()


# The team's working numbers: only members and up receive them.
TEAM_ONLY_FIELDS = ("score",)


class RequestSerializer(serializers.ModelSerializer):
    """A request as the list and detail show it. `version` must come back with an update.
    TEAM_ONLY_FIELDS are left out unless the viewer (`context["request"].user`) is a team
    member or higher; without a viewer they are left out too."""

    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    objective = serializers.PrimaryKeyRelatedField(
        queryset=Objective.objects.all(), required=False, allow_null=True
    )
    has_voted = serializers.BooleanField(read_only=True, default=False)
    team = TeamRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="Set at triage: POST …/team/ or `team` with a transition; null until then.",
    )
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Request
        fields = [
            "id",
            "title",
            "description",
            "requester",
            "department",
            "audience",
            "category",
            "desired_date",
            "objective",
            "source",
            "visible_to_stakeholders",
            "status",
            "status_reason",
            "revisit_on",
            "assignee",
            "team",
            "merged_into",
            "vote_count",
            "has_voted",
            "score",
            "first_triaged_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source",
            "status",
            "status_reason",
            "revisit_on",
            "merged_into",
            "vote_count",
            "score",
            "first_triaged_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"score": {"help_text": "Only team members and up receive it."}}

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return fields  # the OpenAPI schema documents every field, whoever asks for it
        viewer = getattr(self.context.get("request"), "user", None)
        if not has_role(viewer, Role.MEMBER):
            for name in TEAM_ONLY_FIELDS:
                fields.pop(name, None)
        return fields


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "reason", "actor", "created_at"]


_VERSION = {
    "help_text": "The request's version you loaded; a stale one gets 409.",
    "error_messages": {
        "required": "Send the version you loaded, so a change made since is not overwritten.",
        "null": "Send the version you loaded, so a change made since is not overwritten.",
    },
}


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=RequestStatus.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )
    revisit_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(**_VERSION)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Set the request's team with the move (moving to triaged or later needs one, "
        "unless a routing rule supplies it).",
    )


class SetTeamSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, help_text="null removes the team."
    )
    version = serializers.IntegerField(help_text="The version you loaded; a stale one gets 409.")


class VoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(**_VERSION)


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    is_internal = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_internal", "moved_from", "created_at"]
        read_only_fields = ["moved_from", "created_at"]


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    vote_count = serializers.IntegerField()
    similarity = serializers.FloatField()
