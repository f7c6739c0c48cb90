"""API shapes for routing rules."""

from rest_framework import serializers

from prodops.accounts.models import Department, Team

from ..models import Request, RoutingRule


class RoutingRuleSerializer(serializers.ModelSerializer):
    """A routing rule: requests of `category` and/or `department` go to `team`. `version` must
    come back with an update."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    category = serializers.ChoiceField(
        choices=Request.Category.choices,
        required=False,
        allow_blank=True,
        help_text="Empty matches every category.",
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="null matches every department.",
    )
    priority = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="Lower wins among equals."
    )
    version = serializers.IntegerField(required=False)

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "team",
            "team_name",
            "category",
            "department",
            "priority",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "team_name", "created_at", "updated_at"]
        # One rule per match is checked by the service, which names the rule already there;
        # DRF's own check would make both fields required instead.
        validators = []
