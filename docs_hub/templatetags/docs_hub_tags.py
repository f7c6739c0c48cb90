from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("docs_hub/_request_docs.html", takes_context=True)
def request_docs(context, request_obj):
    """The docs linked to a request that the viewer may read (shown on the request page)."""
    user = context["request"].user
    return {"docs": list(selectors.docs_for_request(request_obj=request_obj, user=user))}
