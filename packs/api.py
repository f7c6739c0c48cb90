"""`/api/v1/review-packs/`: the same packs, rules and versions as the pages."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from prodops.accounts.roles import Role, has_role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created

from . import selectors, services
from .models import Commitment, PackShareLink, ReviewPack
from .serializers import (
    CommitmentPlanSerializer,
    CommitmentSerializer,
    CommitmentWriteSerializer,
    FinalizeSerializer,
    PackReopeningSerializer,
    PackShareLinkSerializer,
    ReopenSerializer,
    ReviewPackCreateSerializer,
    ReviewPackDetailSerializer,
    ReviewPackSerializer,
    SectionSerializer,
)

# The method fields' shapes, for the schema.
extend_schema_field(SectionSerializer(many=True))(ReviewPackDetailSerializer.get_sections)
extend_schema_field(CommitmentSerializer(many=True))(ReviewPackDetailSerializer.get_commitments)
extend_schema_field(PackReopeningSerializer(many=True))(ReviewPackDetailSerializer.get_history)


class PackWritePermission(BasePermission):
    """Writes to a pack, and reading its share links (their tokens open it), are for the
    team's lead or an admin (the organisation's pack: admins)."""

    message = "Only the team's lead (or an admin) may change this review pack."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS and view.action != "share_links":
            return True
        return services.may_write_pack(request.user, obj.team)


class CommitmentWritePermission(BasePermission):
    """Commitments of a pack are written by the pack's writer (its team's lead, or an admin);
    checked from the URL's pack before the body is read."""

    message = "Only the team's lead (or an admin) may change this pack's commitments."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return services.may_write_pack(request.user, view.get_pack().team)


class ReviewPackViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, VersionedUpdateMixin, BaseViewSet
):
    """Review packs. Members, leads and admins read every pack; stakeholders read final packs
    only, as the stakeholder version. Leads create, write up, finalize and share their team's
    packs; admins every pack, including the whole organisation's (team null). Updates send
    the `version` they loaded and get 409 when it is stale; a final pack is frozen (400)."""

    permission_classes = [*BaseViewSet.permission_classes, PackWritePermission]
    action_roles = {"list": Role.STAKEHOLDER, "retrieve": Role.STAKEHOLDER, "*": Role.LEAD}
    filterset_fields = ["team", "period", "status"]

    def get_queryset(self):
        return selectors.pack_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ReviewPackSerializer
        if self.action == "create":
            return ReviewPackCreateSerializer
        return ReviewPackDetailSerializer

    def _stakeholder(self) -> bool:
        return not has_role(self.request.user, Role.MEMBER)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        pack = getattr(self, "_pack", None)
        if pack is not None:
            stakeholder = self._stakeholder()
            figures = selectors.pack_figures(pack)
            if stakeholder:
                figures = selectors.stakeholder_figures(figures)
            context.update(
                stakeholder=stakeholder,
                sections=selectors.section_views(figures, prefix="api"),
                commitments=selectors.commitment_list(pack=pack),
                history=[] if stakeholder else list(selectors.reopening_list(pack=pack)),
            )
        return context

    def _detail(self, pack, code=status.HTTP_200_OK) -> Response:
        self._pack = pack
        serializer = ReviewPackDetailSerializer(pack, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def retrieve(self, request, *args, **kwargs):
        """A pack with every section as JSON (the stakeholder version for stakeholders)."""
        return self._detail(self.get_object())

    @extend_schema(request=ReviewPackCreateSerializer, responses={201: ReviewPackDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Start a pack for a team (or the organisation: team null) and a quarter."""
        body = ReviewPackCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = services.pack_create(actor=request.user, **body.validated_data)
        return self._detail(selectors.pack_get(pack.pk), code=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        pack = services.pack_update(
            pack=serializer.instance, actor=self.request.user, expected_version=version, **data
        )
        serializer.instance = selectors.pack_get(pack.pk)
        self._pack = serializer.instance

    def update(self, request, *args, **kwargs):
        self._pack = self.get_object()
        response = super().update(request, *args, **kwargs)
        return self._detail(self._pack) if response.status_code == 200 else response

    @extend_schema(request=FinalizeSerializer, responses=ReviewPackDetailSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        """Freeze the pack: its figures are stored and never change after."""
        pack = self.get_object()
        body = FinalizeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = services.pack_finalize(
            pack=pack, actor=request.user, expected_version=body.validated_data["version"]
        )
        return self._detail(selectors.pack_get(pack.pk))

    @extend_schema(methods=["GET"], request=None, responses=PackShareLinkSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=PackShareLinkSerializer,
        responses={201: PackShareLinkSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="share-links",
        filter_backends=[],
    )
    def share_links(self, request, pk=None):
        """Share links of a final pack (leads of its team, admins): anyone holding one sees
        the stakeholder version until it expires or is revoked."""
        pack = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.share_link_list(pack=pack))
            data = PackShareLinkSerializer(page, many=True, context={"request": request}).data
            return self.get_paginated_response(data)
        body = PackShareLinkSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        link = services.share_link_create(
            pack=pack,
            actor=request.user,
            label=body.validated_data.get("label", ""),
            expires_at=body.validated_data.get("expires_at"),
        )
        return created(PackShareLinkSerializer(link, context={"request": request}).data)

    @extend_schema(request=ReopenSerializer, responses=ReviewPackDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a final pack as a draft, saying why: its frozen snapshot (figures, write-up,
        who finalized it) stays in `history` with who reopened it and why."""
        pack = self.get_object()
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = services.pack_reopen(
            pack=pack,
            actor=request.user,
            reason=body.validated_data["reason"],
            expected_version=body.validated_data["version"],
        )
        return self._detail(selectors.pack_get(pack.pk))

    @extend_schema(
        request=None,
        responses=PackShareLinkSerializer,
        parameters=[
            OpenApiParameter(
                "link_pk", int, OpenApiParameter.PATH, description="The share link's id."
            )
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"share-links/(?P<link_pk>\d+)/revoke",
        url_name="share-link-revoke",
        filter_backends=[],
    )
    def revoke_share_link(self, request, pk=None, link_pk=None):
        """Revoke one of the pack's share links: it shows nothing from then on. Revoking a
        revoked link changes nothing."""
        pack = self.get_object()
        link = get_object_or_404(
            PackShareLink.objects.select_related("pack"), pack=pack, pk=link_pk
        )
        link = services.share_link_revoke(link=link, actor=request.user)
        return Response(PackShareLinkSerializer(link, context={"request": request}).data)


class CommitmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """`/api/v1/review-packs/{pack_pk}/commitments/`: the next-quarter commitments of a pack.
    Members, leads and admins read them; the pack's writer (its team's lead, or an admin)
    adds, rewords, removes (draft packs only) and plans them: `plan` makes one a draft item
    in the "next" lane of the team's roadmap for the next quarter. Updates send the
    `version` they loaded (409 when stale)."""

    serializer_class = CommitmentWriteSerializer
    permission_classes = [*BaseViewSet.permission_classes, CommitmentWritePermission]
    action_roles = {"list": Role.MEMBER, "retrieve": Role.MEMBER, "*": Role.LEAD}
    filter_backends = []

    def get_pack(self):
        if not hasattr(self, "_pack"):
            try:
                self._pack = selectors.pack_get(int(self.kwargs["pack_pk"]))
            except (ReviewPack.DoesNotExist, ValueError, KeyError):
                raise Http404("No such review pack.") from None
        return self._pack

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no pack
            return Commitment.objects.none()
        return selectors.commitment_queryset(pack=self.get_pack())

    def perform_create(self, serializer):
        data = serializer.validated_data
        commitment = services.commitment_add(
            pack=self.get_pack(),
            actor=self.request.user,
            title=data["title"],
            request=data.get("request"),
        )
        serializer.instance = selectors.commitment_queryset(pack=self.get_pack()).get(
            pk=commitment.pk
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        fields = {k: data[k] for k in ("title", "request") if k in data}
        commitment = services.commitment_update(
            commitment=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            **fields,
        )
        serializer.instance = selectors.commitment_queryset(pack=self.get_pack()).get(
            pk=commitment.pk
        )

    def perform_destroy(self, instance):
        services.commitment_remove(commitment=instance, actor=self.request.user)

    @extend_schema(request=CommitmentPlanSerializer, responses=CommitmentWriteSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, pack_pk=None, pk=None):
        """Make the commitment a draft item on next quarter's roadmap of the pack's team (the
        roadmap is started if needed), planning the accepted request it names."""
        commitment = self.get_object()
        body = CommitmentPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.commitment_plan(
            commitment=commitment,
            actor=request.user,
            estimate_days=body.validated_data.get("estimate_days"),
            override_reason=body.validated_data.get("override_reason", ""),
        )
        fresh = selectors.commitment_queryset(pack=self.get_pack()).get(pk=done.pk)
        return Response(CommitmentWriteSerializer(fresh).data)
