"""Admin for assessments and the scoring model: read-only, because their rules (one per member,
history, re-scoring every request) live in intake.scoring_services and hold the same in the
browser, the API and the admin. Change them through the app or the API."""

from django.contrib import admin

from prodops.admin_site import TabularInline

from .assessments import Assessment, AssessmentRevision, RequestScore, ScoringModel


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RevisionInline(TabularInline):
    model = AssessmentRevision
    extra = 0
    readonly_fields = ("editor", "values", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = (
        "request",
        "assessor",
        "impact",
        "feasibility",
        "effort_days",
        "confidence",
        "version",
    )
    list_select_related = ("request", "assessor")
    search_fields = ("request__title", "assessor__username")
    inlines = [RevisionInline]


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "impact_weight",
        "feasibility_weight",
        "cost_weight",
        "alignment_factor",
        "cost_band_edges",
        "version",
    )


@admin.register(RequestScore)
class RequestScoreAdmin(ReadOnlyAdmin):
    list_display = ("request", "assessment_count", "mean_impact", "mean_feasibility", "mean_effort")
    list_select_related = ("request",)
