from django.contrib import admin

from .models import Notification, NotificationEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient", "email")
    search_fields = ("title", "recipient__username")

    @admin.display(description="emailed at")
    def emailed_at(self, notification: Notification):
        email = getattr(notification, "email", None)
        return email.sent_at if email else None


@admin.register(NotificationEmail)
class NotificationEmailAdmin(admin.ModelAdmin):
    """Read-only: the send and the sweep own this state; here an operator sees what failed."""

    list_display = ("notification", "created_at", "attempts", "sent_at", "failed_at", "last_error")
    list_select_related = ("notification",)
    readonly_fields = (*list_display, "last_attempt_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
