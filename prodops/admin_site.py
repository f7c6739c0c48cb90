"""The Django admin follows the same role rule as the app: only the admin role gets in."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from prodops.accounts.roles import Role, has_role


def _admin_only(request) -> bool:
    return has_role(request.user, Role.ADMIN)


admin.site.has_permission = _admin_only
admin.site.site_header = "prodops administration"
admin.site.site_title = "prodops admin"


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline names its fields only in the column headers, so each control would be
    read out without a name; every control is named "<field> (row n)" instead."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            label = field.label or name.replace("_", " ").capitalize()
            # A foreign key's select sits inside the admin's related-widget wrapper, which may
            # share its attrs between rows: give each widget a dict of its own.
            widgets = [field.widget, getattr(field.widget, "widget", None)]
            for widget in filter(None, widgets):
                widget.attrs = {**widget.attrs, "aria-label": f"{label} ({row})"}


class TabularInline(admin.TabularInline):
    """The project's tabular inline: Django's, with named controls (LabelledInlineFormSet)."""

    formset = LabelledInlineFormSet


class TeamScopedAdmin(admin.ModelAdmin):
    """Changes to a team's things in the admin follow the team-scope rule of the app and the
    API (accounts.scope.may_act_for_team, at the lead role). Only admins reach this site today,
    and they act on every team; the rule is asked here so the admin can never grant more than
    the app does. Subclasses say whose a row is with `team_of`."""

    def team_of(self, obj):
        raise NotImplementedError

    def _in_scope(self, request, obj) -> bool:
        from prodops.accounts.scope import may_act_for_team

        return obj is None or may_act_for_team(request.user, self.team_of(obj), minimum=Role.LEAD)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)
