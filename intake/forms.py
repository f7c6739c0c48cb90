"""Browser input for intake. Forms only parse and name fields; the rules live in services."""

from django import forms

from outcomes.models import Objective
from prodops.accounts.models import Department, Team
from prodops.core import limits

from .models import Request, RequestStatus
from .selectors import team_people


class DateInput(forms.DateInput):
    input_type = "date"


class RequestForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-similar-source": ""}),
        help_text="One line that says what you need.",
    )
    description = forms.CharField(
        max_length=limits.MARKDOWN,
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Markdown. What problem does it solve, for whom, and how will you know it worked?",
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="No department"
    )
    audience = forms.ChoiceField(
        label="For whom", choices=Request.Audience.choices, initial=Request.Audience.INTERNAL
    )
    category = forms.ChoiceField(choices=Request.Category.choices, initial=Request.Category.OTHER)
    desired_date = forms.DateField(required=False, widget=DateInput)
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.filter(status=Objective.Status.ACTIVE),
        required=False,
        empty_label="No objective",
        label="Linked objective",
        help_text="Optional: the business or department objective this helps.",
    )
    visible_to_stakeholders = forms.BooleanField(
        required=False,
        initial=True,
        label="Visible to other stakeholders",
        help_text="They can then find it and vote on it instead of filing it again.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# Moves and assignments carry the request's version the page was loaded at: without it a
# change could overwrite one made since.
RELOAD = {"required": "Reload the page and try again: the form lost the request's version."}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="Move to", choices=RequestStatus.choices)
    reason = forms.CharField(
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to decline, deflect or ask for information.",
    )
    revisit_on = forms.DateField(
        required=False, widget=DateInput, label="Revisit on", help_text="Required to park."
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="Keep the current team",
        help_text="Needed from triaged on; empty keeps the current team.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)


class TeamForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="No team"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=team_people(), required=False, empty_label="Nobody")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown.",
    )
    is_internal = forms.BooleanField(
        required=False,
        label="Internal note (team only)",
        help_text="Never shown to stakeholders.",
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer", max_length=limits.COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )


class VoteForm(forms.Form):
    note = forms.CharField(max_length=500, required=False, label="Why it matters (optional)")


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label="Merge into request #", min_value=1, help_text="The request this one repeats."
    )


class SimilarForm(forms.Form):
    """What the similar-title search reads: the text typed (`q`, or `title` when the request
    form itself asks) and a request to leave out (the one being edited)."""

    q = forms.CharField(required=False, label="Search", max_length=limits.SEARCH)
    title = forms.CharField(required=False, max_length=limits.SEARCH)
    exclude = forms.IntegerField(required=False, min_value=1, label="Leave out request")

    def text(self) -> str:
        return self.cleaned_data["q"] or self.cleaned_data["title"]


class RequestIdsField(forms.Field):
    """Several request numbers from repeated inputs (`ids=3&ids=7`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            item = str(item).strip()
            # isdecimal, not isdigit: "²" is a digit that int() refuses.
            if not item.isdecimal():
                raise forms.ValidationError("Select requests by their numbers.")
            ids.append(int(item))
        return ids


class BulkForm(forms.Form):
    ids = RequestIdsField(required=False, label="Requests")
    to = forms.ChoiceField(
        choices=[("", "Keep the status"), *RequestStatus.choices], required=False, label="Status"
    )
    assignee = forms.CharField(
        required=False,
        label="Assign",
        help_text="Empty keeps the assignees, “none” unassigns, an id assigns that person.",
    )
    reason = forms.CharField(required=False, max_length=limits.REASON)
    revisit_on = forms.DateField(required=False, widget=DateInput)

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip()
        if value and value != "none" and not value.isdecimal():
            raise forms.ValidationError("Choose a team member.")
        return value
