"""Roles and the one rule that orders them."""

from django.db import models


class Role(models.TextChoices):
    STAKEHOLDER = "stakeholder", "Stakeholder"
    MEMBER = "member", "Team member"
    LEAD = "lead", "Lead"
    ADMIN = "admin", "Admin"


_RANK = {Role.STAKEHOLDER: 1, Role.MEMBER: 2, Role.LEAD: 3, Role.ADMIN: 4}


def has_role(user, minimum: Role | str) -> bool:
    """A user may act at `minimum` when signed in, active, and their role ranks at least as high
    (stakeholder < member < lead < admin)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _RANK.get(Role(user.role), 0) >= _RANK[Role(minimum)]
