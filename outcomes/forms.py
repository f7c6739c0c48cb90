from django import forms

from prodops.accounts.models import Department, Team, User
from prodops.core import limits

from .models import Coalition, Metric, Objective, Revisit


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=limits.MARKDOWN
    )
    level = forms.ChoiceField(choices=Objective.Level.choices)
    parent = forms.ModelChoiceField(
        queryset=Objective.objects.filter(level=Objective.Level.BUSINESS),
        required=False,
        empty_label="Nothing (a business objective)",
        label="Rolls up to",
        help_text="Required for a department objective: the business objective it serves.",
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="No department"
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, empty_label="Nobody"
    )
    period = forms.CharField(max_length=7, help_text="A quarter like 2027-Q1 or a year like 2027.")
    status = forms.ChoiceField(choices=Objective.Status.choices, initial=Objective.Status.ACTIVE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MetricForm(forms.Form):
    name = forms.CharField(max_length=200)
    unit = forms.CharField(max_length=30, help_text="What a value counts: %, €, days, signups.")
    direction = forms.ChoiceField(choices=Metric.Direction.choices)
    baseline_value = forms.DecimalField(max_digits=16, decimal_places=4)
    baseline_on = forms.DateField(
        label="Baseline date", widget=forms.DateInput(attrs={"type": "date"})
    )
    target_value = forms.DecimalField(max_digits=16, decimal_places=4)
    target_on = forms.DateField(label="Target date", widget=forms.DateInput(attrs={"type": "date"}))
    objective = forms.ModelChoiceField(queryset=Objective.objects.order_by("title"))
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="No team",
        help_text="Its members record the measurements.",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, empty_label="Nobody"
    )
    guardrail = forms.ModelChoiceField(
        queryset=Metric.objects.order_by("name"),
        required=False,
        empty_label="None",
        help_text="A metric that must not get worse while this one moves.",
    )
    cadence = forms.ChoiceField(choices=Metric.Cadence.choices, label="Measured")
    source_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.NOTES,
        help_text="Where the number comes from. Internal: stakeholders do not see it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(max_digits=16, decimal_places=4)
    note = forms.CharField(max_length=500, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A CSV file: date,value[,note] per line.")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Or paste the rows",
        help_text="2026-03-01,12.5,after the price change",
    )

    def csv_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read().decode("utf-8-sig", errors="replace")
        return self.cleaned_data.get("text") or ""


class RevisitForm(forms.Form):
    outcome = forms.ChoiceField(choices=Revisit.Outcome.choices, widget=forms.RadioSelect)
    observed_change = forms.DecimalField(
        max_digits=16,
        decimal_places=4,
        required=False,
        help_text="In the metric's unit, signed; needed when it moved.",
    )
    impact_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON,
        help_text="Like “trial-to-paid +1.2 pts since X shipped”.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CoalitionForm(forms.Form):
    name = forms.CharField(max_length=200)
    charter = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.MARKDOWN,
        help_text="Why the group exists and what it owns. Markdown.",
    )
    status = forms.ChoiceField(choices=Coalition.Status.choices)
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label="Nobody",
        help_text="Gets the meeting reminders.",
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("department"),
        help_text="From at least two departments.",
    )
    metrics = forms.ModelMultipleChoiceField(
        queryset=Metric.objects.order_by("name"), required=False, label="Shared metrics"
    )
    review_on = forms.DateField(
        label="Review or end date", widget=forms.DateInput(attrs={"type": "date"})
    )
    meeting_interval_days = forms.IntegerField(
        min_value=1, max_value=366, initial=14, label="Meet every (days)"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=forms.DateInput(attrs={"type": "date"}))
    decisions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=limits.MARKDOWN
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=limits.MARKDOWN
    )


class ContributionForm(forms.Form):
    """What work is expected to move a metric. On a metric page the work is chosen (a roadmap
    item, or a request by number); on an item's page the metric is; editing changes neither
    the work nor, unless chosen, the metric."""

    metric = forms.ModelChoiceField(
        queryset=Metric.objects.filter(archived_at__isnull=True).order_by("name"),
        empty_label="Choose a metric",
    )
    roadmap_item = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No roadmap item", label="Roadmap item"
    )
    request = forms.IntegerField(
        required=False,
        min_value=1,
        label="Or request number",
        help_text="For a request on no roadmap item, like 123.",
    )
    expected_change = forms.DecimalField(
        max_digits=16,
        decimal_places=4,
        label="Expected change",
        help_text="In the metric's unit, signed: +2 or −0.5.",
    )
    expected_by = forms.DateField(
        label="Expected by", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, mode: str, items=None, **kwargs):
        # Own ids: the metric page also holds the measurement form, and the add form sits
        # beside an edit form.
        kwargs.setdefault("auto_id", "id_edit_%s" if mode == "edit" else "id_contribution_%s")
        super().__init__(*args, **kwargs)
        if mode == "metric":
            del self.fields["metric"]
            self.fields["roadmap_item"].queryset = items
        else:
            del self.fields["roadmap_item"]
            del self.fields["request"]
        if mode == "edit":
            self.fields["metric"].required = False
            self.fields["metric"].empty_label = "Keep the metric"
        else:
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        if "roadmap_item" in self.fields:
            item, number = data.get("roadmap_item"), data.get("request")
            if (item is None) == (number is None) and "request" not in self.errors:
                self.add_error(
                    "roadmap_item", "Choose a roadmap item or give a request number, not both."
                )
        return data
