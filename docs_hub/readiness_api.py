"""/api/v1/roadmaps/{roadmap}/items/{item}/readiness/: an item's release checklist."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from prodops.accounts.models import User
from prodops.accounts.roles import Role
from prodops.core.errors import ValidationFailed
from prodops.core.permissions import RolePermission

from . import readiness
from .models import ReadinessCheck


class ReadinessLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReadinessCheck.Kind.choices)
    label = serializers.CharField()
    owner = serializers.IntegerField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    done = serializers.BooleanField()
    version = serializers.IntegerField()


class WaiverSerializer(serializers.Serializer):
    actor = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReadinessSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="None without a checklist.")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    open = serializers.IntegerField()
    lines = ReadinessLineSerializer(many=True)
    waiver = WaiverSerializer(allow_null=True)


class ChecklistSetSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ReadinessCheck.Kind.choices), max_length=8
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class LineUpdateSerializer(serializers.Serializer):
    done = serializers.BooleanField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(help_text="The version you loaded; a stale one gets 409.")


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _state(item) -> dict:
    state = readiness.readiness_for(item)
    return {
        "item": item.pk,
        "percent": state.percent,
        "total": state.total,
        "done": state.done,
        "open": state.open,
        "lines": [
            {
                "id": c.pk,
                "kind": c.kind,
                "label": c.get_kind_display(),
                "owner": c.owner_id,
                "due_on": c.due_on,
                "done": done,
                "version": c.version,
            }
            for c, done in state.lines
        ],
        "waiver": (
            {
                "actor": state.waiver.actor_id,
                "reason": state.waiver.reason,
                "created_at": state.waiver.created_at,
            }
            if state.waiver
            else None
        ),
    }


class _ItemView(APIView):
    permission_classes = [IsAuthenticated, RolePermission]
    action_roles = {"*": Role.MEMBER}

    def get_item(self):
        from roadmap.models import RoadmapItem

        return get_object_or_404(
            RoadmapItem.objects.select_related("roadmap__team"),
            roadmap_id=self.kwargs["roadmap_pk"],
            pk=self.kwargs["item_pk"],
        )


class ReadinessView(_ItemView):
    """An item's release checklist and readiness (members read; the item's team sets it)."""

    @extend_schema(responses=ReadinessSerializer)
    def get(self, request, roadmap_pk: int, item_pk: int):
        return Response(ReadinessSerializer(_state(self.get_item())).data)

    @extend_schema(request=ChecklistSetSerializer, responses=ReadinessSerializer)
    def put(self, request, roadmap_pk: int, item_pk: int):
        """Choose the checklist's lines; new lines get `owner` and `due_on`."""
        item = self.get_item()
        # Who may change the checklist is answered before anything about the body.
        readiness.readiness_require(request.user, item, Role.MEMBER, "change its checklist")
        body = ChecklistSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        readiness.readiness_checklist_set(item=item, actor=request.user, **body.validated_data)
        return Response(ReadinessSerializer(_state(item)).data)


class ReadinessLineView(_ItemView):
    @extend_schema(request=LineUpdateSerializer, responses=ReadinessSerializer)
    def patch(self, request, roadmap_pk: int, item_pk: int, pk: int):
        """Tick a line done or not, or change its owner or due date."""
        item = self.get_item()
        readiness.readiness_require(request.user, item, Role.MEMBER, "change its checklist")
        check = get_object_or_404(ReadinessCheck, item=item, pk=pk)
        body = LineUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        readiness.readiness_check_update(
            check=check, actor=request.user, expected_version=data.pop("version"), **data
        )
        return Response(ReadinessSerializer(_state(item)).data)


class ReadinessWaiverView(_ItemView):
    action_roles = {"*": Role.LEAD}

    @extend_schema(request=WaiveSerializer, responses=ReadinessSerializer)
    def post(self, request, roadmap_pk: int, item_pk: int):
        """A lead lets the item ship with its checklist open, saying why."""
        item = self.get_item()
        readiness.readiness_require(request.user, item, Role.LEAD, "waive its checklist")
        body = WaiveSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationFailed("Say why it may ship without being ready.", field="reason")
        readiness.readiness_waive(
            item=item, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(ReadinessSerializer(_state(item)).data)
