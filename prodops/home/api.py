from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .serializers import HomeSerializer


class HomeView(APIView):
    """What needs the signed-in person, by role: the same sections as the home page."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=HomeSerializer)
    def get(self, request):
        sections = selectors.home_sections(user=request.user)
        return Response(HomeSerializer({"role": request.user.role, "sections": sections}).data)
