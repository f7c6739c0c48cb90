from django.contrib import admin

from . import scoring_admin  # noqa: F401 - registers the read-only scoring admin
from .models import Comment, Request, StatusChange, Vote, Watcher


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "reason", "actor", "created_at")
    can_delete = False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "status",
        "department",
        "requester",
        "assignee",
        "vote_count",
        "created_at",
    )
    list_filter = ("status", "category", "audience", "department")
    search_fields = ("title",)
    raw_id_fields = ("requester", "assignee", "merged_into", "objective")
    # Status moves go through the lifecycle service, never a raw edit.
    readonly_fields = (
        "status",
        "status_reason",
        "first_triaged_at",
        "vote_count",
        "score",
        "version",
    )
    inlines = [StatusChangeInline]


admin.site.register(Comment)
admin.site.register(Vote)
admin.site.register(Watcher)
