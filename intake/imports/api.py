"""`/api/v1/request-imports/`: upload a CSV (checked at once: a dry run), see each line's
fate, re-map, import all or nothing, undo."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, created

from . import selectors, services
from .models import RequestImportRow
from .serializers import (
    RequestImportActionSerializer,
    RequestImportCreateSerializer,
    RequestImportMapSerializer,
    RequestImportRowSerializer,
    RequestImportSerializer,
)


class RequestImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """CSV imports of requests (team members and up)."""

    serializer_class = RequestImportSerializer
    action_roles = {"*": Role.MEMBER}
    filter_backends = [filters.DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.import_list()

    @extend_schema(request=RequestImportCreateSerializer, responses={201: RequestImportSerializer})
    def create(self, request):
        """Upload a file. With a mapping (or when the header names a title column) every line
        is checked at once; nothing is imported until `commit`."""
        data = RequestImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.import_upload(
            actor=request.user,
            content=data.validated_data["content"],
            filename=data.validated_data.get("filename", ""),
        )
        mapping = data.validated_data.get("mapping") or batch.mapping
        if "title" in mapping:
            batch = services.import_map(
                batch=batch,
                actor=request.user,
                mapping=mapping,
                include_duplicates=data.validated_data["include_duplicates"],
                expected_version=batch.version,
            )
        return created(RequestImportSerializer(selectors.import_get(pk=batch.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("fate", enum=RequestImportRow.Fate.values, required=False)],
        responses=RequestImportRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """Each line with its fate, in file order."""
        fate = request.query_params.get("fate") or None
        if fate and fate not in RequestImportRow.Fate.values:
            from prodops.core.errors import ValidationFailed

            raise ValidationFailed(
                f"fate is one of {', '.join(RequestImportRow.Fate.values)}.", field="fate"
            )
        page = self.paginate_queryset(selectors.import_rows(batch=self.get_object(), fate=fate))
        return self.get_paginated_response(RequestImportRowSerializer(page, many=True).data)

    @extend_schema(request=RequestImportMapSerializer, responses=RequestImportSerializer)
    @action(detail=True, methods=["post"])
    def map(self, request, pk=None):
        """Choose the columns again and check every line again."""
        batch = self.get_object()
        data = RequestImportMapSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.import_map(
            batch=batch,
            actor=request.user,
            mapping={k: v for k, v in data.validated_data["mapping"].items() if v},
            include_duplicates=data.validated_data["include_duplicates"],
            expected_version=data.validated_data["version"],
        )
        return Response(RequestImportSerializer(selectors.import_get(pk=batch.pk)).data)

    @extend_schema(request=RequestImportActionSerializer, responses=RequestImportSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Import the checked lines: all, or nothing while any line is in error."""
        batch = self.get_object()
        data = RequestImportActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.import_commit(
            batch=batch, actor=request.user, expected_version=data.validated_data["version"]
        )
        return Response(RequestImportSerializer(selectors.import_get(pk=batch.pk)).data)

    @extend_schema(request=RequestImportActionSerializer, responses=RequestImportSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Remove exactly the requests this import created (while all are still new)."""
        batch = self.get_object()
        data = RequestImportActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.import_undo(
            batch=batch, actor=request.user, expected_version=data.validated_data["version"]
        )
        return Response(RequestImportSerializer(selectors.import_get(pk=batch.pk)).data)
