from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role, has_role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created
from prodops.core.errors import ValidationFailed

from . import selectors, services
from .models import Deflection
from .serializers import (
    DeflectionSerializer,
    DocLinkSerializer,
    DocLinksSerializer,
    DocRevisionSerializer,
    DocSerializer,
    VersionSerializer,
    doc_links_data,
)


class DocViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Docs as far as the caller may see them (team docs and drafts for members and up;
    published stakeholder and customer docs for everyone signed in). Members write; a lead
    or the doc's named reviewer publishes."""

    serializer_class = DocSerializer
    action_roles = {
        "list": Role.STAKEHOLDER,
        "retrieve": Role.STAKEHOLDER,
        "publish": Role.STAKEHOLDER,  # the named reviewer may be any role (doc_may_move)
        "verify": Role.STAKEHOLDER,  # the owner, the reviewer or a lead (doc_verify)
        "*": Role.MEMBER,
    }
    filterset_fields = ["audience", "status", "owner"]
    ordering_fields = ["title", "updated_at"]

    def get_queryset(self):
        return selectors.doc_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.doc_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = services.doc_update(
            doc=serializer.instance, actor=self.request.user, expected_version=version, **data
        )

    @extend_schema(responses=DocRevisionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def revisions(self, request, pk=None):
        """Every saved text of the doc, newest first, paginated like every list."""
        doc = self.get_object()
        page = self.paginate_queryset(selectors.doc_revisions(doc=doc))
        return self.get_paginated_response(DocRevisionSerializer(page, many=True).data)

    @extend_schema(request=VersionSerializer, responses=DocSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        doc = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.doc_publish(
            doc=doc, actor=request.user, expected_version=body.validated_data.get("version")
        )
        return Response(DocSerializer(doc).data)

    @extend_schema(request=VersionSerializer, responses=DocSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        doc = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.doc_verify(
            doc=doc, actor=request.user, expected_version=body.validated_data.get("version")
        )
        return Response(DocSerializer(doc).data)

    @extend_schema(responses=DocLinksSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def links(self, request, pk=None):
        """The requests, roadmap items and metrics the doc is linked to (team members)."""
        doc = self.get_object()
        return Response(doc_links_data(doc, selectors.doc_links(doc=doc, user=request.user)))

    @extend_schema(request=DocLinkSerializer, responses=DocLinksSerializer)
    @links.mapping.post
    def link_add(self, request, pk=None):
        """Link the doc to a request, a roadmap item or a metric (already linked: no change)."""
        return self._link(request, linked=True)

    @extend_schema(request=DocLinkSerializer, responses=DocLinksSerializer)
    @action(detail=True, methods=["post"], url_path="links/remove", filter_backends=[])
    def link_remove(self, request, pk=None):
        """Remove a link (not linked: no change)."""
        return self._link(request, linked=False)

    def _link(self, request, *, linked: bool):
        doc = self.get_object()
        body = DocLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = services.doc_link_set(
            doc=doc,
            actor=request.user,
            kind=body.validated_data["kind"],
            target_id=body.validated_data["target"],
            linked=linked,
            expected_version=body.validated_data.get("version"),
        )
        return Response(doc_links_data(doc, selectors.doc_links(doc=doc, user=request.user)))


class DeflectionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, BaseViewSet):
    """ "This answers it": a doc that met a need instead of a request. Everyone records their
    own and lists their own; team members list them all."""

    serializer_class = DeflectionSerializer
    action_roles = {"*": Role.STAKEHOLDER}
    filterset_fields = ["doc"]

    def get_queryset(self):
        qs = Deflection.objects.order_by("-created_at", "-id")
        if getattr(self, "swagger_fake_view", False):  # the schema asks without a person
            return qs.none()
        if has_role(self.request.user, Role.MEMBER):
            return qs
        return qs.filter(person=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        doc = serializer.validated_data["doc"]
        if not selectors.doc_is_visible(doc=doc, user=request.user):
            # The same answer as for a doc that does not exist: no hint that it does.
            raise ValidationFailed(f'Invalid pk "{doc.pk}" - object does not exist.', field="doc")
        deflection = services.deflection_record(
            doc=doc, person=request.user, query=serializer.validated_data.get("query", "")
        )
        return created(DeflectionSerializer(deflection).data)
