"""`/api/v1/roadmaps/…`: the same rules as the browser, through the same services."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin
from prodops.core.errors import ValidationFailed
from prodops.core.permissions import TeamScopePermission
from prodops.core.response_cache import ResponseCacheMixin, api_response_cached

from . import selectors, services
from .models import Roadmap, ShareLink, Snapshot, UnplannedEntry
from .serializers import (
    CompleteReviewSerializer,
    MovePeriodSerializer,
    PlannableRequestSerializer,
    RoadmapItemSerializer,
    RoadmapSerializer,
    SharedRoadmapSerializer,
    ShareLinkSerializer,
    SnapshotSerializer,
    UnplannedEntrySerializer,
    completed_review_serializer,
    snapshot_diff_serializer,
)


class RoadmapViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Team roadmaps with capacity, buffer, plannable, planned and buffer burn. Members and up
    read; leads create and update. Stakeholders read `/api/v1/shared-roadmaps/`."""

    serializer_class = RoadmapSerializer
    permission_classes = [*BaseViewSet.permission_classes, TeamScopePermission]
    action_roles = {
        "list": Role.MEMBER,
        "retrieve": Role.MEMBER,
        "plannable_requests": Role.MEMBER,
        "*": Role.LEAD,
    }
    filterset_fields = ["team", "period"]
    ordering_fields = ["period_start"]

    def get_queryset(self):
        return selectors.roadmap_list()

    def scope_team(self, roadmap):
        """Writes to a roadmap are its team's (a new roadmap's team is checked by the service)."""
        return roadmap.team if roadmap is not None else None

    def perform_create(self, serializer):
        data = serializer.validated_data
        roadmap = services.roadmap_create(
            actor=self.request.user,
            team=data["team"],
            period=data["period"],
            buffer_percent=data.get("buffer_percent", 25),
            notes=data.get("notes", ""),
        )
        serializer.instance = selectors.roadmap_get(roadmap.pk)

    def perform_update(self, serializer):
        data = serializer.validated_data
        services.roadmap_update(
            roadmap=serializer.instance,
            actor=self.request.user,
            expected_version=data.get("version"),
            buffer_percent=data.get("buffer_percent"),
            notes=data.get("notes"),
            capacity_overrides=data.get("capacity_overrides"),
            override_reason=data.get("override_reason", ""),
        )
        serializer.instance = selectors.roadmap_get(serializer.instance.pk)

    def update(self, request, *args, **kwargs):
        """Team and period are fixed once a roadmap exists: changing them is refused naming
        the field rather than silently ignored."""
        roadmap = self.get_object()
        for name, current in (("team", roadmap.team_id), ("period", roadmap.period)):
            if (
                name in request.data
                and str(request.data[name]).strip().upper() != str(current).upper()
            ):
                raise ValidationFailed(
                    f"A roadmap's {name} cannot change; create a roadmap for the other {name}.",
                    field=name,
                )
        return super().update(request, *args, **kwargs)

    @extend_schema(responses=PlannableRequestSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="plannable-requests", filter_backends=[])
    def plannable_requests(self, request, pk=None):
        """The accepted requests of this roadmap's team that no item plans yet: the only
        requests an item here may plan."""
        roadmap = self.get_object()
        page = self.paginate_queryset(selectors.plannable_requests(roadmap=roadmap))
        return self.get_paginated_response(PlannableRequestSerializer(page, many=True).data)

    @extend_schema(request=CompleteReviewSerializer, responses=completed_review_serializer())
    @action(detail=True, methods=["post"], url_path="complete-review")
    def complete_review(self, request, pk=None):
        """Take a snapshot, record notes, move the next due date, tell watchers what changed."""
        roadmap = self.get_object()
        body = CompleteReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review, snapshot, changes = services.roadmap_complete_review(
            roadmap=roadmap, actor=request.user, notes=body.validated_data.get("notes", "")
        )
        return Response(
            {
                "review": review.pk,
                "snapshot": snapshot.pk,
                "next_due_on": review.cadence.next_due_on,
                "changes": changes,
            }
        )


class _RoadmapChild(BaseViewSet):
    """A resource under /roadmaps/{roadmap_pk}/: it belongs to the roadmap's team."""

    permission_classes = [*BaseViewSet.permission_classes, TeamScopePermission]

    def scope_team(self, obj):
        return self.get_roadmap().team

    def get_roadmap(self) -> Roadmap:
        if not hasattr(self, "_roadmap"):
            self._roadmap = get_object_or_404(
                selectors.roadmap_queryset(), pk=self.kwargs["roadmap_pk"]
            )
        return self._roadmap


