from rest_framework import serializers

from .models import Department, Team, TeamMembership, User
from .roles import Role, has_role


class UserSummarySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    department = serializers.PrimaryKeyRelatedField(read_only=True)
    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "role",
            "department",
            "teams",
            "email_notifications",
        ]
        read_only_fields = ["id", "username", "display_name", "role", "department", "teams"]

    def get_teams(self, user) -> list[int]:
        return [m.team_id for m in user.memberships.all()]


_VERSION_HELP = "Send the version you loaded with every update; a stale one gets 409."


class DepartmentSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, help_text=_VERSION_HELP)

    class Meta:
        model = Department
        fields = ["id", "name", "slug", "liaisons", "version"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    quarter_capacity_days = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user", "capacity_days", "allocation_percent", "quarter_capacity_days"]


class TeamSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False, help_text=_VERSION_HELP)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "lead", "memberships", "version"]

    def to_representation(self, team):
        """Capacity is the team's own business: below member, memberships name people only."""
        data = super().to_representation(team)
        request = self.context.get("request")
        if request is None or not has_role(request.user, Role.MEMBER):
            data["memberships"] = [{"user": m["user"]} for m in data["memberships"]]
        return data
