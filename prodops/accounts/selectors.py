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
