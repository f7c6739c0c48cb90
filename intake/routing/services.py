"""Writes for routing rules: a lead keeps the rules routing to their own team, an admin all
(intake.routing.rules.routing_can_manage). Every write is versioned and in the activity
trail."""

from django.db import IntegrityError, transaction

from prodops.accounts.models import Department, Team
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from ..models import Request, RoutingRule
from .rules import routing_can_manage

# Priorities are small whole numbers; lower wins among equally specific rules.
PRIORITY_MAX = 1000


def _require_manager(actor, team: Team | None) -> None:
    if not routing_can_manage(user=actor, team=team):
        raise NotAllowed(
            f"Only an admin or a lead of {team} may keep routing rules for it."
            if team is not None
            else "Only leads and admins may keep routing rules."
        )


def routing_rule_check(*, team, category, department, priority, exclude_pk=None) -> dict:
    """The input rules for a routing rule; raises naming the field at fault."""
    if not isinstance(team, Team):
        raise ValidationFailed("Choose the team the rule routes to.", field="team")
    category = category or ""
    if category and category not in Request.Category.values:
        raise ValidationFailed("Choose a category.", field="category")
    if department is not None and not isinstance(department, Department):
        raise ValidationFailed("Choose a department.", field="department")
    if not category and department is None:
        raise ValidationFailed(
            "A rule names a category, a department or both; otherwise it would route everything.",
            field="category",
        )
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        raise ValidationFailed("Give the priority as a whole number.", field="priority") from None
    if not 0 <= priority <= PRIORITY_MAX:
        raise ValidationFailed(f"Give a priority between 0 and {PRIORITY_MAX}.", field="priority")
    clash = RoutingRule.objects.filter(category=category, department=department).select_related(
        "team"
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    existing = clash.first()
    if existing is not None:
        raise ValidationFailed(
            f"A rule for the same category and department already routes to {existing.team}; "
            "change that one instead.",
            field="category",
        )
    return {"team": team, "category": category, "department": department, "priority": priority}


def _describe(rule: RoutingRule) -> dict:
    return {
        "team": str(rule.team),
        "category": rule.category,
        "department": str(rule.department) if rule.department else None,
        "priority": rule.priority,
    }


def _save(rule: RoutingRule) -> None:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        # Someone saved a rule with the same match at the same moment.
        raise ValidationFailed(
            "A rule for the same category and department already exists.", field="category"
        ) from None


@transaction.atomic
def routing_rule_create(
    *, actor, team, category: str = "", department=None, priority: int = 100
) -> RoutingRule:
    """A lead adds a rule routing to their own team (admins: to any team)."""
    _require_manager(actor, team if isinstance(team, Team) else None)
    fields = routing_rule_check(
        team=team, category=category, department=department, priority=priority
    )
    rule = RoutingRule(**fields)
    _save(rule)
    activity_record(
        actor=actor, target=rule, verb="created", changes={"rule": [None, _describe(rule)]}
    )
    return rule


@transaction.atomic
def routing_rule_update(
    *, rule: RoutingRule, actor, expected_version: int | None, **fields
) -> RoutingRule:
    """Change a rule; moving it to another team needs the right to keep rules of both. The
    version the editor loaded must still be the stored one."""
    locked = (
        RoutingRule.objects.select_for_update(of=("self",))
        .select_related("team", "department")
        .get(pk=rule.pk)
    )
    _require_manager(actor, locked.team)
    if expected_version is None:
        raise ValidationFailed("Send the version you edited.", field="version")
    if locked.version != expected_version:
        raise EditConflict()
    wanted = {
        "team": fields.get("team", locked.team),
        "category": fields.get("category", locked.category),
        "department": fields.get("department", locked.department),
        "priority": fields.get("priority", locked.priority),
    }
    if wanted["team"] != locked.team:
        _require_manager(actor, wanted["team"] if isinstance(wanted["team"], Team) else None)
    cleaned = routing_rule_check(**wanted, exclude_pk=locked.pk)
    before = _describe(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    after = _describe(locked)
    if before == after:
        return locked
    locked.version += 1
    _save(locked)
    activity_record(actor=actor, target=locked, verb="updated", changes={"rule": [before, after]})
    rule.version = locked.version
    return locked


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, actor) -> None:
    """Delete a rule; requests it routed keep their team."""
    locked = (
        RoutingRule.objects.select_for_update(of=("self",))
        .select_related("team", "department")
        .get(pk=rule.pk)
    )
    _require_manager(actor, locked.team)
    activity_record(
        actor=actor, target=locked, verb="deleted", changes={"rule": [_describe(locked), None]}
    )
    locked.delete()
