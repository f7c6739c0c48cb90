from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin

from . import selectors, services
from .serializers import DepartmentSerializer, MeSerializer, TeamSerializer


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = selectors.user_with_teams(request.user.pk)
        return Response(MeSerializer(user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        from .services import user_update_preferences

        data = MeSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user_update_preferences(user=request.user, **data.validated_data)
        return Response(MeSerializer(selectors.user_with_teams(request.user.pk)).data)


class _ReadAllWriteAdmin(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Everyone signed in reads; only admins create, update (with the version they loaded)
    and delete: people, teams, team leads and departments are the workspace's shape."""

    action_roles = {"list": Role.STAKEHOLDER, "retrieve": Role.STAKEHOLDER, "*": Role.ADMIN}


class DepartmentViewSet(_ReadAllWriteAdmin):
    serializer_class = DepartmentSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.department_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.department_save(**data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.department_save(
            department=serializer.instance, expected_version=version, **data
        )

    def perform_destroy(self, instance):
        services.department_delete(department=instance)


class TeamViewSet(_ReadAllWriteAdmin):
    serializer_class = TeamSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.team_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.team_save(**data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.team_save(
            team=serializer.instance, expected_version=version, **data
        )

    def perform_destroy(self, instance):
        services.team_delete(team=instance)
