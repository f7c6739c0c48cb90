from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
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


def _require_admin(actor, what: str) -> None:
    from prodops.core.errors import NotAllowed

    from .roles import Role, has_role

    if not has_role(actor, Role.ADMIN):
        raise NotAllowed(f"Only an admin may {what}.")


@transaction.atomic
def membership_save(
    *, actor, membership=None, team=None, user=None, capacity_days, allocation_percent
):
    """An admin puts a person on a team, or changes their capacity (person-days per quarter
    at 100 %) or allocation there. Roadmaps read capacity live, so their figures follow at
    once; the caller tells about roadmaps left over-committed."""
    from .models import TeamMembership

    _require_admin(actor, "change team membership or capacity")
    if membership is None:
        if team is None or user is None:
            raise ValidationFailed("Choose a team.", field="team")
        if TeamMembership.objects.filter(team=team, user=user).exists():
            raise ValidationFailed(f"{user} is already on {team}.", field="team")
        membership = TeamMembership(team=team, user=user)
    membership.capacity_days = capacity_days
    membership.allocation_percent = allocation_percent
    try:
        membership.full_clean()
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(" ".join(messages), field=field) from None
    membership.save()
    return membership


@transaction.atomic
def membership_delete(*, actor, membership) -> None:
    """An admin takes a person off a team; the team's roadmaps lose their capacity."""
    _require_admin(actor, "change team membership or capacity")
    membership.delete()
