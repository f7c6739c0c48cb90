"""Browser forms for scoring. They parse input; the rules live in the services."""

from decimal import Decimal

from django import forms

from outcomes.models import Objective
from prodops.accounts.models import Department
from prodops.core import limits

from . import scoring
from .assessments import Assessment, ScoringModel
from .models import Request, RequestStatus
from .scoring_selectors import BACKLOG_STATUSES, NO_OBJECTIVE

SCALE = [(n, str(n)) for n in range(1, 6)]
# A new assessment starts with nothing picked, so no score is submitted by accident.
SCALE_WITH_BLANK = [("", "Choose 1–5"), *SCALE]


class AssessmentForm(forms.Form):
    feasibility = forms.TypedChoiceField(
        choices=SCALE_WITH_BLANK,
        coerce=int,
        help_text="5 = doable with today's tools, skills and data; 1 = we cannot do it today.",
    )
    effort_days = forms.DecimalField(
        label="Effort (person-days)",
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        help_text="Mapped to a cost band by the scoring model's band edges.",
    )
    impact = forms.TypedChoiceField(
        choices=SCALE_WITH_BLANK, coerce=int, help_text="1–5 on the linked objective."
    )
    reach = forms.IntegerField(
        required=False, min_value=1, help_text="People or accounts affected (optional)."
    )
    confidence = forms.TypedChoiceField(
        choices=Assessment.Confidence.choices, coerce=int, initial=Assessment.Confidence.MEDIUM
    )
    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.REASON
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ScoringModelForm(forms.Form):
    kind = forms.ChoiceField(label="Model", choices=ScoringModel.Kind.choices)
    impact_weight = forms.DecimalField(min_value=0, max_digits=5, decimal_places=2)
    feasibility_weight = forms.DecimalField(min_value=0, max_digits=5, decimal_places=2)
    cost_weight = forms.DecimalField(
        min_value=0, max_digits=5, decimal_places=2, help_text="Weight of (6 − cost band)."
    )
    alignment_factor = forms.DecimalField(
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        help_text="Multiplier for requests not linked to an active objective (0–1).",
    )
    band_1 = forms.DecimalField(label="Band 1 up to (days)", max_digits=6, decimal_places=1)
    band_2 = forms.DecimalField(label="Band 2 up to (days)", max_digits=6, decimal_places=1)
    band_3 = forms.DecimalField(label="Band 3 up to (days)", max_digits=6, decimal_places=1)
    band_4 = forms.DecimalField(
        label="Band 4 up to (days)",
        max_digits=6,
        decimal_places=1,
        help_text="Anything above is band 5.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    BAND_FIELDS = ("band_1", "band_2", "band_3", "band_4")

    @classmethod
    def initial_for(cls, model: ScoringModel) -> dict:
        edges = list(model.cost_band_edges or scoring.DEFAULT_BAND_EDGES)
        initial = {
            "kind": model.kind,
            "impact_weight": model.impact_weight,
            "feasibility_weight": model.feasibility_weight,
            "cost_weight": model.cost_weight,
            "alignment_factor": model.alignment_factor,
            "version": model.version,
        }
        initial.update(dict(zip(cls.BAND_FIELDS, edges, strict=False)))
        return initial

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "impact_weight": data["impact_weight"],
            "feasibility_weight": data["feasibility_weight"],
            "cost_weight": data["cost_weight"],
            "alignment_factor": data["alignment_factor"],
            "cost_band_edges": [data[name] for name in self.BAND_FIELDS],
        }


class BacklogFilterForm(forms.Form):
    """Backlog filters, shared by the page, the CSV export and the API."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label="All"
    )
    objective = forms.CharField(required=False, max_length=limits.SEARCH)
    audience = forms.ChoiceField(
        label="For whom", choices=[("", "All"), *Request.Audience.choices], required=False
    )
    category = forms.ChoiceField(choices=[("", "All"), *Request.Category.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Scored and accepted")]
        + [(s.value, s.label) for s in RequestStatus if s in BACKLOG_STATUSES],
        required=False,
    )

    def clean_objective(self):
        value = (self.cleaned_data.get("objective") or "").strip()
        if not value or value == NO_OBJECTIVE:
            return value or None
        # isdecimal, not isdigit: "²" is a digit that no id is made of.
        if not value.isdecimal() or not Objective.objects.filter(pk=int(value)).exists():
            raise forms.ValidationError("Choose an objective from the list.")
        return int(value)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "department": data.get("department"),
            "objective": data.get("objective"),
            "audience": data.get("audience") or None,
            "category": data.get("category") or None,
            "status": data.get("status") or None,
        }


class DecisionForm(forms.Form):
    """A lead's inline decision on a backlog row."""

    to = forms.ChoiceField(
        choices=[
            (RequestStatus.ACCEPTED, "Accept"),
            (RequestStatus.DECLINED, "Decline"),
            (RequestStatus.SCORED, "Back to scored"),
        ]
    )
    reason = forms.CharField(required=False, max_length=limits.REASON)
    version = forms.IntegerField(required=False)
    rank = forms.IntegerField(required=False, min_value=1)
    next = forms.CharField(required=False, max_length=limits.REASON)
