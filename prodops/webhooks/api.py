"""`/api/v1/webhooks/`: endpoints, their delivery log, redelivery and secret rotation
(admins only)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin

from . import selectors, services
from .models import Delivery
from .serializers import DeliverySerializer, EndpointSerializer


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Webhook endpoints. Every action needs the admin role: an endpoint receives the
    workspace's events and its secret signs them."""

    serializer_class = EndpointSerializer
    action_roles = {"*": Role.ADMIN}

    def get_queryset(self):
        return selectors.endpoint_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.endpoint_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.endpoint_update(
            endpoint=serializer.instance, actor=self.request.user, expected_version=version, **data
        )

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance, actor=self.request.user)

    @extend_schema(request=None, responses=EndpointSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret; the old one keeps signing beside it for 24 hours."""
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object(), actor=request.user)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's deliveries, newest first, each with its attempts."""
        page = self.paginate_queryset(selectors.delivery_list(endpoint=self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>\d+)/redeliver",
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send a delivery again, with the same webhook-id."""
        endpoint = self.get_object()
        delivery = get_object_or_404(Delivery, pk=delivery_id, endpoint=endpoint)
        services.delivery_redeliver(delivery=delivery, actor=request.user)
        fresh = selectors.delivery_list(endpoint=endpoint).get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh).data)
