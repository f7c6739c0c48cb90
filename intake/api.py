"""`/api/v1/requests/`: the same rules as the browser, through the same services."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, created
from prodops.core.errors import ValidationFailed
from prodops.core.response_cache import ResponseCacheMixin, api_response_cached

from . import selectors, services
from .filters import RequestFilter
from .forms import SimilarForm
from .models import Request
from .serializers import (
    AssignSerializer,
    CommentSerializer,
    MergeSerializer,
    RequestSerializer,
    SetTeamSerializer,
    SimilarSerializer,
    StatusChangeSerializer,
    TransitionSerializer,
    VoteSerializer,
)


class RequestViewSet(
    ResponseCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Requests. Stakeholders see their own and those open to stakeholders (others are 404);
    team members see all. Filters are the triage queue's (see intake.filters)."""

    serializer_class = RequestSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RequestFilter
    action_roles = {
        "merge": Role.MEMBER,
        "assign": Role.MEMBER,
        "team": Role.MEMBER,
        "*": Role.STAKEHOLDER,
    }

    def get_queryset(self):
        # The filter backend applies RequestFilter; filtering here as well would do it twice.
        return selectors.request_rows(user=self.request.user)

    @api_response_cached
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Request:
        try:
            return selectors.request_get(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (ValueError, Http404) as error:
            raise Http404("No such request.") from error

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.request_create(
            requester=self.request.user, source=Request.Source.API, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        services.request_update(
            request=serializer.instance, actor=self.request.user, expected_version=version, **data
        )
        serializer.instance = self.get_object()

    def _fresh(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        """The request as the viewer may see it now, after an action changed it."""
        obj = selectors.request_get(user=self.request.user, pk=pk)
        return Response(self.get_serializer(obj).data, status=status_code)

    def _page(self, queryset, serializer_class) -> Response:
        """A sub-list of one request, paginated like every other list of the API."""
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(responses=StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        obj = self.get_object()
        return self._page(selectors.request_history(request_obj=obj), StatusChangeSerializer)

    @extend_schema(request=TransitionSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the request through the lifecycle; a refused move says why (400/403/409)."""
        obj = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_move(
            request=obj,
            to=data.validated_data["to"],
            actor=request.user,
            reason=data.validated_data["reason"],
            revisit_on=data.validated_data["revisit_on"],
            expected_version=data.validated_data["version"],
            team=data.validated_data["team"],
        )
        return self._fresh(obj.pk)

    @extend_schema(request=SetTeamSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def team(self, request, pk=None):
        """Team members set or change the team the request belongs to (logged on its timeline);
        past triage it keeps a team, and a request on a roadmap item keeps the item's team."""
        obj = self.get_object()
        data = SetTeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_set_team(
            request=obj,
            actor=request.user,
            team=data.validated_data["team"],
            expected_version=data.validated_data["version"],
        )
        return self._fresh(obj.pk)

    @extend_schema(request=AssignSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        obj = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = None
        if data.validated_data["assignee"] is not None:
            assignee = selectors.team_people().filter(pk=data.validated_data["assignee"]).first()
            if assignee is None:
                raise ValidationFailed("Choose a team member.", field="assignee")
        services.request_assign(
            request=obj,
            actor=request.user,
            assignee=assignee,
            expected_version=data.validated_data["version"],
        )
        return self._fresh(obj.pk)

    @extend_schema(methods=["POST"], request=VoteSerializer, responses={201: RequestSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={200: RequestSerializer})
    @action(detail=True, methods=["post", "delete"])
    def vote(self, request, pk=None):
        """POST: +1 with an optional note; DELETE: take the vote back."""
        obj = self.get_object()
        if request.method == "DELETE":
            services.request_unvote(request=obj, voter=request.user)
            return self._fresh(obj.pk)
        data = VoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_vote(request=obj, voter=request.user, note=data.validated_data["note"])
        return self._fresh(obj.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RequestSerializer})
    @action(detail=True, methods=["post", "delete"])
    def watch(self, request, pk=None):
        obj = self.get_object()
        if request.method == "DELETE":
            services.request_unwatch(request=obj, user=request.user)
        else:
            services.request_watch(request=obj, user=request.user)
        return self._fresh(obj.pk)

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Comments, oldest first; internal notes only for team members."""
        obj = self.get_object()
        if request.method == "GET":
            qs = selectors.request_comments(request_obj=obj, user=request.user)
            return self._page(qs, CommentSerializer)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            request=obj,
            author=request.user,
            body=data.validated_data["body"],
            is_internal=data.validated_data["is_internal"],
        )
        return created(CommentSerializer(comment).data)

    @extend_schema(request=MergeSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this request into `into`; returns the request merged into."""
        obj = self.get_object()
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            into = selectors.request_get(user=request.user, pk=data.validated_data["into"])
        except Http404 as error:
            raise ValidationFailed(
                f"There is no request #{data.validated_data['into']}.", field="into"
            ) from error
        services.request_merge(duplicate=obj, into=into, actor=request.user)
        return self._fresh(into.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="The title being typed."),
            OpenApiParameter("exclude", int, description="A request to leave out (id from 1)."),
        ],
        responses=SimilarSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    @api_response_cached
    def similar(self, request):
        """Up to five visible requests with similar titles, best first."""
        form = SimilarForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        results = selectors.request_similar(
            user=request.user, q=form.text(), exclude_id=form.cleaned_data["exclude"]
        )
        return Response(SimilarSerializer(results, many=True).data)
