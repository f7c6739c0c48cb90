"""`/api/v1/accounts/`, `/contacts/` (with `/preflight/` and `/erase/`), `/outreach-plans/`
and `/touches/`. Everything here needs the member role: stakeholders get no contact data."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created

from . import selectors, services
from .budget import preflight
from .serializers import (
    AccountSerializer,
    ContactSerializer,
    OutreachPlanSerializer,
    PreflightQuerySerializer,
    PreflightSerializer,
    TouchSerializer,
)


class _Versioned:
    """Create and versioned update through the app's services."""

    create_service = None
    update_service = None
    object_name = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = type(self).create_service(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            expected_version=version,
            **{self.object_name: serializer.instance},
            **data,
        )


class AccountViewSet(
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Customer accounts (members and up)."""

    serializer_class = AccountSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.account_create)
    update_service = staticmethod(services.account_update)
    object_name = "account"

    def get_queryset(self):
        return selectors.account_list()


class ContactViewSet(
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """People at customer accounts (members and up)."""

    serializer_class = ContactSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    object_name = "contact"

    def get_queryset(self):
        return selectors.contact_list()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description="The day to check (2000-01-01 to 2100-12-31); today if absent.",
            )
        ],
        responses=PreflightSerializer,
    )
    @action(detail=True, methods=["get"])
    def preflight(self, request, pk=None):
        """Can we contact them on that day, and if not, why and from when; who last did."""
        contact = self.get_object()
        query = PreflightQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = preflight(contact, on=query.validated_data.get("on"))
        return Response(PreflightSerializer(answer).data)

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Erase on the person's request: details blanked, touches kept anonymous."""
        contact = services.contact_erase(contact=self.get_object(), actor=request.user)
        return Response(ContactSerializer(contact).data)


class OutreachPlanViewSet(
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Outreach plans proposed by teams (members and up)."""

    serializer_class = OutreachPlanSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    object_name = "plan"

    def get_queryset(self):
        return selectors.plan_list()


class TouchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Touches, newest first. Logging one runs the pre-flight; past a limit it needs a lead
    and `override_reason`. A touch is history: it is never changed."""

    serializer_class = TouchSerializer
    action_roles = {"*": Role.MEMBER}

    def get_queryset(self):
        return selectors.touch_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        touch = services.touch_log(actor=request.user, **serializer.validated_data)
        return created(TouchSerializer(touch).data)
