from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from prodops.admin_site import TabularInline
from roadmap.services import roadmap_capacity_recheck

from . import services
from .models import Department, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "department",
        "is_active",
    )
    list_filter = ("role", "department", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        ("Role and department", {"fields": ("role", "department", "title", "email_notifications")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    # Set by sign-ins and sign-up, not by hand.
    readonly_fields = ("last_login", "date_joined")
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role")}),
    )


class LoadedVersionForm(forms.ModelForm):
    """Carries the version the admin loaded; a save over a newer change is refused with a
    message, as in the API (same rule: accounts.services._check_version)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None and loaded != self.instance.version:
            raise forms.ValidationError(
                "Someone else changed this since you opened it. Reload to see their change, "
                "then try again."
            )
        return cleaned


class _VersionedAdmin(admin.ModelAdmin):
    """Saves go through the service (validation, version) rather than a bare model save."""

    form = LoadedVersionForm
    readonly_fields = ("version",)

    def _expected_version(self, obj, form):
        loaded = form.cleaned_data.get("loaded_version")
        return loaded if loaded is not None else obj.version


@admin.register(Department)
class DepartmentAdmin(_VersionedAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    # Liaisons are a plain multiple select: the two-pane filter widget's search icons carry ARIA
    # that is not allowed on them, which screen readers then misread.

    def save_model(self, request, obj, form, change):
        services.department_save(
            department=obj, expected_version=self._expected_version(obj, form) if change else None
        )


class MembershipInline(TabularInline):
    model = TeamMembership
    extra = 1


@admin.register(Team)
class TeamAdmin(_VersionedAdmin):
    list_display = ("name", "lead")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        services.team_save(
            team=obj, expected_version=self._expected_version(obj, form) if change else None
        )

    def save_related(self, request, form, formsets, change):
        """Memberships carry the capacity roadmaps plan against. The admin cannot refuse a
        change the way the roadmap's commitment check does, so a change that leaves a current
        or future roadmap over-committed is called out with the numbers."""
        super().save_related(request, form, formsets, change)
        for roadmap, figures in roadmap_capacity_recheck(team=form.instance):
            messages.warning(
                request,
                f"{roadmap} is now over-committed: {figures.planned_days} person-days planned "
                f"of {figures.plannable_days} plannable ({figures.over_days} over). Lower "
                "estimates or move work out on the roadmap, or have a lead record an override "
                "in its buffer and capacity settings.",
            )
