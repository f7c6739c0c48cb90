from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake.models import Request
from pricing.models import Plan
from prodops.accounts.models import Team, User

from .models import Account, Contact, OutreachPlan, RequestAccount, Touch


class AccountSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    price_plans = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.all(),
        many=True,
        required=False,
        help_text="The price plans the account is on; a price change in flight for one of "
        "them puts the account in a blackout. Sent, it replaces the list.",
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "segment",
            "owner",
            "renewal_date",
            "health",
            "open_escalation",
            "price_plans",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]
        # The unique-name rule lives in the service, which names the field itself.
        validators = []
        extra_kwargs = {"name": {"validators": []}}


class ErasableEmailField(serializers.EmailField):
    """An address, or null once the contact was erased."""

    def to_representation(self, value):
        return value or None


class ContactSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    email = ErasableEmailField(
        max_length=254, allow_null=True, help_text="Null once the contact was erased."
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "name",
            "role",
            "email",
            "opted_out",
            "erased_at",
            "created_at",
            "version",
        ]
        read_only_fields = ["erased_at", "created_at"]
        validators = []


class OutreachPlanSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    accounts = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), many=True, required=False
    )
    contacts = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), many=True, required=False
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = OutreachPlan
        fields = [
            "id",
            "title",
            "purpose",
            "team",
            "channel",
            "starts_on",
            "ends_on",
            "accounts",
            "contacts",
            "request",
            "roadmap_item",
            "serves",
            "status",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_by", "created_at"]


class TouchSerializer(serializers.ModelSerializer):
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all())
    plan = serializers.PrimaryKeyRelatedField(
        queryset=OutreachPlan.objects.all(), required=False, allow_null=True
    )
    override_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Needed past a limit of the contact budget, from a lead; kept with the touch.",
    )

    class Meta:
        model = Touch
        fields = [
            "id",
            "contact",
            "account",
            "plan",
            "on",
            "channel",
            "by",
            "outcome",
            "notes",
            "override_reason",
            "overridden_by",
            "created_at",
        ]
        read_only_fields = ["account", "by", "overridden_by", "created_at"]


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    sentence = serializers.CharField()
    lifts_on = serializers.DateField(allow_null=True)
    final = serializers.BooleanField(help_text="True when no override lifts it.")


class LastTouchSerializer(serializers.Serializer):
    on = serializers.DateField()
    by = serializers.CharField()
    channel = serializers.CharField()
    purpose = serializers.CharField()
    team = serializers.CharField()
    plan = serializers.CharField()


class PreflightSerializer(serializers.Serializer):
    contact = serializers.IntegerField(source="contact_id")
    on = serializers.DateField()
    allowed = serializers.BooleanField()
    overridable = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    next_allowed_on = serializers.DateField(
        allow_null=True, help_text="None when a reason has no known end."
    )
    last_touch = serializers.SerializerMethodField()

    @extend_schema_field(LastTouchSerializer(allow_null=True))
    def get_last_touch(self, answer):
        return LastTouchSerializer(answer.last_touch).data if answer.last_touch else None


class PreflightQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day to check; today if absent.")


class ImportLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="number", help_text="The file's line; the header is 1.")
    fate = serializers.ChoiceField(choices=["new", "update", "unchanged", "error"])
    label = serializers.CharField(help_text="The account's name or the contact's email.")
    messages = serializers.ListField(child=serializers.CharField())


class OutreachImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["accounts", "contacts"])
    ok = serializers.BooleanField(help_text="True when no line is in error.")
    problem = serializers.CharField(help_text="What stops the whole file, if anything.")
    counts = serializers.DictField(child=serializers.IntegerField())
    lines = ImportLineSerializer(many=True)


class RequestAccountSerializer(serializers.ModelSerializer):
    """A request's link to a customer account: only the account's name is shown, to anyone
    who may read the request."""

    request = serializers.PrimaryKeyRelatedField(queryset=Request.objects.all())
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = RequestAccount
        fields = ["id", "request", "account", "account_name"]
