from django.db import transaction

from .models import User


@transaction.atomic
def user_update_preferences(
    *, user: User, email: str | None = None, email_notifications: bool | None = None
) -> User:
    """A person manages their own notification preferences and email address."""
    fields = []
    if email is not None:
        user.email = email
        fields.append("email")
    if email_notifications is not None:
        user.email_notifications = email_notifications
        fields.append("email_notifications")
    if fields:
        user.save(update_fields=fields)
    return user


@transaction.atomic
def department_save(*, department=None, **fields):
    """Create or update a department (leads and admins)."""
    from .models import Department

    liaisons = fields.pop("liaisons", None)
    department = department or Department()
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    if liaisons is not None:
        department.liaisons.set(liaisons)
    return department


@transaction.atomic
def department_delete(*, department) -> None:
    department.delete()


@transaction.atomic
def team_save(*, team=None, **fields):
    """Create or update a team (leads and admins); members are managed in the admin."""
    from .models import Team

    team = team or Team()
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_delete(*, team) -> None:
    team.delete()
