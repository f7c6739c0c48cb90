"""API base: the viewset every resource builds on."""

from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .errors import ValidationFailed
from .permissions import RolePermission


class BaseViewSet(viewsets.GenericViewSet):
    """Authentication, role checks per action (`action_roles`), pagination and filters."""

    permission_classes = [IsAuthenticated, RolePermission]
    action_roles: dict = {}
    BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

    def initial(self, request, *args, **kwargs):
        """After authentication and role checks, read the body of a write at once: a body the
        API cannot take (not one JSON object, nested too deep) is refused with 400 before any
        lookup, whatever the action does with it (see prodops.core.parsers)."""
        super().initial(request, *args, **kwargs)
        if request.method in self.BODY_METHODS:
            request.data  # noqa: B018 - parsing is the check


class VersionedUpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH change only the fields sent, and must send the `version` the client
    loaded: without it the update is refused naming `version`; the service answers a stale
    one with 409. Nobody overwrites a change they never saw."""

    def update(self, request, *args, **kwargs):
        # Who may change the object is answered first (403 before any 400 about the body).
        self.get_object()
        data = request.data if isinstance(request.data, dict) else {}
        if data.get("version") in (None, ""):
            raise ValidationFailed(
                "Send the version you loaded, so a change made since is not overwritten.",
                field="version",
            )
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
