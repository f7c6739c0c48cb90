from django import forms

from prodops.accounts.models import User
from prodops.accounts.roles import Role
from prodops.core import limits

from .models import DEFAULT_VERIFY_INTERVAL_DAYS, Doc

_TEAM = [Role.MEMBER, Role.LEAD, Role.ADMIN]


class DocForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        max_length=limits.MARKDOWN,
        help_text="Markdown.",
    )
    audience = forms.ChoiceField(choices=Doc.Audience.choices, initial=Doc.Audience.TEAM)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=_TEAM), required=False
    )
    reviewer = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label="Any lead",
        help_text="Besides a lead, the one person who may publish it.",
    )
    tags = forms.CharField(max_length=300, required=False, help_text="Separated by commas.")
    verify_interval_days = forms.IntegerField(
        min_value=1,
        max_value=730,
        initial=DEFAULT_VERIFY_INTERVAL_DAYS,
        label="Verify every (days)",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
