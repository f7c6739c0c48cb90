from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .models import DEFAULT_QUARTER_CAPACITY_DAYS, Team, TeamMembership, User
from .signin import (
    client_address,
    locked_message,
    signin_failed,
    signin_locked_seconds,
    signin_succeeded,
)


class SignInForm(AuthenticationForm):
    """The login form, under the sign-in lockout of prodops.accounts.signin."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        if wait := signin_locked_seconds(username=username, address=address):
            raise ValidationError(locked_message(wait), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failed(username=username, address=address)
            raise
        signin_succeeded(username=username)
        return cleaned


class MembershipForm(forms.Form):
    """A person's place on a team: capacity at 100 % and the share of it the team gets."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), empty_label="Choose a team"
    )
    capacity_days = forms.DecimalField(
        label="Capacity (person-days per quarter at 100 %)",
        min_value=0,
        max_value=92,
        decimal_places=1,
        initial=DEFAULT_QUARTER_CAPACITY_DAYS,
    )
    allocation_percent = forms.IntegerField(
        label="Allocation to this team (%)", min_value=0, max_value=100, initial=100
    )
    remove = forms.BooleanField(label="Take this person off the team", required=False)

    def __init__(self, *args, membership: TeamMembership | None = None, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.person = person
        if membership is not None:
            del self.fields["team"]
        else:
            del self.fields["remove"]
            self.fields["team"].queryset = Team.objects.exclude(memberships__user=person).order_by(
                "name"
            )

    @property
    def target_team(self) -> Team:
        return self.membership.team if self.membership else self.cleaned_data["team"]

    def quarter_days_after(self) -> Decimal | None:
        """The person's quarter capacity on the team once saved (None: off the team); the
        rule itself is TeamMembership.quarter_capacity_days."""
        if self.cleaned_data.get("remove"):
            return None
        return TeamMembership(
            capacity_days=self.cleaned_data["capacity_days"],
            allocation_percent=self.cleaned_data["allocation_percent"],
        ).quarter_capacity_days
