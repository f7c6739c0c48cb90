from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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
