from collections import Counter

from django.db import transaction
from django.db.models import ProtectedError

from prodops.core.errors import EditConflict, ValidationFailed

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


def _check_version(obj, expected_version: int | None) -> int:
    """An update must send the version it loaded (400 naming `version` without it); a stale
    one is refused (409) instead of overwriting a change the sender never saw."""
    if obj.pk is None:
        return 1
    if expected_version in (None, ""):
        raise ValidationFailed(
            "Send the version you loaded, so a change made since is not overwritten.",
            field="version",
        )
    current = type(obj).objects.select_for_update().values_list("version", flat=True).get(pk=obj.pk)
    if current != int(expected_version):
        raise EditConflict()
    return current + 1


@transaction.atomic
def department_save(*, department=None, expected_version: int | None = None, **fields):
    """Create or update a department (admins only: the API, the admin site and the pages all
    refuse anyone else). An update carries the version it loaded."""
    from .models import Department

    liaisons = fields.pop("liaisons", None)
    department = department or Department()
    version = _check_version(department, expected_version)
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.version = version
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
def team_save(*, team=None, expected_version: int | None = None, **fields):
    """Create or update a team (admins only). Its lead must have the lead role (Team.clean:
    400 naming `lead`); an update carries the version it loaded. Members are managed in the
    admin."""
    from .models import Team

    team = team or Team()
    version = _check_version(team, expected_version)
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.version = version
    team.save()
    return team


@transaction.atomic
def team_delete(*, team) -> None:
    _delete_unless_used(team)
