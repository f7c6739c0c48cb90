"""Existing requests get a team: a request on a roadmap item takes that roadmap's team;
any other takes the team of the most specific matching routing rule (both fields named beat
one, then the lower priority, then the older rule), if one exists; else it stays without a
team until triage."""

from django.db import migrations


def _pick(rules, category, department_id):
    matching = [
        rule
        for rule in rules
        if (not rule.category or rule.category == category)
        and (rule.department_id is None or rule.department_id == department_id)
    ]
    if not matching:
        return None
    return min(
        matching,
        key=lambda r: (-(bool(r.category) + (r.department_id is not None)), r.priority, r.pk),
    )


def forwards(apps, schema_editor):
    Request = apps.get_model("intake", "Request")
    RoutingRule = apps.get_model("intake", "RoutingRule")
    ItemRequest = apps.get_model("roadmap", "ItemRequest")
    for link in ItemRequest.objects.select_related("item__roadmap").iterator():
        Request.objects.filter(pk=link.request_id).update(team_id=link.item.roadmap.team_id)
    rules = list(RoutingRule.objects.all())
    if not rules:
        return
    for request in Request.objects.filter(team__isnull=True).only("pk", "category", "department_id"):
        rule = _pick(rules, request.category, request.department_id)
        if rule is not None:
            Request.objects.filter(pk=request.pk).update(team_id=rule.team_id)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_request_team_and_routing_rules"),
        ("roadmap", "0002_item_period_move"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
