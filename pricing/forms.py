from django import forms

from prodops.core import limits

from .currencies import ISO_4217
from .models import BillingPeriod, Plan, PriceProposal, PricingReview

# A proposal form offers this many price rows; more plans are added through the API.
PROPOSAL_FORM_LINES = 3
CURRENCY_CHOICES = [(code, code) for code in sorted(ISO_4217)]


class ProposalForm(forms.ModelForm):
    """A price change proposal: the change itself, then the new prices (up to three rows)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
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
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "expected_effect": forms.Textarea(attrs={"rows": 2}),
            "notice_override_reason": forms.Textarea(attrs={"rows": 2}),
            "input_win_loss": forms.Textarea(attrs={"rows": 2}),
            "input_churn": forms.Textarea(attrs={"rows": 2}),
            "input_competitor": forms.Textarea(attrs={"rows": 2}),
            "input_usage": forms.Textarea(attrs={"rows": 2}),
            "input_links": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"notice_override_reason": "Reason to override the notice period"}
        help_texts = {
            "notice_override_reason": "Only when the effective date is inside the notice period."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = Plan.objects.exclude(status=Plan.Status.RETIRED).select_related("product")
        for i in range(PROPOSAL_FORM_LINES):
            required = i == 0
            self.fields[f"plan_{i}"] = forms.ModelChoiceField(
                plans, required=required, label=f"Plan {i + 1}"
            )
            self.fields[f"amount_{i}"] = forms.DecimalField(
                max_digits=12,
                decimal_places=2,
                min_value=0,
                required=required,
                label=f"New amount {i + 1}",
            )
            self.fields[f"currency_{i}"] = forms.ChoiceField(
                choices=CURRENCY_CHOICES, initial="EUR", label=f"Currency {i + 1}"
            )
            self.fields[f"billing_period_{i}"] = forms.ChoiceField(
                choices=BillingPeriod.choices, label=f"Billing period {i + 1}"
            )

    def lines(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "plan": data[f"plan_{i}"],
                "amount": data[f"amount_{i}"],
                "currency": data[f"currency_{i}"],
                "billing_period": data[f"billing_period_{i}"],
            }
            for i in range(PROPOSAL_FORM_LINES)
            if data.get(f"plan_{i}") and data.get(f"amount_{i}") is not None
        ]


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
