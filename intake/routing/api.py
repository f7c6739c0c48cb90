"""`/api/v1/routing-rules/`: members and up read every rule; leads keep the rules of their own
team, admins all (the service decides, answering 403 otherwise)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin

from . import selectors, services
from .serializers import RoutingRuleSerializer


class RoutingRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Routing rules, most specific first when they route a request (see
    intake.routing.rules.routing_pick). Filter by `team`."""

    serializer_class = RoutingRuleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["team", "department", "category"]
    action_roles = {"list": Role.MEMBER, "retrieve": Role.MEMBER, "*": Role.LEAD}

    def get_queryset(self):
        return selectors.routing_rule_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        rule = services.routing_rule_create(actor=self.request.user, **data)
        serializer.instance = selectors.routing_rule_get(pk=rule.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        services.routing_rule_update(
            rule=serializer.instance, actor=self.request.user, expected_version=version, **data
        )
        serializer.instance = selectors.routing_rule_get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.routing_rule_delete(rule=instance, actor=self.request.user)
