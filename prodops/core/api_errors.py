from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """Domain errors keep their status and name the field; Django validation becomes 400; an
    expired API token is 401."""
    from prodops.accounts.tokens import TokenExpired

    if isinstance(exc, TokenExpired):
        return Response(
            {"detail": str(exc.detail)}, status=401, headers={"WWW-Authenticate": "Token"}
        )
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return drf_exception_handler(ValidationError(detail), context)
    return drf_exception_handler(exc, context)
