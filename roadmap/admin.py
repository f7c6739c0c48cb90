from django.contrib import admin

from prodops.admin_site import TabularInline, TeamScopedAdmin

from .models import Overcommit, Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry


class ItemInline(TabularInline):
    model = RoadmapItem
    extra = 0
    fields = ("title", "lane", "status", "visibility", "estimate_days", "objective")
    # Planning and estimates go through the services (commitment check), not the admin.
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Roadmap)
class RoadmapAdmin(TeamScopedAdmin):
    list_display = ("team", "period", "buffer_percent", "created_at")
    list_filter = ("team", "period")
    readonly_fields = ("team", "period", "period_start", "period_end", "buffer_percent", "version")
    inlines = [ItemInline]

    def team_of(self, obj):
        return obj.team


@admin.register(RoadmapItem)
class RoadmapItemAdmin(TeamScopedAdmin):
    list_display = ("title", "roadmap", "lane", "status", "visibility", "estimate_days")
    list_filter = ("status", "visibility", "lane")
    search_fields = ("title", "public_title")
    readonly_fields = ("roadmap", "estimate_days", "status", "version")
    raw_id_fields = ("objective", "owner")

    def team_of(self, obj):
        return obj.roadmap.team


@admin.register(UnplannedEntry)
class UnplannedEntryAdmin(admin.ModelAdmin):
    """Read-only: unplanned work is logged on the roadmap (unplanned_log), which keeps the day
    inside the quarter and fires the buffer burn alerts; a row added here would do neither."""

    list_display = ("roadmap", "day", "days", "what", "category", "requested_by", "logged_by")
    list_filter = ("roadmap", "category")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Overcommit)
class OvercommitAdmin(admin.ModelAdmin):
    list_display = ("roadmap", "item", "planned_days", "plannable_days", "actor", "created_at")
    readonly_fields = ("roadmap", "item", "reason", "planned_days", "plannable_days", "actor")


@admin.register(Snapshot)
class SnapshotAdmin(TeamScopedAdmin):
    list_display = ("roadmap", "taken_at", "taken_by", "note")
    readonly_fields = ("roadmap", "review", "taken_by", "data")

    def team_of(self, obj):
        return obj.roadmap.team


@admin.register(ShareLink)
class ShareLinkAdmin(TeamScopedAdmin):
    list_display = ("roadmap", "label", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("token",)

    def team_of(self, obj):
        return obj.roadmap.team
