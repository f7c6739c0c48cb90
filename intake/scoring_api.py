"""Scoring API: assessments of a request, the ranked backlog and the scoring model."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.views import APIView

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.core.permissions import RolePermission
from prodops.core.response_cache import ResponseCacheMixin, api_response_cached

from . import scoring_selectors, scoring_services
from .assessments import Assessment
from .models import Request
from .scoring_forms import BacklogFilterForm
from .scoring_serializers import (
    AssessmentSerializer,
    BacklogRowSerializer,
    ScoringModelSerializer,
)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Assessments of one request. Members and above list them and create or update their own
    (POST creates yours or updates it; PUT/PATCH on your own one updates it; an update sends the
    `version` it started from). Stakeholders never see assessments."""

    serializer_class = AssessmentSerializer
    action_roles = {"*": Role.MEMBER}
    put_is_partial = True  # read by the schema: PUT takes the same body as PATCH
    filter_backends: list = []

    def _request(self) -> Request:
        return get_object_or_404(Request, pk=self.kwargs["request_pk"])

    def get_queryset(self):
        return (
            Assessment.objects.filter(request_id=self.kwargs["request_pk"])
            .select_related("assessor")
            .prefetch_related("revisions")
            .order_by("created_at", "id")
        )

    def _save(self, *, request_obj: Request, data: dict):
        serializer = self.get_serializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        existing = Assessment.objects.filter(
            request=request_obj, assessor=self.request.user
        ).first()
        merged = {
            name: values.get(name, getattr(existing, name) if existing else None)
            for name in ("feasibility", "effort_days", "impact", "reach", "rationale")
        }
        merged["confidence"] = values.get(
            "confidence", existing.confidence if existing else Assessment.Confidence.MEDIUM
        )
        for name in ("feasibility", "effort_days", "impact"):
            if merged[name] is None:
                raise ValidationFailed("This field is required.", field=name)
        return scoring_services.assessment_save(
            request=request_obj,
            assessor=self.request.user,
            expected_version=version,
            **merged,
        )

    def list(self, request, *args, **kwargs):
        self._request()  # 404 for a request that does not exist
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={201: AssessmentSerializer, 200: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        """201 when it creates your assessment, 200 when it updates the one you had."""
        assessment, created = self._save(request_obj=self._request(), data=request.data)
        data = self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def update(self, request, *args, **kwargs):
        assessment = self.get_object()
        if assessment.assessor_id != request.user.pk:
            raise NotAllowed("You can only change your own assessment.")
        self._save(request_obj=self._request(), data=request.data)
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


@extend_schema(
    parameters=[
        OpenApiParameter("department", int),
        OpenApiParameter("objective", str, description="An objective id, or `none`."),
        OpenApiParameter("audience", str),
        OpenApiParameter("category", str),
        OpenApiParameter("status", str, description="`scored` or `accepted`."),
    ]
)
class BacklogViewSet(ResponseCacheMixin, mixins.ListModelMixin, BaseViewSet):
    """Scored and accepted requests ranked by score (ties: votes, then age), each row with
    `score`, `score_parts` and `spread`. Members and above."""

    serializer_class = BacklogRowSerializer
    action_roles = {"*": Role.MEMBER}
    filter_backends: list = []

    def get_queryset(self):
        form = BacklogFilterForm(self.request.query_params or None)
        if form.is_bound and not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ValidationFailed(" ".join(errors), field=field)
        return scoring_selectors.backlog_list(**(form.filters() if form.is_bound else {}))

    @api_response_cached
    def list(self, request, *args, **kwargs):
        params = scoring_selectors.scoring_params_current()
        page = self.paginate_queryset(self.get_queryset())
        first = self.paginator.page.start_index() if page is not None else 1
        rows = scoring_selectors.backlog_explain(page, params, first_rank=first)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class ScoringModelView(APIView):
    """The active scoring model: members read it, leads change it with the `version` they read
    (every score is recomputed)."""

    permission_classes = [RolePermission]
    action_roles = {"get": Role.MEMBER, "*": Role.LEAD}

    @extend_schema(responses=ScoringModelSerializer)
    def get(self, request):
        return Response(ScoringModelSerializer(scoring_selectors.scoring_model_current()).data)

    @extend_schema(request=ScoringModelSerializer, responses=ScoringModelSerializer)
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(request=ScoringModelSerializer, responses=ScoringModelSerializer)
    def patch(self, request):
        return self._write(request, partial=True)

    def _write(self, request, *, partial: bool):
        serializer = ScoringModelSerializer(
            scoring_selectors.scoring_model_current(), data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        model = scoring_services.scoring_model_update(
            actor=request.user, expected_version=version, **changes
        )
        return Response(ScoringModelSerializer(model).data)
