from django import forms
from django.contrib import admin

from prodops.accounts.roles import Role
from prodops.accounts.scope import may_act_for_team
from prodops.admin_site import TeamScopedAdmin

from . import selectors
from .models import Cadence, ReminderDelivery, Review


class CadenceAdminForm(forms.ModelForm):
    class Meta:
        model = Cadence
        fields = (
            "kind",
            "target_type",
            "target_id",
            "title",
            "interval_days",
            "owner",
            "escalate_to",
            "url",
            "next_due_on",
            "active",
            "version",
        )

    def clean(self):
        """As in the app: the owner and escalation lead must be allowed to hold the review."""
        cleaned = super().clean()
        team = selectors.cadence_team(self.instance) if self.instance.pk else None
        for name in ("owner", "escalate_to"):
            person = cleaned.get(name)
            if person is not None and not may_act_for_team(person, team, minimum=Role.LEAD):
                whose = f"a lead of {team}" if team is not None else "a lead"
                self.add_error(
                    name, f"{person} cannot hold this review: choose {whose} or an admin."
                )
        return cleaned


@admin.register(Cadence)
class CadenceAdmin(TeamScopedAdmin):
    form = CadenceAdminForm
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

    def team_of(self, obj):
        return selectors.cadence_team(obj)


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
