"""The routing rules page: every member reads the rules; leads add, edit and delete the rules
of their own team inline (htmx), admins all rules."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prodops.accounts.roles import Role, has_role
from prodops.core.errors import DomainError
from prodops.core.permissions import refuse, role_required

from ..models import RoutingRule
from . import selectors, services
from .forms import RoutingRuleForm
from .rules import own_team_ids, routing_can_manage, routing_manageable_teams

PAGE = "intake/routing.html"
# The inline edit form's fields are prefixed so they never share ids with the add form.
EDIT_PREFIX = "edit"


def _rows(user) -> list[RoutingRule]:
    """The rules, each marked with whether the viewer may change it (no query per row)."""
    own = own_team_ids(user)
    rules = list(selectors.routing_rule_list())
    for rule in rules:
        rule.can_manage = routing_can_manage(user=user, team=rule.team, own=own)
    return rules


def _page_context(user, *, form=None, editing=None, edit_form=None) -> dict:
    teams = routing_manageable_teams(user=user)
    return {
        "rules": _rows(user),
        "can_add": has_role(user, Role.LEAD) and teams.exists(),
        "form": form or RoutingRuleForm(teams=teams),
        "editing": editing,
        "edit_form": edit_form,
    }


def _rule_or_404(pk: int) -> RoutingRule:
    try:
        return selectors.routing_rule_get(pk=pk)
    except RoutingRule.DoesNotExist:
        raise Http404("No such routing rule.") from None


def _apply_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def rule_list(request):
    """The rules, most specific first when they route; POST adds one."""
    user = request.user
    if request.method == "GET":
        return render(request, PAGE, _page_context(user))
    teams = routing_manageable_teams(user=user)
    form = RoutingRuleForm(request.POST, teams=teams)
    if not has_role(user, Role.LEAD):
        return refuse(request, "Only leads and admins may keep routing rules.")
    if form.is_valid():
        try:
            services.routing_rule_create(actor=user, **_fields(form))
        except DomainError as error:
            if error.status_code == 403:
                return refuse(request, error.message)
            _apply_error(form, error)
    if form.errors:
        template = f"{PAGE}#rules" if request.htmx else PAGE
        return render(request, template, _page_context(user, form=form), status=400)
    messages.success(request, "Routing rule added.")
    if request.htmx:
        return render(request, f"{PAGE}#rules_update", _page_context(user))
    return redirect("intake:routing")


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def rule_detail(request, pk: int):
    """GET: the rule's row (cancelling an edit). POST: save an inline edit."""
    rule = _rule_or_404(pk)
    user = request.user
    if request.method == "GET":
        rule.can_manage = routing_can_manage(user=user, team=rule.team)
        if request.htmx:
            return render(request, f"{PAGE}#row", {"rule": rule})
        return redirect("intake:routing")
    if not routing_can_manage(user=user, team=rule.team):
        return refuse(request, f"Only an admin or a lead of {rule.team} may change this rule.")
    form = RoutingRuleForm(
        request.POST, teams=routing_manageable_teams(user=user), prefix=EDIT_PREFIX
    )
    status = 200
    if form.is_valid():
        try:
            services.routing_rule_update(
                rule=rule,
                actor=user,
                expected_version=form.cleaned_data["version"],
                **_fields(form),
            )
        except DomainError as error:
            if error.status_code == 403:
                return refuse(request, error.message)
            _apply_error(form, error)
            status = error.status_code
    if form.errors:
        context = {"rule": rule, "edit_form": form}
        if request.htmx:
            return render(
                request, f"{PAGE}#edit_row", context, status=status if status != 200 else 400
            )
        return render(
            request,
            PAGE,
            _page_context(user, editing=rule.pk, edit_form=form),
            status=status if status != 200 else 400,
        )
    rule = selectors.routing_rule_get(pk=pk)
    rule.can_manage = True
    if request.htmx:
        return render(request, f"{PAGE}#row", {"rule": rule, "flash": "Saved."})
    messages.success(request, "Routing rule saved.")
    return redirect("intake:routing")


@role_required(Role.LEAD)
@require_http_methods(["GET"])
def rule_edit(request, pk: int):
    """The rule's row as a form (htmx), or the page with that row in edit mode."""
    rule = _rule_or_404(pk)
    if not routing_can_manage(user=request.user, team=rule.team):
        return refuse(request, f"Only an admin or a lead of {rule.team} may change this rule.")
    form = RoutingRuleForm(
        teams=routing_manageable_teams(user=request.user),
        prefix=EDIT_PREFIX,
        initial={
            "category": rule.category,
            "department": rule.department_id,
            "team": rule.team_id,
            "priority": rule.priority,
            "version": rule.version,
        },
    )
    if request.htmx:
        return render(request, f"{PAGE}#edit_row", {"rule": rule, "edit_form": form})
    return render(request, PAGE, _page_context(request.user, editing=rule.pk, edit_form=form))


@role_required(Role.LEAD)
@require_POST
def rule_delete(request, pk: int):
    rule = _rule_or_404(pk)
    try:
        services.routing_rule_delete(rule=rule, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    if request.htmx:
        # The row is swapped for nothing: it is gone.
        return HttpResponse("")
    messages.success(request, "Routing rule deleted.")
    return redirect("intake:routing")
