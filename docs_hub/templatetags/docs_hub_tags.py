from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("docs_hub/_request_docs.html", takes_context=True)
def request_docs(context, request_obj):
    """The docs linked to a request that the viewer may read (shown on the request page)."""
    user = context["request"].user
    return {"docs": list(selectors.docs_for_request(request_obj=request_obj, user=user))}


@register.inclusion_tag("docs_hub/_readiness_badge.html", takes_context=True)
def readiness_badge(context, item):
    """The item's readiness % linking to its checklist; the first call on a page loads the
    readiness of every item of that roadmap at once (three queries), so a board of many
    cards costs no more than a board of one."""
    from ..readiness import readiness_for_items

    cache = context.render_context.setdefault("docs_hub_readiness", {})
    if item.roadmap_id not in cache:
        from roadmap.models import RoadmapItem

        ids = RoadmapItem.objects.filter(roadmap_id=item.roadmap_id).values_list("pk", flat=True)
        cache[item.roadmap_id] = readiness_for_items(ids)
    state = cache[item.roadmap_id].get(item.pk)
    return {"item": item, "state": state}
