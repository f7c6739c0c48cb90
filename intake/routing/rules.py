"""The routing rule and who may keep routing rules, each in one function."""

from prodops.accounts.models import Team, TeamMembership
from prodops.accounts.roles import Role, has_role


def specificity(rule) -> int:
    """How many of the request's fields a rule names (1 or 2)."""
    return int(bool(rule.category)) + int(rule.department_id is not None)


def rule_matches(rule, *, category: str, department_id: int | None) -> bool:
    """A rule matches a request when every field it names (category, department) is the
    request's."""
    if rule.category and rule.category != category:
        return False
    return rule.department_id is None or rule.department_id == department_id


def routing_pick(rules, *, category: str, department_id: int | None):
    """The routing rule: among the rules matching the request (rule_matches), the most
    specific wins — one naming both category and department beats one naming either; among
    equally specific rules the lower priority number wins, then the older rule. Returns the
    winning rule, or None when no rule matches. `rules` is every rule, loaded once (see
    intake.routing.selectors.routing_rules), so a whole queue page is routed without a query
    per row."""
    matching = [r for r in rules if rule_matches(r, category=category, department_id=department_id)]
    if not matching:
        return None
    return min(matching, key=lambda r: (-specificity(r), r.priority, r.pk))


def routing_suggest(*, request, rules=None) -> Team | None:
    """The team the routing rules suggest for `request` (see routing_pick), or None."""
    if rules is None:
        from .selectors import routing_rules

        rules = routing_rules()
    rule = routing_pick(rules, category=request.category, department_id=request.department_id)
    return rule.team if rule is not None else None


def own_team_ids(user) -> set[int]:
    """The teams that are `user`'s own: those they lead or are a member of. The one place that
    says what "own team" means for routing rules (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    led = Team.objects.filter(lead_id=user.pk).values_list("pk", flat=True)
    member_of = TeamMembership.objects.filter(user_id=user.pk).values_list("team_id", flat=True)
    return set(led.union(member_of))


def routing_can_manage(*, user, team: Team | None, own: set[int] | None = None) -> bool:
    """Admins keep every routing rule; a lead keeps the rules that route to their own team
    (own_team_ids; pass `own` when asking for many rules at once)."""
    if has_role(user, Role.ADMIN):
        return True
    if team is None or not has_role(user, Role.LEAD):
        return False
    return team.pk in (own if own is not None else own_team_ids(user))


def routing_manageable_teams(*, user):
    """The teams `user` may route requests to with a rule of their own."""
    if has_role(user, Role.ADMIN):
        return Team.objects.order_by("name")
    if not has_role(user, Role.LEAD):
        return Team.objects.none()
    return Team.objects.filter(pk__in=own_team_ids(user)).order_by("name")
