"""Admin for intake. A field that only a service may change is read-only here, and the rows
whose writes keep counts and links right (votes, watchers, comments) are shown, never edited:
the rules hold the same in the browser, the API and the admin."""

from django import forms
from django.contrib import admin

from prodops.admin_site import TabularInline
from prodops.core.errors import ValidationFailed

from . import services
from .models import Comment, Request, RoutingRule, StatusChange, Vote, Watcher
from .routing import services as routing_services
from .scoring_admin import ReadOnlyAdmin  # importing it also registers the scoring admin


class StatusChangeInline(TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "reason", "actor", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RequestAdminForm(forms.ModelForm):
    # The version the admin loaded; a save over a newer change is refused, as in the app.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Request
        fields = services.EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None and loaded != self.instance.version:
            raise forms.ValidationError(
                "Someone else changed this request since you opened it. Reload to see their "
                "change, then try again."
            )
        return cleaned

    def clean_desired_date(self):
        value = self.cleaned_data["desired_date"]
        try:
            services.desired_date_check(value, previous=self.instance.desired_date)
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error
        return value


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    """Requests as the team edits them in the app: the requester's fields change through
    request_update (versioned, in the activity trail); everything else is read-only."""

    form = RequestAdminForm
    list_display = (
        "id",
        "title",
        "status",
        "department",
        "team",
        "requester",
        "assignee",
        "vote_count",
        "created_at",
    )
    list_filter = ("status", "category", "audience", "department", "team")
    list_select_related = ("department", "team", "requester", "assignee")
    search_fields = ("title",)
    # Each of these changes through a service: status and its reason and revisit date through
    # the lifecycle, the assignee through request_assign, the merge link through request_merge
    # and request_reopen, the team through request_set_team (triage, logged on the timeline),
    # the vote count through voting, the objective through request_update
    # (it moves the score) and the score through re-scoring. The requester and the source
    # record who asked and how the request came in.
    readonly_fields = (
        "requester",
        "source",
        "status",
        "status_reason",
        "revisit_on",
        "first_triaged_at",
        "assignee",
        "team",
        "merged_into",
        "objective",
        "vote_count",
        "score",
        "version",
    )
    inlines = [StatusChangeInline]

    def has_add_permission(self, request) -> bool:
        # Requests are submitted in the app or the API, which make the requester a watcher and
        # start the activity trail.
        return False

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name != "loaded_version"
        }
        loaded = form.cleaned_data.get("loaded_version")
        services.request_update(
            request=obj,
            actor=request.user,
            expected_version=loaded if loaded is not None else obj.version,
            **changes,
        )


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("request", "voter", "note", "created_at")
    list_select_related = ("request", "voter")


@admin.register(Watcher)
class WatcherAdmin(ReadOnlyAdmin):
    list_display = ("request", "user", "created_at")
    list_select_related = ("request", "user")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("request", "author", "is_internal", "created_at")
    list_select_related = ("request", "author")
    search_fields = ("body",)


class RoutingRuleAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RoutingRule
        fields = ("category", "department", "team", "priority")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def validate_unique(self):
        # The service's check below names the clashing rule; the model's would only repeat it.
        pass

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None and loaded != self.instance.version:
            raise forms.ValidationError(
                "Someone else changed this rule since you opened it. Reload to see their "
                "change, then try again."
            )
        if self.errors:
            return cleaned
        try:
            routing_services.routing_rule_check(
                team=cleaned.get("team"),
                category=cleaned.get("category"),
                department=cleaned.get("department"),
                priority=cleaned.get("priority"),
                exclude_pk=self.instance.pk,
            )
        except ValidationFailed as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Routing rules, written through the same services as the app (versioned, in the activity
    trail, the same input rules)."""

    form = RoutingRuleAdminForm
    list_display = ("id", "category", "department", "team", "priority")
    list_filter = ("team", "category", "department")
    list_select_related = ("team", "department")

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in ("category", "department", "team", "priority")
        }
        if change:
            loaded = form.cleaned_data.get("loaded_version")
            saved = routing_services.routing_rule_update(
                rule=obj,
                actor=request.user,
                expected_version=loaded if loaded is not None else obj.version,
                **fields,
            )
        else:
            saved = routing_services.routing_rule_create(actor=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        routing_services.routing_rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            routing_services.routing_rule_delete(rule=rule, actor=request.user)
