from django import forms

from pricing.models import Plan
from prodops.accounts.models import Team, User
from prodops.core import limits

from .models import Account, Channel, Contact, OutreachPlan, Touch


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.Form):
    title = forms.CharField(max_length=200)
    purpose = forms.ChoiceField(choices=OutreachPlan.Purpose.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), label="Proposing team")
    channel = forms.ChoiceField(choices=Channel.choices)
    starts_on = forms.DateField(label="Starts", widget=DateInput)
    ends_on = forms.DateField(label="Ends", widget=DateInput)
    accounts = forms.ModelMultipleChoiceField(
        queryset=Account.objects.order_by("name"),
        required=False,
        help_text="Every contact of these accounts is part of the plan.",
    )
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.filter(erased_at__isnull=True)
        .select_related("account")
        .order_by("name"),
        required=False,
    )
    serves = forms.CharField(
        max_length=300,
        required=False,
        label="Serves",
        help_text="What this outreach serves: a request, a roadmap item, a price change, a metric.",
    )


class PlanEditForm(PlanForm):
    status = forms.ChoiceField(choices=OutreachPlan.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AccountForm(forms.Form):
    name = forms.CharField(max_length=200)
    segment = forms.ChoiceField(choices=Account.Segment.choices)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "username"),
        required=False,
    )
    renewal_date = forms.DateField(label="Renewal date", required=False, widget=DateInput)
    health = forms.ChoiceField(choices=Account.Health.choices)
    open_escalation = forms.BooleanField(label="Open escalation", required=False)
    price_plans = forms.ModelMultipleChoiceField(
        queryset=Plan.objects.select_related("product").order_by("product__name", "name"),
        required=False,
        label="Price plans",
        help_text="The plans the account is on: a price change in flight for one of them "
        "pauses outreach to the account.",
    )


class AccountEditForm(AccountForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    role = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254)
    opted_out = forms.BooleanField(label="Opted out", required=False)


class ContactEditForm(ContactForm):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    field_order = ["name", "role", "email", "account", "opted_out", "version"]


class TouchForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none())
    on = forms.DateField(label="Day", widget=DateInput)
    channel = forms.ChoiceField(choices=Channel.choices)
    outcome = forms.ChoiceField(choices=Touch.Outcome.choices)
    notes = forms.CharField(
        required=False, max_length=limits.NOTES, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Override reason",
        help_text="Leads only: why this contact cannot wait past the budget. Kept with the touch.",
    )

    def __init__(self, *args, contacts=None, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.filter(pk__in=[c.pk for c in contacts or []])
            if contacts is not None
            else Contact.objects.all()
        )
        if not may_override:
            del self.fields["override_reason"]


class PreflightForm(forms.Form):
    q = forms.CharField(label="Contact (name or email)", max_length=limits.SEARCH, required=False)
    on = forms.DateField(label="On", required=False, widget=DateInput)


class ImportForm(forms.Form):
    KINDS = [("accounts", "Accounts"), ("contacts", "Contacts")]
    kind = forms.ChoiceField(choices=KINDS, label="What the file holds")
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="Accounts: name, segment, owner, renewal_date, health, open_escalation, "
        "plans (price plans separated by ;). "
        "Contacts: name, role, email, account, opted_out.",
    )
    text = forms.CharField(widget=forms.HiddenInput, required=False)
