"""The OpenAPI schema documents every error an operation can answer, with its body.

One rule, applied to every operation by method and shape instead of per view:

- 400 `ValidationError` when the operation takes input: a body (malformed JSON, a field
  that breaks a rule) or query parameters (filters and pagination are validated);
  also for DELETE, which services may refuse with a reason.
- 401 `ErrorDetail` when the operation needs a signed-in user (sent without credentials
  or with a wrong token).
- 403 `ErrorDetail` when a role rule applies, or the method writes (a session-signed
  write without a valid CSRF token is refused too).
- 404 `ErrorDetail` when the path names an object (it does not exist or is not visible to
  the caller) and for paginated lists (a page past the last one).
- 409 `EditConflict` when the body carries the `version` the client loaded and the object
  changed since.
- 415 `ErrorDetail` when there is a body sent with a content type other than JSON, form
  or multipart.
- 429 `ErrorDetail` when the view throttles.
- 503 `ErrorDetail` on every operation: the database does not answer.

The bodies are those of `prodops.core.api_errors.exception_handler`.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.serializers import BaseSerializer

from prodops.accounts.roles import Role

from .permissions import RolePermission, method_minimum

_MESSAGES = {"type": "array", "items": {"type": "string"}}

ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "A refusal that concerns the request as a whole.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "Input that was refused, nothing saved. Each key names the field at fault with "
            "its messages (nested fields give nested objects); `non_field_errors` holds "
            "messages about several fields together, `detail` one about the request as a "
            "whole (a body that is not valid JSON, a rule without a single field)."
        ),
        "properties": {"detail": {"type": "string"}, "non_field_errors": _MESSAGES},
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    },
    "EditConflict": {
        "type": "object",
        "description": (
            "The object changed since the client loaded the `version` it sent: reload, "
            "then try again."
        ),
        "properties": {"version": _MESSAGES},
        "required": ["version"],
    },
}

_DESCRIPTIONS = {
    "400": "Invalid input; the body names each field at fault.",
    "401": "Not signed in: no credentials, or credentials that are not valid.",
    "403": "Signed in, but the role or relation to the object does not allow this.",
    "404": "No such object, or not visible to the caller; for lists, no such page.",
    "409": "Stale write: the object changed since the version that was sent.",
    "415": "The body's content type is not accepted.",
    "429": "Too many requests; wait and try again.",
    "503": "The service cannot answer now (the database is not reachable).",
}

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class ProdopsAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses of `error_responses`."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, component in self.error_responses():
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": self._error_ref(component)}},
                    "description": _DESCRIPTIONS[code],
                },
            )
        return dict(sorted(responses.items()))

    def _map_basic_serializer(self, serializer, direction):
        """Fields a serializer leaves out for some roles (`omitted_for_some_roles`) are
        documented, but not as required. An update's body must carry `version`."""
        schema = super()._map_basic_serializer(serializer, direction)
        required = list(schema.get("required", []))
        omitted = set(getattr(serializer, "omitted_for_some_roles", ()))
        required = [name for name in required if name not in omitted]
        if self._is_update_body(serializer, direction) and "version" not in required:
            required.append("version")
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        return schema

    def _is_update_body(self, serializer, direction) -> bool:
        field = getattr(serializer, "fields", {}).get("version")
        return (
            direction == "request"
            and self.method in ("PUT", "PATCH")
            and field is not None
            and not field.read_only
        )

    def _get_request_for_media_type(self, serializer, direction="request"):
        """Views with `put_is_partial` take the PATCH body on PUT too."""
        if self.method == "PUT" and getattr(self.view, "put_is_partial", False):
            self.method = "PATCH"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PUT"
        return super()._get_request_for_media_type(serializer, direction)

    def get_serializer_name(self, serializer, direction):
        """A full PUT body that must carry `version` gets a component of its own
        (`…UpdateRequest`), apart from the create body where `version` is not sent."""
        name = super().get_serializer_name(serializer, direction)
        if self.method == "PUT" and self._is_update_body(serializer, direction):
            name = name.removesuffix("Serializer") + "Update"
        return name

    def error_responses(self) -> list[tuple[str, str]]:
        """(status, component) pairs this operation can answer, by the rule of the module."""
        method = self.method.upper()
        has_body = method in ("POST", "PUT", "PATCH") and self._accepts_body()
        errors = []
        if has_body or method == "DELETE" or self._has_query_parameters():
            errors.append(("400", "ValidationError"))
        if self._needs_sign_in():
            errors.append(("401", "ErrorDetail"))
            if method in _WRITES or self._has_role_rule():
                errors.append(("403", "ErrorDetail"))
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            errors.append(("404", "ErrorDetail"))
        if has_body and self._sends_version():
            errors.append(("409", "EditConflict"))
        if has_body:
            errors.append(("415", "ErrorDetail"))
        if self.view.get_throttles():
            errors.append(("429", "ErrorDetail"))
        errors.append(("503", "ErrorDetail"))
        return errors

    def _error_ref(self, name: str) -> dict:
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=f"prodops-error-{name}",
            schema=ERROR_COMPONENTS[name],
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _accepts_body(self) -> bool:
        return self.get_request_serializer() is not None

    def _sends_version(self) -> bool:
        serializer = self.get_request_serializer()
        if isinstance(serializer, type):
            serializer = serializer()
        if not isinstance(serializer, BaseSerializer) or not hasattr(serializer, "fields"):
            return False
        field = serializer.fields.get("version")
        return field is not None and not field.read_only

    def _has_query_parameters(self) -> bool:
        parameters = self._get_parameters()
        return any(parameter.get("in") == "query" for parameter in parameters)

    def _needs_sign_in(self) -> bool:
        """Our permissions (IsAuthenticated, RolePermission) all refuse anonymous users."""
        permissions = self.view.get_permissions()
        return bool(permissions) and not any(isinstance(p, AllowAny) for p in permissions)

    def _has_role_rule(self) -> bool:
        """Some signed-in users may be refused: a role above stakeholder is needed, or a
        permission other than the role rule applies."""
        for permission in self.view.get_permissions():
            if isinstance(permission, RolePermission):
                if method_minimum(self.view, self.method) != Role.STAKEHOLDER:
                    return True
            elif not isinstance(permission, IsAuthenticated):
                return True
        return False
