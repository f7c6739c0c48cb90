from django import template

from prodops.accounts.roles import has_role
from prodops.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.filter
def at_least(user, role: str) -> bool:
    """`{% if user|at_least:"member" %}` — the same role rule the views use."""
    return has_role(user, role)


@register.simple_tag(takes_context=True)
def query_string(context, **changes) -> str:
    """The current query string with some keys replaced (None drops a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def code_label(value) -> str:
    """A stored code such as "in_progress" as people read it: "in progress"."""
    return str(value or "").replace("_", " ")
