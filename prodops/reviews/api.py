from rest_framework import mixins

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin
from prodops.core.permissions import TeamScopePermission

from . import selectors, services
from .serializers import CadenceSerializer


class CadenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, VersionedUpdateMixin, BaseViewSet
):
    """Review cadences: members read; leads of the reviewed thing's team (admins: all) set
    interval, owner, escalation and next due date."""

    serializer_class = CadenceSerializer
    permission_classes = [*BaseViewSet.permission_classes, TeamScopePermission]
    action_roles = {"list": Role.MEMBER, "retrieve": Role.MEMBER, "*": Role.LEAD}
    filterset_fields = ["kind", "active", "owner"]

    def get_queryset(self):
        return selectors.cadence_list()

    def scope_team(self, cadence):
        """A cadence of a team's roadmap is that team's to change."""
        return selectors.cadence_team(cadence) if cadence is not None else None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.cadence_update(
            cadence=serializer.instance, actor=self.request.user, expected_version=version, **data
        )
