"""The one role-permission mechanism, used by HTML views, the API and the admin alike."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS, BasePermission

from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team


def refuse(request, message: str, status: int = 403, field: str | None = None):
    """A refused browser action: a page (or htmx fragment) saying why, never a silent no-op.

    The htmx fragment is shown next to the control that sent the request (static/js/app.js);
    `field` names the input at fault so that input is marked and focused."""
    template = "_refused.html" if getattr(request, "htmx", False) else "refused.html"
    return render(request, template, {"message": message, "field": field}, status=status)


def role_required(minimum: Role):
    """Decorator for function views: signed-in users below `minimum` get a 403 page saying why."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, minimum):
                return refuse(
                    request, f"This needs the {Role(minimum).label.lower()} role or higher."
                )
            return view(request, *args, **kwargs)

        wrapped.minimum_role = minimum
        return wrapped

    return decorator


def action_minimum(request, view) -> Role:
    """The role a view's `action_roles` asks for the current action ("*", then stakeholder,
    for actions not named)."""
    return method_minimum(view, request.method)


def method_minimum(view, method: str) -> Role:
    """`action_minimum` for a view and HTTP method without a request (the schema asks it)."""
    roles = getattr(view, "action_roles", {})
    action = getattr(view, "action", None) or method.lower()
    return Role(roles.get(action, roles.get("*", Role.STAKEHOLDER)))


class RolePermission(BasePermission):
    """DRF permission reading `action_roles` on the view: {"list": Role.STAKEHOLDER,
    "create": Role.LEAD, "*": Role.MEMBER}. Actions not named fall back to "*", then to
    stakeholder (any signed-in user)."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        minimum = action_minimum(request, view)
        allowed = has_role(request.user, minimum)
        if not allowed:
            self.message = f"This needs the {Role(minimum).label.lower()} role or higher."
        return allowed


class TeamScopePermission(BasePermission):
    """Writes to a team's things follow the team-scope rule (accounts.scope.may_act_for_team)
    at the role `action_roles` asks for. The view names the team through `scope_team(obj)`:
    called with None before any object is loaded (a child of a roadmap knows its team from
    the URL), then with the object for detail actions; None means "not known here" and leaves
    the decision to the service. Checked before the body is read, so another team's lead gets
    403 whatever they send. A view whose reads are themselves secrets (share-link tokens) sets
    `scope_reads = True`, and then reads follow the same rule."""

    message = "This belongs to another team: it is read-only to you."

    def _allowed(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS and not getattr(view, "scope_reads", False):
            return True
        team = view.scope_team(obj)
        if team is None:
            return True
        allowed = may_act_for_team(request.user, team, minimum=action_minimum(request, view))
        if not allowed:
            self.message = (
                f"This belongs to {team}: only its own people (or an admin) may change it."
            )
        return allowed

    def has_permission(self, request, view) -> bool:
        return self._allowed(request, view, None)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._allowed(request, view, obj)
