from django.contrib import admin

from .models import Cadence, ReminderDelivery, Review


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "interval_days",
        "owner",
        "escalate_to",
        "next_due_on",
        "active",
    )
    list_filter = ("kind", "active")
    raw_id_fields = ("owner", "escalate_to")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("cadence", "due_on", "completed_on", "completed_by")
    readonly_fields = ("cadence", "due_on", "completed_on", "completed_by", "created_at")


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    # Deliveries are written by the sweep only; the admin shows them for diagnosis.
    list_display = (
        "cadence",
        "due_on",
        "recipient",
        "kind",
        "created_at",
        "sent_at",
        "skipped",
        "attempts",
        "failed_at",
    )
    list_filter = ("kind", "skipped")
    readonly_fields = (*list_display, "last_attempt_at", "last_error")

    def has_add_permission(self, request):
        return False
