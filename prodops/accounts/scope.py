"""Team scope: the one rule for who may act on a team's things.

Roadmaps, roadmap items, the unplanned-work log, review cadences of a team's things,
snapshots, reviews and share links belong to a team. Views, the API and the admin ask
`may_act_for_team` before they write; services refuse with `require_team_scope`."""

from prodops.core.errors import NotAllowed

from .roles import Role, has_role


def belongs_to_team(user, team) -> bool:
    """A person belongs to a team when they are on it (a membership) or are its lead."""
    if team is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    from .models import TeamMembership

    if getattr(team, "lead_id", None) == user.pk:
        return True
    return TeamMembership.objects.filter(team_id=team.pk, user_id=user.pk).exists()


def may_act_for_team(user, team, *, minimum: Role | str = Role.MEMBER) -> bool:
    """A person may act on a team's roadmaps, items, unplanned log, cadences, snapshots,
    reviews and share links when they are an admin (every team), or when their role is at
    least `minimum` and they belong to that team (on it, or its lead). Leads act with
    `minimum=Role.LEAD` (plan, buffer, capacity, over-commit overrides, snapshots, reviews,
    cadences, share links); members with `minimum=Role.MEMBER` (edit items, log unplanned
    work). Another team's things are read-only to everyone but admins.

    `team` None means the thing belongs to no team: then the role alone decides."""
    if has_role(user, Role.ADMIN):
        return True
    if not has_role(user, minimum):
        return False
    if team is None:
        return True
    return belongs_to_team(user, team)


def require_team_scope(user, team, *, minimum: Role | str, what: str) -> None:
    """Raise NotAllowed (403) saying why when `may_act_for_team` refuses `user`."""
    if may_act_for_team(user, team, minimum=minimum):
        return
    label = Role(minimum).label.lower()
    if not has_role(user, minimum):
        raise NotAllowed(f"Only a {label} may {what}.")
    raise NotAllowed(
        f"Only a {label} of {team} (or an admin) may {what}; "
        f"{team}'s roadmaps are read-only to you."
    )


def teams_for(user, *, minimum: Role | str = Role.MEMBER):
    """The teams `may_act_for_team` lets `user` act on at `minimum`: the same rule as a
    queryset, for choosing a team in a form."""
    from django.db.models import Q

    from .models import Team

    if has_role(user, Role.ADMIN):
        return Team.objects.order_by("name")
    if not has_role(user, minimum):
        return Team.objects.none()
    mine = Q(lead_id=user.pk) | Q(memberships__user_id=user.pk)
    return Team.objects.filter(pk__in=Team.objects.filter(mine).values("pk")).order_by("name")
