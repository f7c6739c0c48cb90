from rest_framework import serializers

from .models import Department, Team, TeamMembership, User


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


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "slug", "liaisons"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    quarter_capacity_days = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user", "capacity_days", "allocation_percent", "quarter_capacity_days"]


class TeamSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "lead", "memberships"]
