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
