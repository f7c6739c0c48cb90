"""`/api/v1/accounts/`, `/contacts/` (with `/preflight/` and `/erase/`), `/outreach-plans/`
and `/touches/`. Everything here needs the member role: stakeholders get no contact data."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from prodops.accounts.roles import Role
from prodops.core.api import BaseViewSet, VersionedUpdateMixin, created
from prodops.core.errors import ValidationFailed
from prodops.core.parsers import CSVTextParser

from . import imports, selectors, services
from .budget import preflight
from .serializers import (
    AccountSerializer,
    ContactSerializer,
    OutreachImportResultSerializer,
    OutreachPlanSerializer,
    PreflightQuerySerializer,
    PreflightSerializer,
    RequestAccountSerializer,
    TouchSerializer,
)


def _import_body(preview, *, dry_run: bool) -> dict:
    return {
        "dry_run": dry_run,
        "kind": preview.kind,
        "ok": preview.ok,
        "problem": preview.problem,
        "counts": preview.counts,
        "lines": preview.lines,
    }


class _CSVImport:
    """`POST …/import/` with a text/csv body: `?dry_run=1` says each line's fate and writes
    nothing (200); otherwise every line is written (201) or, when any line is in error, none
    (400 naming `file`, with every error by line under `lines`)."""

    import_kind = ""

    def _import(self, request):
        dry_run = request.query_params.get("dry_run", "0")
        if dry_run not in ("0", "1"):
            raise ValidationFailed("Give 0 or 1.", field="dry_run")
        text = request.data if isinstance(request.data, str) else ""
        if not text.strip():
            raise ValidationFailed("Send the CSV text, header first.", field="file")
        preview = imports.import_preview(kind=self.import_kind, text=text)
        if dry_run == "1":
            return Response(
                OutreachImportResultSerializer(_import_body(preview, dry_run=True)).data
            )
        if not preview.ok:
            raise ValidationError(
                {
                    "file": [
                        preview.problem
                        or f"{preview.count('error')} line(s) have errors; nothing was imported."
                    ],
                    "lines": [
                        f"Line {line.number}: {' '.join(line.messages)}"
                        for line in preview.lines
                        if line.fate == "error"
                    ],
                }
            )
        done = imports.import_commit(actor=request.user, kind=self.import_kind, text=text)
        return created(OutreachImportResultSerializer(_import_body(done, dry_run=False)).data)


def _import_schema(kind: str):
    columns = (
        "name (required), segment, owner (username or email), renewal_date (YYYY-MM-DD), "
        "health, open_escalation (yes/no), plans (price plans separated by `;`)"
        if kind == "accounts"
        else "email (required), account (an account's name, required), name, role, "
        "opted_out (yes/no)"
    )
    return extend_schema(
        request={"text/csv": {"type": "string"}},
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.INT,
                enum=[0, 1],
                description="1: say what each line would do and write nothing.",
            )
        ],
        responses={200: OutreachImportResultSerializer, 201: OutreachImportResultSerializer},
        description=f"Import {kind} from CSV, header first; columns: {columns}. Matched "
        f"{'by name' if kind == 'accounts' else 'by email'} ignoring case: a match is updated. "
        "With `?dry_run=1` each line's fate comes back and nothing is written (200); "
        "otherwise all lines are written (201) or, when any is in error, none (400 naming "
        "`file`, the errors by line under `lines`).",
    )


class _Versioned:
    """Create and versioned update through the app's services."""

    create_service = None
    update_service = None
    object_name = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = type(self).create_service(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            expected_version=version,
            **{self.object_name: serializer.instance},
            **data,
        )


class AccountViewSet(
    _CSVImport,
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Customer accounts (members and up)."""

    serializer_class = AccountSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.account_create)
    update_service = staticmethod(services.account_update)
    object_name = "account"
    import_kind = "accounts"

    def get_queryset(self):
        return selectors.account_list()

    @_import_schema("accounts")
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVTextParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_csv(self, request):
        return self._import(request)


class ContactViewSet(
    _CSVImport,
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """People at customer accounts (members and up)."""

    serializer_class = ContactSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    object_name = "contact"
    import_kind = "contacts"

    def get_queryset(self):
        return selectors.contact_list()

    @_import_schema("contacts")
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVTextParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_csv(self, request):
        return self._import(request)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description="The day to check (2000-01-01 to 2100-12-31); today if absent.",
            )
        ],
        responses=PreflightSerializer,
    )
    @action(detail=True, methods=["get"])
    def preflight(self, request, pk=None):
        """Can we contact them on that day, and if not, why and from when; who last did."""
        contact = self.get_object()
        query = PreflightQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = preflight(contact, on=query.validated_data.get("on"))
        return Response(PreflightSerializer(answer).data)

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Erase on the person's request: details blanked, touches kept anonymous."""
        contact = services.contact_erase(contact=self.get_object(), actor=request.user)
        return Response(ContactSerializer(contact).data)


class OutreachPlanViewSet(
    _Versioned,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    BaseViewSet,
):
    """Outreach plans proposed by teams (members and up)."""

    serializer_class = OutreachPlanSerializer
    action_roles = {"*": Role.MEMBER}
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    object_name = "plan"

    def get_queryset(self):
        return selectors.plan_list()


class TouchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Touches, newest first. Logging one runs the pre-flight; past a limit it needs a lead
    and `override_reason`. A touch is history: it is never changed."""

    serializer_class = TouchSerializer
    action_roles = {"*": Role.MEMBER}

    def get_queryset(self):
        return selectors.touch_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        touch = services.touch_log(actor=request.user, **serializer.validated_data)
        return created(TouchSerializer(touch).data)


class RequestAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """The customer accounts a request is about. Anyone who may read the request reads its
    links — the account's id and name, nothing else of it; members and up add and remove
    them. Filter with `?request=`."""

    serializer_class = RequestAccountSerializer
    action_roles = {
        "list": Role.STAKEHOLDER,
        "retrieve": Role.STAKEHOLDER,
        "create": Role.MEMBER,
        "destroy": Role.MEMBER,
    }
    filterset_fields = ["request"]

    def get_queryset(self):
        return selectors.request_account_links(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.request_account_add(
            actor=request.user,
            request=serializer.validated_data["request"],
            account=serializer.validated_data["account"],
        )
        return created(RequestAccountSerializer(link).data)

    def perform_destroy(self, instance):
        services.request_account_remove(
            actor=self.request.user, request=instance.request, account=instance.account
        )
