"""`/api/v1/pricing/…`: the same rules as the browser, through the same services. Pricing is
internal: members read, leads write, stakeholders get 403."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created

from . import selectors, services
from .models import Plan
from .serializers import (
    PlanSerializer,
    PricePointSerializer,
    PricingReviewSerializer,
    ProductSerializer,
    ProposalActionSerializer,
    ProposalRejectSerializer,
    ProposalReturnSerializer,
    ProposalSerializer,
)

READ_MEMBER_WRITE_LEAD = {"list": Role.MEMBER, "retrieve": Role.MEMBER, "*": Role.LEAD}


class _PricingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    action_roles = READ_MEMBER_WRITE_LEAD


class ProductViewSet(mixins.CreateModelMixin, VersionedUpdateMixin, _PricingViewSet):
    """Products: members read; leads add and change them."""

    serializer_class = ProductSerializer

    def get_queryset(self):
        return selectors.product_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.product_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.product_update(
            product=serializer.instance, actor=self.request.user, expected_version=version, **data
        )


class PlanFilter(django_filters.FilterSet):
    """The price book's filters: product, segment, status, and `q`, a search on the plan's or
    its product's name."""

    q = django_filters.CharFilter(
        method="filter_q", label="Plan or product name contains", max_length=100
    )

    class Meta:
        model = Plan
        fields = ["product", "status", "segment"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.book_plans(search=value.strip()).values("pk"))


class PlanViewSet(mixins.CreateModelMixin, VersionedUpdateMixin, _PricingViewSet):
    """Plans: members read; leads add and change them (a new plan gets its quarterly pricing
    review cadence)."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self):
        return selectors.plan_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.plan_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if "product" in data and data.pop("product") != serializer.instance.product:
            from prodops.core.errors import ValidationFailed

            raise ValidationFailed("A plan's product cannot change.", field="product")
        serializer.instance = services.plan_update(
            plan=serializer.instance, actor=self.request.user, expected_version=version, **data
        )


class PricePointViewSet(mixins.CreateModelMixin, _PricingViewSet):
    """Every price of every plan (the history). Leads record past prices directly; new prices
    come from proposals. An overlap is refused (400 naming `effective_from`)."""

    serializer_class = PricePointSerializer
    filterset_fields = ["plan", "currency", "billing_period", "proposal"]

    def get_queryset(self):
        return selectors.price_point_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.price_point_record(actor=self.request.user, **data)


class ProposalViewSet(mixins.CreateModelMixin, VersionedUpdateMixin, _PricingViewSet):
    """Price change proposals: leads draft, submit, approve (an admin second above the
    threshold), reject and schedule; members read."""

    serializer_class = ProposalSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.proposal_list()

    def _fields(self, data: dict) -> dict:
        return {k: v for k, v in data.items() if k in services.PROPOSAL_FIELDS}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        proposal = services.proposal_create(
            actor=self.request.user, lines=data.pop("lines"), **self._fields(data)
        )
        serializer.instance = selectors.proposal_list().get(pk=proposal.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        proposal = services.proposal_update(
            proposal=serializer.instance,
            actor=self.request.user,
            expected_version=data.get("version"),
            lines=data.get("lines"),
            **self._fields(data),
        )
        serializer.instance = selectors.proposal_list().get(pk=proposal.pk)

    def _act(self, request, service, body_class, **extra):
        proposal = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        service(
            proposal=proposal,
            actor=request.user,
            expected_version=data.pop("version"),
            **{k: v for k, v in data.items() if k in extra},
        )
        return Response(ProposalSerializer(selectors.proposal_list().get(pk=proposal.pk)).data)

    @extend_schema(request=ProposalActionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Put a draft up for approval (the notice period is checked again)."""
        return self._act(request, services.proposal_submit, ProposalActionSerializer)

    @extend_schema(request=ProposalActionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A lead's approval, then, above the threshold, an admin's (another person)."""
        return self._act(request, services.proposal_approve, ProposalActionSerializer, note=1)

    @extend_schema(request=ProposalRejectSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, services.proposal_reject, ProposalRejectSerializer, reason=1)

    @extend_schema(request=ProposalReturnSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        """Take a proposal in review back to draft (a lead, with a reason): the approvals
        given so far are withdrawn and kept in the trail; submitting again starts over."""
        return self._act(
            request, services.proposal_return_to_draft, ProposalReturnSerializer, reason=1
        )

    @extend_schema(request=ProposalActionSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Schedule an approved change; it takes effect on its date by itself."""
        return self._act(request, services.proposal_schedule, ProposalActionSerializer)


class PricingReviewViewSet(mixins.CreateModelMixin, _PricingViewSet):
    """Held pricing reviews: leads record them (settling the plan's review cadence, and
    optionally drafting a proposal); members read."""

    serializer_class = PricingReviewSerializer
    filterset_fields = ["plan", "decision", "change"]

    def get_queryset(self):
        return selectors.pricing_review_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.pricing_review_record(actor=self.request.user, **data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return created(self.get_serializer(serializer.instance).data)
