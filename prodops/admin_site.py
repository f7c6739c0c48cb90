"""The Django admin follows the same role rule as the app: only the admin role gets in."""

from django.contrib import admin

from prodops.accounts.roles import Role, has_role


def _admin_only(request) -> bool:
    return has_role(request.user, Role.ADMIN)


admin.site.has_permission = _admin_only
admin.site.site_header = "prodops administration"
admin.site.site_title = "prodops admin"
