"""Reads for routing rules."""

from django.db.models import QuerySet

from prodops.accounts.models import Team

from ..models import RoutingRule


def routing_rules() -> list[RoutingRule]:
    """Every routing rule with its team and department, in priority order (one query)."""
    return list(RoutingRule.objects.select_related("team", "department").order_by("priority", "pk"))


def routing_rule_list(*, team=None) -> QuerySet[RoutingRule]:
    """Routing rules for the list page and the API, optionally of one team."""
    qs = RoutingRule.objects.select_related("team", "department").order_by(
        "team__name", "priority", "pk"
    )
    if team is not None:
        qs = qs.filter(team=team)
    return qs


def routing_rule_get(*, pk: int) -> RoutingRule:
    return RoutingRule.objects.select_related("team", "department").get(pk=pk)


def teams() -> QuerySet[Team]:
    """Teams a request may belong to, by name."""
    return Team.objects.order_by("name")
