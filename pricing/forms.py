from django import forms

from outcomes.models import Metric
from prodops.core import limits

from .currencies import ISO_4217
from .models import BillingPeriod, Plan, PriceProposal, PricingReview

# A proposal form starts with one price row per plan it changes (one for a new proposal);
# rows are added and removed on the page, up to this many (the API takes any number).
PROPOSAL_FORM_MAX_LINES = 50
LINE_FIELDS = ("plan", "amount", "currency", "billing_period")
CURRENCY_CHOICES = [(code, code) for code in sorted(ISO_4217)]


class ProposalForm(forms.ModelForm):
    """A price change proposal: the change itself, then its new prices, one row each
    (`plan_<i>`, `amount_<i>`, `currency_<i>`, `billing_period_<i>`; `rows` says how many).
    The form only reads the fields; the services decide and write."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    rows = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    metric_url = forms.URLField(
        label="Metric link",
        required=False,
        assume_scheme="https",
        help_text="Where the outcome metric is tracked.",
    )

    class Meta:
        model = PriceProposal
        fields = [
            "title",
            "effective_on",
            "rationale",
            "expected_effect",
            "metric",
            "expected_change",
            "expected_by",
            "affected_customers",
            "grandfathering",
            "grandfathered_until",
            "notice_override_reason",
            "input_win_loss",
            "input_churn",
            "input_competitor",
            "input_usage",
            "input_links",
        ]
        widgets = {
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "grandfathered_until": forms.DateInput(attrs={"type": "date"}),
            "expected_by": forms.DateInput(attrs={"type": "date"}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "expected_effect": forms.Textarea(attrs={"rows": 2}),
            "notice_override_reason": forms.Textarea(attrs={"rows": 2}),
            "input_win_loss": forms.Textarea(attrs={"rows": 2}),
            "input_churn": forms.Textarea(attrs={"rows": 2}),
            "input_competitor": forms.Textarea(attrs={"rows": 2}),
            "input_usage": forms.Textarea(attrs={"rows": 2}),
            "input_links": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "notice_override_reason": "Reason to override the notice period",
            "expected_effect": "Expected effect (in words)",
            "metric": "Outcome metric",
            "expected_change": "Expected change of the metric",
            "expected_by": "Expected by",
        }
        help_texts = {
            "notice_override_reason": "Only when the effective date is inside the notice period.",
            "expected_change": "In the metric's unit, signed, from its value on the effective "
            "date. The post-change review compares it with the measurements.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = Metric.objects.order_by("name", "id")
        self.line_count = self._line_count()
        plans = Plan.objects.exclude(status=Plan.Status.RETIRED).select_related("product")
        for i in range(self.line_count):
            self.fields[f"plan_{i}"] = forms.ModelChoiceField(plans, label=f"Plan {i + 1}")
            self.fields[f"amount_{i}"] = forms.DecimalField(
                max_digits=12, decimal_places=2, min_value=0, label=f"New amount {i + 1}"
            )
            self.fields[f"currency_{i}"] = forms.ChoiceField(
                choices=CURRENCY_CHOICES, initial="EUR", label=f"Currency {i + 1}"
            )
            self.fields[f"billing_period_{i}"] = forms.ChoiceField(
                choices=BillingPeriod.choices, label=f"Billing period {i + 1}"
            )

    def _line_count(self) -> int:
        raw = self.data.get("rows") if self.is_bound else self.initial.get("rows")
        try:
            count = int(raw)
        except (TypeError, ValueError):
            count = 1
        return min(max(count, 1), PROPOSAL_FORM_MAX_LINES)

    def _post_clean(self):
        # The services validate the proposal as a whole (notice, grandfathering, metric) and
        # write it; the form never saves, so the model's own validation would only repeat
        # those refusals in other words.
        pass

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.split("_")[-1].isdigit()]

    @property
    def line_rows(self) -> list[list]:
        return [[self[f"{name}_{i}"] for name in LINE_FIELDS] for i in range(self.line_count)]

    def lines(self) -> list[dict]:
        data = self.cleaned_data
        return [{name: data[f"{name}_{i}"] for name in LINE_FIELDS} for i in range(self.line_count)]

    @staticmethod
    def initial_for(proposal: PriceProposal) -> dict:
        """What the edit form starts from: the proposal's fields, version and price rows."""
        lines = list(proposal.lines.all())
        initial = {"version": proposal.version, "rows": max(len(lines), 1)}
        for i, line in enumerate(lines):
            initial |= {
                f"plan_{i}": line.plan_id,
                f"amount_{i}": line.amount,
                f"currency_{i}": line.currency,
                f"billing_period_{i}": line.billing_period,
            }
        return initial


def rows_changed(data, *, add: bool = False, remove: int | None = None) -> dict:
    """The form's data as typed, with a blank price row added at the end or row `remove`
    taken out (the rows after it move up one): nothing typed elsewhere is lost."""
    data = data.copy()
    try:
        count = min(max(int(data.get("rows", 1)), 1), PROPOSAL_FORM_MAX_LINES)
    except (TypeError, ValueError):
        count = 1
    if add and count < PROPOSAL_FORM_MAX_LINES:
        data[f"currency_{count}"] = data.get(f"currency_{count - 1}", "EUR")
        data[f"billing_period_{count}"] = data.get(f"billing_period_{count - 1}", "month")
        count += 1
    if remove is not None and 0 <= remove < count and count > 1:
        for i in range(remove, count - 1):
            for name in LINE_FIELDS:
                data[f"{name}_{i}"] = data.get(f"{name}_{i + 1}", "")
        for name in LINE_FIELDS:
            data.pop(f"{name}_{count - 1}", None)
        count -= 1
    data["rows"] = str(count)
    return data


class ReviewForm(forms.Form):
    """A held pricing review; with a new amount and date it also drafts the proposal."""

    decision = forms.ChoiceField(choices=PricingReview.Decision.choices)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.REASON)
    input_win_loss = forms.CharField(
        label="Win/loss notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NOTES,
    )
    input_churn = forms.CharField(
        label="Churn notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NOTES,
    )
    input_competitor = forms.CharField(
        label="Competitor notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NOTES,
    )
    input_usage = forms.CharField(
        label="Usage notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NOTES,
    )
    new_amount = forms.DecimalField(
        label="New amount (opens a proposal)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
    )
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="EUR")
    billing_period = forms.ChoiceField(choices=BillingPeriod.choices)
    effective_on = forms.DateField(
        label="Effective on (for the proposal)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
