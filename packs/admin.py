from django.contrib import admin

from .models import PackShareLink, ReviewPack


@admin.register(ReviewPack)
class ReviewPackAdmin(admin.ModelAdmin):
    """Read-only here: packs are written in the app, where versions and the freeze hold. A
    draft started by mistake may be deleted; a final pack may not."""

    list_display = ("period", "team", "status", "version", "finalized_at")
    list_filter = ("status", "period")
    readonly_fields = [f.name for f in ReviewPack._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_final


@admin.register(PackShareLink)
class PackShareLinkAdmin(admin.ModelAdmin):
    list_display = ("pack", "label", "expires_at", "revoked_at", "created_at")
    readonly_fields = ("pack", "token", "label", "created_by", "created_at", "expires_at")

    def has_add_permission(self, request):
        return False