class RoadmapItemViewSet(
    ResponseCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    _RoadmapChild,
):
    """Items: members read; leads plan (create) and take off (delete); members of the team and
    leads edit. Over-commit is refused with the numbers unless a lead gives `override_reason`."""

    serializer_class = RoadmapItemSerializer
    action_roles = {
        "list": Role.MEMBER,
        "retrieve": Role.MEMBER,
        "update": Role.MEMBER,
        "partial_update": Role.MEMBER,
        "*": Role.LEAD,
    }
    filterset_fields = ["lane", "status", "visibility", "objective"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no roadmap
            return self.serializer_class.Meta.model.objects.none()
        return selectors.item_list_api(roadmap=self.get_roadmap())

    @api_response_cached
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        data.pop("status", None)
        item = services.roadmap_item_create(
            roadmap=self.get_roadmap(), actor=self.request.user, **data
        )
        serializer.instance = selectors.item_list(roadmap=item.roadmap).get(pk=item.pk)

    def perform_update(self, serializer):
        """Fields go through roadmap_item_update; `requests` (leads) through
        roadmap_item_set_requests; both or neither are saved."""
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        reason = data.pop("override_reason", "")
        requests = data.pop("requests", None)
        item = serializer.instance
        with transaction.atomic():
            if requests is not None:
                item = services.roadmap_item_set_requests(
                    item=item, requests=requests, actor=self.request.user, expected_version=version
                )
                version = item.version
            if data or requests is None:
                # Even a PATCH that changes nothing checks its version, so a stale client
                # learns it is stale instead of getting a silent 200.
                item = services.roadmap_item_update(
                    item=item,
                    actor=self.request.user,
                    expected_version=version,
                    override_reason=reason,
                    **data,
                )
        serializer.instance = selectors.item_list(roadmap=self.get_roadmap()).get(pk=item.pk)

    @extend_schema(request=MovePeriodSerializer, responses=RoadmapItemSerializer)
    @action(detail=True, methods=["post"], url_path="move-period")
    def move_period(self, request, roadmap_pk=None, pk=None):
        """Leads: move the item, with its requests, to another quarter's roadmap of the same
        team; the commitment check runs there (give `override_reason` to over-commit)."""
        item = self.get_object()
        body = MovePeriodSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = services.roadmap_item_move_period(
            item=item,
            to_roadmap=body.validated_data["to_roadmap"],
            actor=request.user,
            override_reason=body.validated_data["override_reason"],
            expected_version=body.validated_data["version"],
        )
        fresh = selectors.item_list(roadmap=moved.roadmap).get(pk=moved.pk)
        return Response(self.get_serializer(fresh).data)

    def perform_destroy(self, instance):
        services.roadmap_item_remove(item=instance, actor=self.request.user)


class UnplannedViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, _RoadmapChild
):
    """The unplanned work log: members of the team and leads log; it consumes the buffer."""

    serializer_class = UnplannedEntrySerializer
    action_roles = {"*": Role.MEMBER}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no roadmap
            return self.serializer_class.Meta.model.objects.none()
        return selectors.unplanned_list(roadmap=self.get_roadmap())

    def perform_create(self, serializer):
        serializer.instance = services.unplanned_log(
            roadmap=self.get_roadmap(), actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: UnplannedEntry):
        services.unplanned_delete(entry=instance, actor=self.request.user)


class SnapshotViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _RoadmapChild
):
    """Snapshots: members read, leads take them; `diff/` lists per item what changed since."""

    serializer_class = SnapshotSerializer
    action_roles = {
        "list": Role.MEMBER,
        "retrieve": Role.MEMBER,
        "diff": Role.MEMBER,
        "*": Role.LEAD,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no roadmap
            return self.serializer_class.Meta.model.objects.none()
        return selectors.snapshot_list(roadmap=self.get_roadmap())

    def perform_create(self, serializer):
        serializer.instance = services.snapshot_take(
            roadmap=self.get_roadmap(),
            actor=self.request.user,
            note=serializer.validated_data.get("note", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "to", int, description="A later snapshot of this roadmap (default: now)."
            )
        ],
        responses=snapshot_diff_serializer(),
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, roadmap_pk=None, pk=None):
        """Changes from this snapshot to the roadmap now (or to snapshot `?to=<id>`)."""
        snapshot: Snapshot = self.get_object()
        other = request.query_params.get("to", "")
        if other and not other.isdecimal():
            raise ValidationFailed("Give the id of a snapshot of this roadmap.", field="to")
        until = get_object_or_404(Snapshot, roadmap_id=roadmap_pk, pk=int(other)) if other else None
        changes = selectors.roadmap_changes(roadmap=self.get_roadmap(), since=snapshot, until=until)
        return Response({"from": snapshot.pk, "changes": changes})


class ShareLinkViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, _RoadmapChild
):
    """Share links (leads of the roadmap's team): DELETE revokes, after which the link answers
    404. A link's token opens the roadmap to anyone holding it, so even listing them is for the
    people who may manage them."""

    serializer_class = ShareLinkSerializer
    action_roles = {"*": Role.LEAD}
    scope_reads = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no roadmap
            return self.serializer_class.Meta.model.objects.none()
        return selectors.share_link_list(roadmap=self.get_roadmap())

    def perform_create(self, serializer):
        serializer.instance = services.share_link_create(
            roadmap=self.get_roadmap(), actor=self.request.user, **serializer.validated_data
        )

    def destroy(self, request, *args, **kwargs):
        link: ShareLink = self.get_object()
        services.share_link_revoke(link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharedRoadmapViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The stakeholder roadmap: shared items only, with their stakeholder-facing text."""

    serializer_class = SharedRoadmapSerializer
    action_roles = {"*": Role.STAKEHOLDER}
    filterset_fields = ["team", "period"]

    def get_queryset(self):
        return selectors.stakeholder_roadmaps()
