from django.contrib import admin

from .models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "verb", "target_type", "target_id", "summary")
    list_filter = ("verb", "target_type")
    readonly_fields = [f.name for f in ActivityEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
