from django import forms

from prodops.accounts.models import Department, User
from prodops.core import limits

from .models import Objective


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
