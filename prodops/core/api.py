"""API base: the viewset every resource builds on."""

from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .permissions import RolePermission


class BaseViewSet(viewsets.GenericViewSet):
    """Authentication, role checks per action (`action_roles`), pagination and filters."""

    permission_classes = [IsAuthenticated, RolePermission]
    action_roles: dict = {}


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
