from rest_framework import mixins

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet
from prodops.core.errors import ValidationFailed

from . import selectors, services
from .serializers import ObjectiveSerializer


class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Business and department objectives: everyone reads, leads and admins write."""

    serializer_class = ObjectiveSerializer
    action_roles = {"list": Role.STAKEHOLDER, "retrieve": Role.STAKEHOLDER, "*": Role.LEAD}
    filterset_fields = ["status", "level", "period", "department", "parent"]
    ordering_fields = ["title", "period"]

    def get_queryset(self):
        return selectors.objective_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.objective_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise ValidationFailed(
                "Send the version you loaded, so a change made since is not overwritten.",
                field="version",
            )
        serializer.instance = services.objective_update(
            objective=serializer.instance, actor=self.request.user, expected_version=version, **data
        )
