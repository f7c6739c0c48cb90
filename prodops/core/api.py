"""API base: the viewset every resource builds on."""

from django_filters import MultipleChoiceFilter
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .errors import ValidationFailed
from .permissions import RolePermission


class BaseViewSet(viewsets.GenericViewSet):
    """Authentication, role checks per action (`action_roles`), pagination and filters.

    A query parameter takes one value unless its filter takes several (`?status=a&status=b`):
    a repeated one is refused with 400 naming it, rather than one of the values being
    picked silently."""

    permission_classes = [IsAuthenticated, RolePermission]
    action_roles: dict = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        several = self._multi_value_parameters()
        repeated = {
            name: ["Give this parameter once."]
            for name in request.query_params
            if len(request.query_params.getlist(name)) > 1 and name not in several
        }
        if repeated:
            raise ValidationError(repeated)

    def _multi_value_parameters(self) -> set[str]:
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None:
            return set()
        return {
            name
            for name, found in filterset_class.base_filters.items()
            if isinstance(found, MultipleChoiceFilter)
        }


class VersionedUpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH change only the fields sent, and must send the `version` the client
    loaded: without it the update is refused naming `version`; the service answers a stale
    one with 409. Nobody overwrites a change they never saw."""

    put_is_partial = True  # read by the schema: PUT takes the same body as PATCH

    def update(self, request, *args, **kwargs):
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
