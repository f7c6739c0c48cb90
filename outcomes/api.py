import io

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.response import Response

from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.core.parsers import MAX_JSON_DEPTH, ObjectJSONParser, json_depth

from . import selectors, services
from .models import Metric
from .serializers import (
    CoalitionMeetingSerializer,
    CoalitionSerializer,
    ContributionSerializer,
    ImportResultSerializer,
    MeasurementSerializer,
    MetricSerializer,
    ObjectiveSerializer,
    RevisitRecordSerializer,
    RevisitSerializer,
)


class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Business and department objectives: everyone reads, leads and admins write."""

    serializer_class = ObjectiveSerializer
    action_roles = {"list": Role.STAKEHOLDER, "retrieve": Role.STAKEHOLDER, "*": Role.LEAD}
    filterset_fields = ["status", "level", "period", "department", "parent"]
    ordering_fields = ["title", "period"]

    def get_queryset(self):
        return selectors.objective_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.objective_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise ValidationFailed(
                "Send the version you loaded, so a change made since is not overwritten.",
                field="version",
            )
        serializer.instance = services.objective_update(
            objective=serializer.instance, actor=self.request.user, expected_version=version, **data
        )


class ObjectOrListJSONParser(ObjectJSONParser):
    """A JSON object, or a list of objects (measurements posted in one go)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if raw.lstrip().startswith(b"["):
            if json_depth(raw) > MAX_JSON_DEPTH:
                raise ParseError("JSON parse error - the body is nested too deeply.")
            data = JSONParser().parse(io.BytesIO(raw), media_type, parser_context)
            if not data or not all(isinstance(entry, dict) for entry in data):
                raise ValidationError(
                    {"body": ["Send one measurement object or a non-empty list of them."]}
                )
            return data
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class CSVTextParser(BaseParser):
    """A text/csv body, read as UTF-8 text."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"body": ["Send the CSV as UTF-8 text."]}) from None


MEASUREMENTS_ONE_OR_MANY = PolymorphicProxySerializer(
    component_name="MeasurementOneOrMany",
    serializers=[MeasurementSerializer, MeasurementSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class MetricFilter(django_filters.FilterSet):
    class Meta:
        model = Metric
        fields = ["objective", "team", "direction", "cadence"]


class MetricViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Metrics with their progress and status: everyone reads (stakeholders without internal
    notes); leads of the metric's team create and change them (versions; 409 when stale),
    archive or restore them (`archived` in a PATCH) and delete the ones nobody used yet (a
    metric with measurements or contributing work is archived instead: 400 naming `archived`).
    The list holds metrics in use unless `?archived=1`. Members of the team record
    measurements, one or a list per POST, and import CSV."""

    serializer_class = MetricSerializer
    action_roles = {
        "list": Role.STAKEHOLDER,
        "retrieve": Role.STAKEHOLDER,
        "measurements": Role.STAKEHOLDER,
        "import_csv": Role.MEMBER,
        "*": Role.LEAD,
    }
    filterset_class = MetricFilter
    ordering_fields = ["name", "target_on"]

    def get_queryset(self):
        if self.action != "list":
            return selectors.metric_list(archived=None)
        archived = self.request.query_params.get("archived", "0")
        if archived not in ("0", "1"):
            raise ValidationFailed("Give 0 or 1.", field="archived")
        return selectors.metric_list(archived=archived == "1")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "archived",
                OpenApiTypes.INT,
                enum=[0, 1],
                description="1: the archived metrics instead of the ones in use.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        data.pop("archived", None)
        metric = services.metric_create(actor=self.request.user, **data)
        serializer.instance = selectors.metric_list(ids=[metric.pk]).get()

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        archived = data.pop("archived", None)
        metric = serializer.instance
        if data:
            metric = services.metric_update(
                metric=metric, actor=self.request.user, expected_version=version, **data
            )
            version = None  # checked by the update
        if archived is not None:
            metric = services.metric_archive(
                metric=metric, actor=self.request.user, archived=archived, expected_version=version
            )
        serializer.instance = selectors.metric_list(ids=[metric.pk]).get()

    def perform_destroy(self, instance):
        services.metric_delete(metric=instance, actor=self.request.user)

    @extend_schema(
        methods=["GET"],
        responses=MeasurementSerializer(many=True),
        description="The metric's measurements, newest first (paginated).",
    )
    @extend_schema(
        methods=["POST"],
        request=MEASUREMENTS_ONE_OR_MANY,
        responses={201: MEASUREMENTS_ONE_OR_MANY},
        description="Record one measurement (an object) or several (a list): all or nothing. "
        "A measurement for a date that has one replaces it; the old value is kept in history.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[ObjectOrListJSONParser],
        filter_backends=[],
    )
    def measurements(self, request, pk=None):
        metric = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.measurement_list(metric))
            return self.get_paginated_response(
                MeasurementSerializer(page, many=True, context={"request": request}).data
            )
        if not has_role(request.user, Role.MEMBER):
            raise NotAllowed("Only a member of the metric's team records measurements.")
        many = isinstance(request.data, list)
        body = MeasurementSerializer(data=request.data, many=many)
        body.is_valid(raise_exception=True)
        entries = body.validated_data if many else [body.validated_data]
        saved = services.measurements_record(metric=metric, actor=request.user, entries=entries)
        out = MeasurementSerializer(
            saved if many else saved[0], many=many, context={"request": request}
        )
        return created(out.data)

    @extend_schema(
        request={"text/csv": {"type": "string"}},
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.INT,
                enum=[0, 1],
                description="1: say what each line would do and write nothing.",
            )
        ],
        responses={200: ImportResultSerializer, 201: ImportResultSerializer},
        description="Import `date,value[,note]` lines (an optional header line starting with "
        "`date`). With `?dry_run=1` every line's fate comes back (new, replaces, error and why, "
        "by line number) and nothing is written (200). Otherwise the file is imported whole in "
        "one batch (201), or, when any line is in error, not at all (400 naming `file`).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVTextParser],
        filter_backends=[],
    )
    def import_csv(self, request, pk=None):
        metric = self.get_object()
        dry_run = request.query_params.get("dry_run", "0")
        if dry_run not in ("0", "1"):
            raise ValidationFailed("Give 0 or 1.", field="dry_run")
        text = request.data if isinstance(request.data, str) else ""
        if dry_run == "1":
            if not may_act_for_team(request.user, metric.team, minimum=Role.MEMBER):
                raise NotAllowed("Only the metric's team (or an admin) imports its measurements.")
            preview = services.measurements_import_preview(metric=metric, text=text)
            body = {"dry_run": True, "batch": None, "rows": [vars(r) for r in preview.rows]}
            return Response(ImportResultSerializer(body).data)
        batch = services.measurements_import(metric=metric, actor=request.user, text=text)
        body = {"dry_run": False, "batch": batch.pk, "rows": []}
        return created(ImportResultSerializer(body).data)


class ContributionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """What roadmap items and requests are expected to move: members read; a member of the
    work's team or of the metric's team (or any lead) says what work contributes, changes it
    (`metric`, `expected_change`, `expected_by`, `note`; versions, 409 when stale) and removes
    it with its open revisits (one with a recorded revisit stays: 400 naming `revisits`).
    Stakeholders never see contributions."""

    serializer_class = ContributionSerializer
    action_roles = {"*": Role.MEMBER}
    filterset_fields = ["metric", "roadmap_item", "request"]

    def get_queryset(self):
        return selectors.contribution_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.contribution_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        for name in ("roadmap_item", "request"):
            if name in data and data[name] != getattr(serializer.instance, name):
                raise ValidationFailed(
                    "The work a contribution comes from does not change: remove it and add "
                    "another.",
                    field=name,
                )
        serializer.instance = services.contribution_update(
            contribution=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            **data,
        )

    def perform_destroy(self, instance):
        services.contribution_delete(contribution=instance, actor=self.request.user)


class RevisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Revisits of shipped work. The list holds the due ones (open, due today or earlier)
    unless `?all=1`; members of the work's team record what was observed."""

    serializer_class = RevisitSerializer
    action_roles = {"*": Role.MEMBER}

    def get_queryset(self):
        if self.action != "list":
            return selectors.revisit_list()
        show_all = self.request.query_params.get("all", "0")
        if show_all not in ("0", "1"):
            raise ValidationFailed("Give 0 or 1.", field="all")
        if show_all == "1":
            return selectors.revisit_list()
        return selectors.revisit_list(due_by=timezone.localdate(), open_only=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "all",
                OpenApiTypes.INT,
                enum=[0, 1],
                description="1: every revisit, recorded and not yet due included.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RevisitRecordSerializer, responses=RevisitSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record moved / not moved / inconclusive, the observed change and an impact
        statement; the last revisit of shipped work moves its requests to measured."""
        revisit = self.get_object()
        body = RevisitRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        recorded = services.revisit_record(
            revisit=revisit,
            actor=request.user,
            outcome=data["outcome"],
            observed_change=data.get("observed_change"),
            impact_statement=data["impact_statement"],
            expected_version=data.get("version"),
        )
        return Response(RevisitSerializer(selectors.revisit_list().get(pk=recorded.pk)).data)


class CoalitionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Cross-department coalitions: the ops team sees all of them and leads change them; a
    stakeholder sees the ones they are a member of. Coalition members log meetings."""

    serializer_class = CoalitionSerializer
    action_roles = {
        "list": Role.STAKEHOLDER,
        "retrieve": Role.STAKEHOLDER,
        "meetings": Role.STAKEHOLDER,
        "*": Role.LEAD,
    }
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.coalition_list(user=self.request.user).prefetch_related(
            "members", "metrics"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.coalition_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.coalition_update(
            coalition=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            **data,
        )

    @extend_schema(methods=["GET"], responses=CoalitionMeetingSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=CoalitionMeetingSerializer,
        responses={201: CoalitionMeetingSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def meetings(self, request, pk=None):
        """The meeting log, newest first; members of the coalition (and leads) log one."""
        coalition = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.coalition_meetings(coalition))
            return self.get_paginated_response(CoalitionMeetingSerializer(page, many=True).data)
        body = CoalitionMeetingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.coalition_meeting_record(
            coalition=coalition, actor=request.user, **body.validated_data
        )
        return created(CoalitionMeetingSerializer(meeting).data)
