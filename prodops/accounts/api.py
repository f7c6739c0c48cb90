from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet

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


class _ReadAllWriteLead(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    action_roles = {"list": Role.STAKEHOLDER, "retrieve": Role.STAKEHOLDER, "*": Role.LEAD}


class DepartmentViewSet(_ReadAllWriteLead):
    serializer_class = DepartmentSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.department_list()

    def perform_create(self, serializer):
        serializer.instance = services.department_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.department_save(
            department=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.department_delete(department=instance)


class TeamViewSet(_ReadAllWriteLead):
    serializer_class = TeamSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.team_list()

    def perform_create(self, serializer):
        serializer.instance = services.team_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.team_save(
            team=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.team_delete(team=instance)
