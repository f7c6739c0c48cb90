from django import template

from prodops.accounts.roles import Role, has_role

from .. import selectors

register = template.Library()


@register.inclusion_tag("outreach/_request_accounts.html", takes_context=True)
def request_accounts(context, request_obj):
    """The customer accounts a request is about, on the request page: names only for
    stakeholders; members and up follow them to the account and add or remove them."""
    user = context["request"].user
    return {
        "request": context["request"],
        "request_obj": request_obj,
        "accounts": selectors.request_accounts(request_obj=request_obj),
        "may_edit": has_role(user, Role.MEMBER),
        "csrf_token": context.get("csrf_token"),
    }
