from collections import Counter

from django.db import transaction
from django.db.models import ProtectedError

from prodops.core.errors import ValidationFailed

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


def _delete_unless_used(obj) -> None:
    """Delete `obj`, or refuse naming what still refers to it (nothing is deleted)."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as error:
        uses = Counter(o._meta for o in error.protected_objects)
        listed = ", ".join(
            f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
            for meta, count in uses.items()
        )
        raise ValidationFailed(
            f"{obj} is still used by {listed}; move those elsewhere first."
        ) from None


@transaction.atomic
def department_delete(*, department) -> None:
    _delete_unless_used(department)


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
    _delete_unless_used(team)
