from django import forms

from intake.models import Request, RequestStatus
from prodops.core import limits


class PackCreateForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Whole organisation",
        help_text="Leave as the whole organisation for the organisation's pack (admins).",
    )
    period = forms.CharField(max_length=7, help_text="A quarter like 2026-Q3.")

    def __init__(self, *args, teams, allow_org: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if not allow_org:
            self.fields["team"].required = True
            self.fields["team"].empty_label = None
            self.fields["team"].help_text = ""


class WriteUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(
        required=False,
        max_length=limits.MARKDOWN,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. What happened this quarter, in the team's words.",
    )
    decisions = forms.CharField(
        required=False,
        max_length=limits.MARKDOWN,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown.",
    )
    internal_notes = forms.CharField(
        required=False,
        max_length=limits.NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the team only; never shown to stakeholders.",
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the frozen figures need another look; kept in the pack's history.",
    )


class CommitmentForm(forms.Form):
    title = forms.CharField(label="Commitment", max_length=200)
    request = forms.ModelChoiceField(
        queryset=Request.objects.none(),
        required=False,
        empty_label="No request",
        help_text="The accepted request it plans, so it can go on next quarter's roadmap.",
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        if team is not None:
            self.fields["request"].queryset = Request.objects.filter(
                team=team, status=RequestStatus.ACCEPTED
            ).order_by("-created_at")[:200]


class ShareLinkForm(forms.Form):
    label = forms.CharField(max_length=120, required=False)
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The link stops working after this day.",
    )
