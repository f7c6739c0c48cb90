from decimal import Decimal

from django import forms

from outcomes.models import Objective
from prodops.accounts.models import Team, User
from prodops.core import limits

from . import rules
from .models import Lane, RoadmapItem, UnplannedEntry

# Every edit form carries the version it was loaded at; without it a save could overwrite a
# change made since.
RELOAD = {"required": "Reload the page and make the change again: the form lost its version."}


class RoadmapCreateForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), empty_label="Choose a team"
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams

    period = forms.CharField(max_length=7, help_text="A quarter like 2027-Q1.")
    buffer_percent = forms.DecimalField(
        label="Buffer (%)",
        initial=25,
        max_digits=4,
        decimal_places=1,
        help_text="20–30 % of capacity kept free for unplanned work.",
    )


class RoadmapSettingsForm(forms.Form):
    buffer_percent = forms.DecimalField(
        label="Buffer (%)",
        max_digits=4,
        decimal_places=1,
        help_text="20–30 % of capacity kept free for unplanned work.",
    )
    notes = forms.CharField(
        label="Internal notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.NOTES,
    )
    override_reason = forms.CharField(
        max_length=limits.REASON,
        label="Over-commit reason",
        required=False,
        help_text="Only if the change leaves planned above plannable: why the lead accepts it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, capacity_rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity_fields = []
        for row in capacity_rows:
            name = f"capacity_{row['user'].pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{row['user'].display_name} (default {row['default_days']} d)",
                required=False,
                min_value=0,
                max_value=92,
                decimal_places=1,
                initial=row["override_days"],
                help_text="Leave empty to use capacity × allocation.",
            )
            self.capacity_fields.append((row["user"].pk, name))

    def overrides(self) -> dict:
        return {pk: self.cleaned_data.get(name) for pk, name in self.capacity_fields}


class CadenceForm(forms.Form):
    interval_days = forms.IntegerField(label="Review every (days)", min_value=1, max_value=366)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, empty_label="Nobody"
    )
    next_due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)


def _month_choices(months):
    return [("", "No month yet")] + [(m.isoformat(), m.strftime("%b %Y")) for m in months]


class _ItemFields(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="The team's own name.")
    public_title = forms.CharField(label="Stakeholder-facing title", max_length=200, required=False)
    public_summary = forms.CharField(
        label="Stakeholder-facing summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.REASON,
    )
    internal_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=limits.NOTES
    )
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.filter(status=Objective.Status.ACTIVE).order_by("title"),
        required=False,
        empty_label="No objective",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody"
    )
    lane = forms.ChoiceField(choices=Lane.choices, initial=Lane.NEXT)
    start_month = forms.ChoiceField(label="First month", required=False)
    end_month = forms.ChoiceField(label="Last month", required=False)
    visibility = forms.ChoiceField(choices=RoadmapItem.Visibility.choices)
    override_reason = forms.CharField(
        max_length=limits.REASON,
        label="Over-commit reason (leads)",
        required=False,
        help_text="Only to plan beyond plannable: why the lead accepts the over-commit.",
    )

    def __init__(self, *args, roadmap, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = roadmap.team.members.order_by("username")
        self.fields["start_month"].choices = _month_choices(months)
        self.fields["end_month"].choices = _month_choices(months)

    def item_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("start_month", "end_month"):
            data[name] = data.get(name) or None
        return data


class ItemCreateForm(_ItemFields):
    requests = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Accepted requests this item delivers; planning moves them to planned.",
    )
    estimate_days = forms.DecimalField(
        label="Estimate (person-days)",
        required=False,
        decimal_places=1,
        help_text="Leave empty to use the mean assessed effort.",
    )
    field_order = ["requests", "title", "estimate_days", "objective", "owner", "lane"]

    def __init__(self, *args, plannable_requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = plannable_requests
        self.fields["requests"].label_from_instance = request_with_estimate


def mean_estimate_days(request) -> Decimal | None:
    """A request's mean assessed effort, to one decimal (None when nobody assessed it)."""
    record = getattr(request, "score_record", None)
    if record is None or not record.assessment_count:
        return None
    return rules.round_days(record.mean_effort)


def request_with_estimate(request) -> str:
    """A plannable request as the plan form lists it: number, title and mean estimate."""
    mean = mean_estimate_days(request)
    if mean is None:
        return f"#{request.pk} {request.title} · not assessed"
    return f"#{request.pk} {request.title} · mean estimate {mean} d"


class ItemEditForm(_ItemFields):
    estimate_days = forms.DecimalField(label="Estimate (person-days)", decimal_places=1)
    status = forms.ChoiceField(choices=RoadmapItem.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)
    field_order = ["title", "estimate_days", "status", "objective", "owner", "lane"]


class ItemPeriodForm(forms.Form):
    """Leads: move an item, with its requests, to another quarter of the same team."""

    to_roadmap = forms.ModelChoiceField(
        label="Move to quarter",
        queryset=None,
        empty_label="Choose a quarter",
        help_text="The month span belongs to this quarter and is cleared.",
    )
    override_reason = forms.CharField(
        max_length=limits.REASON,
        label="Over-commit reason",
        required=False,
        help_text="Only if the item does not fit that quarter's plannable days.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, roadmaps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_roadmap"].queryset = roadmaps
        self.fields["to_roadmap"].label_from_instance = lambda roadmap: roadmap.period


class ItemRequestsForm(forms.Form):
    """Leads: which requests the item delivers."""

    requests = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Added requests are planned with the item; removed ones go back to accepted.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = choices


class UnplannedForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.DecimalField(label="Person-days", decimal_places=1, min_value=0.1)
    what = forms.CharField(max_length=300)
    requested_by = forms.CharField(label="Who asked", max_length=200)
    category = forms.ChoiceField(
        choices=UnplannedEntry.Category.choices,
        initial=UnplannedEntry.Category.OTHER,
        required=False,
        help_text="What kind of interruption it was.",
    )

    def clean_category(self) -> str:
        # Left out (an older form, a script), it is "other", as in the API.
        return self.cleaned_data.get("category") or UnplannedEntry.Category.OTHER


class ShareLinkForm(forms.Form):
    label = forms.CharField(max_length=120, required=False, help_text="Who the link is for.")
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the link stops working after this day.",
    )


class ReviewForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=limits.NOTES
    )


class SnapshotForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)
