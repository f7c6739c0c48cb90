from django.db.models import QuerySet

from .models import Department, Team, User


def department_list() -> QuerySet[Department]:
    return Department.objects.prefetch_related("liaisons")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead").prefetch_related("memberships__user")


def user_with_teams(user_id: int) -> User:
    return User.objects.prefetch_related("memberships").get(pk=user_id)


def people_by_role(role: str) -> QuerySet[User]:
    return User.objects.filter(role=role, is_active=True)


def people_list() -> QuerySet[User]:
    """Everyone, with department and team memberships (and their teams), for the people page."""
    from django.db.models import Prefetch

    from .models import TeamMembership

    return (
        User.objects.select_related("department")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.select_related("team").order_by("team__name"),
            )
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def membership_get(pk: int):
    from .models import TeamMembership

    return TeamMembership.objects.select_related("team", "user").get(pk=pk)
