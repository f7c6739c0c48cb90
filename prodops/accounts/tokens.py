"""API tokens: one per person, issued by the token endpoint, revocable by their owner, and
valid for API_TOKEN_TTL_HOURS after they were issued."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expires_at(token: Token) -> dt.datetime:
    """A token works until API_TOKEN_TTL_HOURS after it was issued."""
    return token.created + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_for(user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_token_issue(*, user) -> Token:
    """The person's token, or a new one when they have none or theirs has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expires_at(token) <= timezone.now():
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """The owner revokes their token; returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


class TokenExpired(AuthenticationFailed):
    """Always answered 401 with `WWW-Authenticate: Token` (prodops.core.api_errors), even
    where session authentication comes first and DRF would make it a 403."""

    default_detail = "This API token has expired; get a new one from POST /api/v1/auth/token/."


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused with 401 once the token has expired."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            raise TokenExpired()
        return user, token
