"""Browser input for routing rules; the rules themselves live in the service."""

from django import forms

from prodops.accounts.models import Department

from ..models import Request


class RoutingRuleForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "Any category"), *Request.Category.choices],
        required=False,
        help_text="Empty matches every category.",
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        required=False,
        empty_label="Any department",
        help_text="Empty matches every department.",
    )
    team = forms.ModelChoiceField(queryset=None, label="Routes to team", empty_label=None)
    priority = forms.IntegerField(
        min_value=0,
        max_value=1000,
        initial=100,
        help_text="Lower wins among equally specific rules.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
