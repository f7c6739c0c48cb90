"""Writes of customer outreach: accounts, contacts, plans, touches and erasure."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from .budget import preflight
from .models import Account, Contact, OutreachPlan, RequestAccount, Touch

ACCOUNT_FIELDS = ("name", "segment", "owner", "renewal_date", "health", "open_escalation")
CONTACT_FIELDS = ("name", "role", "email", "account", "opted_out")
PLAN_FIELDS = (
    "title",
    "purpose",
    "team",
    "channel",
    "starts_on",
    "ends_on",
    "request",
    "roadmap_item",
    "serves",
    "status",
)


def _require_member(actor) -> None:
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Customer outreach needs the team member role or higher.")


def _locked(model, obj, expected_version):
    if expected_version in (None, ""):
        raise ValidationFailed(
            "Send the version you loaded, so a change made since is not overwritten.",
            field="version",
        )
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if locked.version != int(expected_version):
        raise EditConflict()
    return locked


def _save(obj, *, exclude=None) -> None:
    obj.full_clean(exclude=exclude)
    obj.save()


def _check_account_name(name: str, *, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the account a name.", field="name")
    clash = Account.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists()
    if clash:
        raise ValidationFailed(f"An account named {name} already exists.", field="name")
    return name


def _check_email(email: str, *, exclude_pk=None) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationFailed("Give the contact's email address.", field="email")
    if Contact.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists():
        raise ValidationFailed(f"A contact with {email} already exists.", field="email")
    return email


# --- Accounts ------------------------------------------------------------------------------


def _plan_names(plans) -> str:
    return ", ".join(sorted(str(p) for p in plans)) or "none"


@transaction.atomic
def account_create(*, actor, name: str, price_plans=(), **fields) -> Account:
    _require_member(actor)
    fields = {k: v for k, v in fields.items() if k in ACCOUNT_FIELDS}
    account = Account(name=_check_account_name(name), **fields)
    _save(account)
    if price_plans:
        account.price_plans.set(price_plans)
    activity_record(actor=actor, target=account, verb="created")
    return account


@transaction.atomic
def account_update(
    *, account: Account, actor, expected_version, price_plans=None, **fields
) -> Account:
    """Change an account; `price_plans`, when given, replaces the plans it is on."""
    _require_member(actor)
    locked = _locked(Account, account, expected_version)
    if "name" in fields:
        fields["name"] = _check_account_name(fields["name"], exclude_pk=locked.pk)
    changes = {}
    for name, value in fields.items():
        if name in ACCOUNT_FIELDS and getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    if price_plans is not None:
        before = list(locked.price_plans.select_related("product"))
        if {p.pk for p in before} != {p.pk for p in price_plans}:
            changes["price_plans"] = [_plan_names(before), _plan_names(price_plans)]
            locked.price_plans.set(price_plans)
    if changes:
        locked.version += 1
        _save(locked)
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    return locked


# --- Contacts ------------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, actor, account: Account, email: str, name: str = "", **fields) -> Contact:
    _require_member(actor)
    contact = Contact(account=account, email=_check_email(email), name=name.strip(), **fields)
    _save(contact)
    activity_record(actor=actor, target=contact, verb="created")
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor, expected_version, **fields) -> Contact:
    _require_member(actor)
    locked = _locked(Contact, contact, expected_version)
    if locked.erased_at is not None:
        raise ValidationFailed("This contact was erased; nothing about them can be changed.")
    if "email" in fields:
        fields["email"] = _check_email(fields["email"], exclude_pk=locked.pk)
    changed = []
    for name, value in fields.items():
        if name in CONTACT_FIELDS and getattr(locked, name) != value:
            changed.append(name)
            setattr(locked, name, value)
    if changed:
        locked.version += 1
        _save(locked)
        # Field names only: the trail never keeps a person's details.
        activity_record(actor=actor, target=locked, verb="updated", changes={"fields": changed})
    return locked


@transaction.atomic
def contact_erase(*, contact: Contact, actor) -> Contact:
    """Erase a contact on their request: name, email and role are blanked, notes on their
    touches too, `erased_at` set. The touches stay (the account's history and budget still
    count them) but no longer say who was touched."""
    _require_member(actor)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.erased_at is not None:
        return locked
    locked.name = ""
    locked.email = ""
    locked.role = ""
    locked.erased_at = timezone.now()
    locked.version += 1
    locked.save()
    Touch.objects.filter(contact=locked).update(notes="")
    activity_record(actor=actor, target=locked, verb="erased")
    return locked


# --- Plans ---------------------------------------------------------------------------------


def _check_plan(plan: OutreachPlan, actor) -> None:
    if plan.team_id and not may_act_for_team(actor, plan.team, minimum=Role.MEMBER):
        raise NotAllowed(f"Only {plan.team}'s own people (or an admin) plan its outreach.")
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        raise ValidationFailed("The end date comes before the start date.", field="ends_on")


@transaction.atomic
def plan_create(*, actor, accounts=(), contacts=(), **fields) -> OutreachPlan:
    """A team proposes outreach to some accounts and/or contacts."""
    _require_member(actor)
    fields = {k: v for k, v in fields.items() if k in PLAN_FIELDS}
    plan = OutreachPlan(created_by=actor, **fields)
    _check_plan(plan, actor)
    _save(plan)
    plan.accounts.set(accounts)
    plan.contacts.set(contacts)
    activity_record(actor=actor, target=plan, verb="created")
    return plan


@transaction.atomic
def plan_update(
    *, plan: OutreachPlan, actor, expected_version, accounts=None, contacts=None, **fields
) -> OutreachPlan:
    _require_member(actor)
    locked = _locked(OutreachPlan, plan, expected_version)
    if not may_act_for_team(actor, locked.team, minimum=Role.MEMBER):
        raise NotAllowed(f"Only {locked.team}'s own people (or an admin) change its outreach.")
    changed = []
    for name, value in fields.items():
        if name in PLAN_FIELDS and getattr(locked, name) != value:
            changed.append(name)
            setattr(locked, name, value)
    _check_plan(locked, actor)
    if accounts is not None and {a.pk for a in accounts} != set(
        locked.accounts.values_list("pk", flat=True)
    ):
        locked.accounts.set(accounts)
        changed.append("accounts")
    if contacts is not None and {c.pk for c in contacts} != set(
        locked.contacts.values_list("pk", flat=True)
    ):
        locked.contacts.set(contacts)
        changed.append("contacts")
    if changed:
        locked.version += 1
        _save(locked)
        activity_record(actor=actor, target=locked, verb="updated", changes={"fields": changed})
    return locked


# --- Touches -------------------------------------------------------------------------------


@transaction.atomic
def touch_log(
    *,
    actor,
    contact: Contact,
    on: dt.date,
    channel: str,
    outcome: str = Touch.Outcome.REACHED,
    notes: str = "",
    plan: OutreachPlan | None = None,
    override_reason: str = "",
) -> Touch:
    """Log a touch after the pre-flight, run while the contact and its account are locked, so
    two people logging at once cannot both spend the last place in the budget. Past a limit
    the touch needs a lead (of the plan's team, when there is a plan) and their reason, both
    kept. An opted-out or erased contact is never touched, override or not."""
    _require_member(actor)
    if on is None:
        raise ValidationFailed("Give the day of the touch.", field="on")
    if on > timezone.localdate():
        raise ValidationFailed("A touch is logged once it happened: not a future day.", field="on")
    # Account first, then contact: every writer locks in this order, so none deadlock.
    Account.objects.select_for_update().get(pk=contact.account_id)
    locked = Contact.objects.select_for_update().select_related("account").get(pk=contact.pk)
    answer = preflight(locked, on=on)
    override_reason = (override_reason or "").strip()
    overridden_by = None
    if not answer.allowed:
        finals = [r for r in answer.reasons if r.final]
        if finals:
            raise ValidationFailed(finals[0].sentence, field="contact")
        team = plan.team if plan is not None else None
        if not may_act_for_team(actor, team, minimum=Role.LEAD):
            raise NotAllowed(
                "Past the contact budget: "
                + " ".join(r.sentence for r in answer.reasons)
                + " Only a lead"
                + (f" of {team}" if team else "")
                + " may go past it, with a reason."
            )
        if not override_reason:
            raise ValidationFailed(
                "Say why this contact cannot wait: " + " ".join(r.sentence for r in answer.reasons),
                field="override_reason",
            )
        overridden_by = actor
    else:
        override_reason = ""
    touch = Touch(
        contact=locked,
        account=locked.account,
        plan=plan,
        on=on,
        channel=channel,
        by=actor,
        outcome=outcome,
        notes=notes,
        override_reason=override_reason,
        overridden_by=overridden_by,
    )
    _save(touch)
    activity_record(
        actor=actor,
        target=touch,
        verb="logged",
        changes={"overridden": True} if overridden_by else {},
    )
    return touch


# --- Accounts on requests ------------------------------------------------------------------


def _request_accounts_changed(*, actor, request, before: list[str]) -> None:
    after = list(
        RequestAccount.objects.filter(request=request)
        .order_by("account__name")
        .values_list("account__name", flat=True)
    )
    activity_record(
        actor=actor,
        target=request,
        verb="updated",
        changes={"accounts": [", ".join(before) or "none", ", ".join(after) or "none"]},
    )


@transaction.atomic
def request_account_add(*, actor, request, account: Account) -> RequestAccount:
    """Say a request is about a customer account (members and up). Adding a link that exists
    changes nothing."""
    _require_member(actor)
    before = list(
        RequestAccount.objects.filter(request=request)
        .order_by("account__name")
        .values_list("account__name", flat=True)
    )
    link, made = RequestAccount.objects.get_or_create(
        request=request, account=account, defaults={"added_by": actor}
    )
    if made:
        _request_accounts_changed(actor=actor, request=request, before=before)
    return link


@transaction.atomic
def request_account_remove(*, actor, request, account: Account) -> bool:
    """Take an account off a request (members and up); False when it was not on it."""
    _require_member(actor)
    before = list(
        RequestAccount.objects.filter(request=request)
        .order_by("account__name")
        .values_list("account__name", flat=True)
    )
    removed, _by_model = RequestAccount.objects.filter(request=request, account=account).delete()
    if removed:
        _request_accounts_changed(actor=actor, request=request, before=before)
    return bool(removed)
