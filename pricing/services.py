"""Writes for pricing: the price book, price change proposals (approvals, readiness, the
effective switch) and pricing reviews. Money is Decimal from the edge to the database:
a float is refused, never converted."""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.notifications.services import notify
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure, review_complete

from . import lifecycle, selectors
from .currencies import ISO_4217
from .models import (
    Approval,
    Audience,
    BillingPeriod,
    Plan,
    PricePoint,
    PriceProposal,
    PricingReview,
    Product,
    ProposalStatus,
    ProposedPrice,
    ReadinessItem,
    Segment,
)

logger = logging.getLogger(__name__)

# A plan's pricing review comes round every quarter unless its cadence says otherwise.
DEFAULT_REVIEW_INTERVAL_DAYS = 91
# A change is looked back on this many days after it takes effect.
POST_CHANGE_REVIEW_DAYS = 90
CENT = Decimal("0.01")


def notice_days() -> int:
    """Days of notice existing customers get before a price change (setting
    PRICING_NOTICE_DAYS, default 60)."""
    return int(getattr(settings, "PRICING_NOTICE_DAYS", 60))


def second_approval_percent() -> Decimal:
    """A change of more than this many percent, up or down, on any price also needs an admin's
    approval (setting PRICING_SECOND_APPROVAL_PERCENT, default 10)."""
    return Decimal(str(getattr(settings, "PRICING_SECOND_APPROVAL_PERCENT", "10")))


# --- small rules ---------------------------------------------------------------------------


def _require(actor, minimum: Role, what: str) -> None:
    if not has_role(actor, minimum):
        raise NotAllowed(f"Only a {Role(minimum).label.lower()} or higher may {what}.")


def money(value, *, field: str = "amount") -> Decimal:
    """An amount as Decimal with at most two decimals, from a Decimal, an int or a string.
    A float is refused: it may already have lost the cents it was meant to carry."""
    if isinstance(value, float | bool):
        raise ValidationFailed("Give the amount as a decimal string, such as “49.00”.", field=field)
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed("Give the amount as a number, such as 49.00.", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("An amount is zero or more.", field=field)
    if amount != amount.quantize(CENT):
        raise ValidationFailed("An amount has at most two decimals.", field=field)
    if amount >= Decimal("1e10"):
        raise ValidationFailed("That amount is too large.", field=field)
    return amount.quantize(CENT)


def _currency(value, *, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if code not in ISO_4217:
        raise ValidationFailed(
            f"“{value}” is not an ISO 4217 currency code (such as EUR or USD).", field=field
        )
    return code


def _period(value, *, field: str = "billing_period") -> str:
    if value not in BillingPeriod.values:
        raise ValidationFailed(
            f"Choose a billing period: {', '.join(BillingPeriod.values)}.", field=field
        )
    return value


def needs_admin_approval(proposal: PriceProposal) -> bool:
    """The two-step rule: a proposal needs an admin's approval after the lead's when any of its
    prices moves by more than the threshold (up or down), or sets a price where there was
    none (nothing to measure the change against)."""
    threshold = second_approval_percent()
    for row in selectors.proposal_changes(proposal):
        if row.percent is None or abs(row.percent) > threshold:
            return True
    return False


def notice_refusal(*, effective_on: dt.date, today: dt.date, override_reason: str) -> str | None:
    """A change must give existing customers the notice period: an effective date sooner than
    that is refused unless a lead gives a reason to override. Returns the refusal or None."""
    days = notice_days()
    if effective_on < today:
        return "The effective date has passed; choose a date from today on."
    if (effective_on - today).days < days and not (override_reason or "").strip():
        return (
            f"Customers get {days} days' notice: choose {today + dt.timedelta(days=days):%d %b %Y}"
            " or later, or give a reason to override the notice period."
        )
    return None


# --- the price book ------------------------------------------------------------------------


def _locked(model, obj, expected_version):
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise EditConflict()
    return locked


def _lead_or_none(user, field: str):
    if user is not None and not has_role(user, Role.LEAD):
        raise ValidationFailed(
            f"{user} cannot own pricing: choose a lead or an admin.", field=field
        )
    return user


@transaction.atomic
def product_create(*, actor, name: str, description: str = "", owner=None) -> Product:
    _require(actor, Role.LEAD, "add a product")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the product.", field="name")
    if Product.objects.filter(name__iexact=name).exists():
        raise ValidationFailed("A product of that name exists.", field="name")
    product = Product.objects.create(
        name=name, description=description or "", owner=_lead_or_none(owner, "owner")
    )
    activity_record(actor=actor, target=product, verb="created")
    return product


@transaction.atomic
def product_update(*, product: Product, actor, expected_version=None, **fields) -> Product:
    _require(actor, Role.LEAD, "change a product")
    locked = _locked(Product, product, expected_version)
    changes = {}
    for name in ("name", "description", "owner"):
        if name not in fields:
            continue
        value = fields[name]
        if name == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationFailed("Name the product.", field="name")
            if Product.objects.filter(name__iexact=value).exclude(pk=locked.pk).exists():
                raise ValidationFailed("A product of that name exists.", field="name")
        if name == "owner":
            _lead_or_none(value, "owner")
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
        if "owner" in changes:
            _plan_cadences(plan_ids=locked.plans.values("pk")).update(escalate_to=locked.owner)
    return locked


def _plan_cadences(*, plan_ids):
    from django.contrib.contenttypes.models import ContentType

    return Cadence.objects.filter(
        kind=Cadence.Kind.PRICE_PLAN,
        target_type=ContentType.objects.get_for_model(Plan),
        target_id__in=plan_ids,
    )


@transaction.atomic
def plan_create(
    *,
    actor,
    product: Product,
    name: str,
    segment: str = Segment.SMB,
    status: str = Plan.Status.ACTIVE,
    owner=None,
    review_interval_days: int = DEFAULT_REVIEW_INTERVAL_DAYS,
    first_review_on: dt.date | None = None,
) -> Plan:
    """A new plan, with its pricing review cadence (every quarter by default, run by the
    plan's owner, escalated to the product's owner when overdue)."""
    _require(actor, Role.LEAD, "add a plan")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the plan.", field="name")
    if segment not in Segment.values:
        raise ValidationFailed("Choose a segment.", field="segment")
    if status not in Plan.Status.values:
        raise ValidationFailed("Choose a status.", field="status")
    if Plan.objects.filter(product=product, name__iexact=name).exists():
        raise ValidationFailed(f"{product} already has a plan of that name.", field="name")
    plan = Plan.objects.create(
        product=product,
        name=name,
        segment=segment,
        status=status,
        owner=_lead_or_none(owner, "owner"),
    )
    cadence_ensure(
        kind=Cadence.Kind.PRICE_PLAN,
        target=plan,
        title=f"Pricing review: {plan}",
        owner=plan.owner,
        escalate_to=product.owner,
        url=reverse("pricing:plan", args=[plan.pk]),
        interval_days=review_interval_days,
        first_due_on=first_review_on,
    )
    activity_record(actor=actor, target=plan, verb="created")
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor, expected_version=None, **fields) -> Plan:
    _require(actor, Role.LEAD, "change a plan")
    locked = _locked(Plan, plan, expected_version)
    changes = {}
    for name in ("name", "segment", "status", "owner"):
        if name not in fields:
            continue
        value = fields[name]
        if name == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationFailed("Name the plan.", field="name")
            duplicate = Plan.objects.filter(product_id=locked.product_id, name__iexact=value)
            if duplicate.exclude(pk=locked.pk).exists():
                raise ValidationFailed("The product already has a plan of that name.", field="name")
        if name == "segment" and value not in Segment.values:
            raise ValidationFailed("Choose a segment.", field="segment")
        if name == "status" and value not in Plan.Status.values:
            raise ValidationFailed("Choose a status.", field="status")
        if name == "owner":
            _lead_or_none(value, "owner")
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
        cadences = _plan_cadences(plan_ids=[locked.pk])
        if "owner" in changes:
            cadences.update(owner=locked.owner)
        if "status" in changes:
            # A retired plan is no longer reviewed.
            cadences.update(active=locked.status != Plan.Status.RETIRED)
    return locked


@transaction.atomic
def price_point_record(
    *,
    actor,
    plan: Plan,
    amount,
    currency: str,
    billing_period: str,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    note: str = "",
) -> PricePoint:
    """Record a price of the plan's history directly (prices kept before proposals). An
    overlap with another price of the same plan, currency and period is refused by the
    database; the refusal names `effective_from`."""
    _require(actor, Role.LEAD, "record a price")
    amount = money(amount)
    currency = _currency(currency)
    billing_period = _period(billing_period)
    if effective_from is None:
        raise ValidationFailed("Give the date the price starts.", field="effective_from")
    if effective_to is not None and effective_to <= effective_from:
        raise ValidationFailed("A price ends after it starts.", field="effective_to")
    try:
        with transaction.atomic():
            point = PricePoint.objects.create(
                plan=plan,
                amount=amount,
                currency=currency,
                billing_period=billing_period,
                effective_from=effective_from,
                effective_to=effective_to,
                created_by=actor,
                note=(note or "")[:200],
            )
    except IntegrityError as error:
        if "pricing_price_points_do_not_overlap" in str(error):
            raise ValidationFailed(
                f"{plan} already has a {currency} price {BillingPeriod(billing_period).label} "
                "for part of these dates.",
                field="effective_from",
            ) from None
        raise
    activity_record(
        actor=actor,
        target=point,
        verb="created",
        changes={"amount": ["", f"{amount} {currency}"]},
    )
    return point


# --- proposals -----------------------------------------------------------------------------


PROPOSAL_TEXT_FIELDS = (
    "title",
    "rationale",
    "input_win_loss",
    "input_churn",
    "input_competitor",
    "input_usage",
    "input_links",
    "expected_effect",
    "metric_url",
)
PROPOSAL_FIELDS = (
    *PROPOSAL_TEXT_FIELDS,
    "metric",
    "expected_change",
    "expected_by",
    "effective_on",
    "affected_customers",
    "grandfathering",
    "grandfathered_until",
    "notice_override_reason",
)


NULLABLE_PROPOSAL_FIELDS = (
    "grandfathered_until",
    "affected_customers",
    "metric",
    "expected_change",
    "expected_by",
)


def _clean_lines(lines) -> list[dict]:
    """Proposed prices as dicts of plan, amount, currency, billing_period; at least one, and
    one per plan, currency and period."""
    if not lines:
        raise ValidationFailed("Propose at least one new price.", field="lines")
    cleaned, seen = [], set()
    for line in lines:
        plan = line.get("plan")
        if not isinstance(plan, Plan):
            plan = Plan.objects.filter(pk=plan).first() if str(plan or "").isdigit() else None
        if plan is None:
            raise ValidationFailed("Choose the plan each new price is for.", field="lines")
        if plan.status == Plan.Status.RETIRED:
            raise ValidationFailed(f"{plan} is retired: it takes no new price.", field="lines")
        row = {
            "plan": plan,
            "amount": money(line.get("amount"), field="lines"),
            "currency": _currency(line.get("currency"), field="lines"),
            "billing_period": _period(line.get("billing_period"), field="lines"),
        }
        key = (plan.pk, row["currency"], row["billing_period"])
        if key in seen:
            raise ValidationFailed(
                f"{plan} has two new {row['currency']} prices for one period.", field="lines"
            )
        seen.add(key)
        cleaned.append(row)
    return cleaned


def _check_fields(fields: dict, *, actor, today: dt.date) -> dict:
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationFailed("Give the proposal a title.", field="title")
    if "rationale" in fields and not (fields["rationale"] or "").strip():
        raise ValidationFailed("Say why the price should change.", field="rationale")
    if "effective_on" in fields and not fields["effective_on"]:
        raise ValidationFailed("Give the date the new price takes effect.", field="effective_on")
    grandfathering = fields.get("grandfathering")
    if grandfathering is not None and grandfathering not in PriceProposal.Grandfathering.values:
        raise ValidationFailed("Choose how existing customers are treated.", field="grandfathering")
    affected = fields.get("affected_customers")
    if affected is not None and (not isinstance(affected, int) or affected < 0):
        raise ValidationFailed("Give a whole number of customers.", field="affected_customers")
    if fields.get("expected_change") is not None:
        fields["expected_change"] = _metric_change(fields["expected_change"])
    return fields


def _metric_change(value) -> Decimal:
    if isinstance(value, float | bool):
        raise ValidationFailed(
            "Give the expected change as a decimal string, such as “-2.5”.", field="expected_change"
        )
    try:
        change = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "Give the expected change as a number, such as 5 or -2.5.", field="expected_change"
        ) from None
    if not change.is_finite() or change.as_tuple().exponent < -4 or abs(change) >= Decimal("1e12"):
        raise ValidationFailed(
            "Give the expected change with at most four decimals.", field="expected_change"
        )
    return change


def _validate_proposal(proposal: PriceProposal, *, today: dt.date) -> None:
    """What every proposal must hold together: grandfathering until a date names a date
    after the effective date, and the notice period is kept or overridden with a reason."""
    if proposal.grandfathering == PriceProposal.Grandfathering.UNTIL:
        if proposal.grandfathered_until is None:
            raise ValidationFailed(
                "Say until when existing customers keep the old price.",
                field="grandfathered_until",
            )
        if proposal.grandfathered_until <= proposal.effective_on:
            raise ValidationFailed(
                "Grandfathering ends after the new price takes effect.",
                field="grandfathered_until",
            )
    elif proposal.grandfathered_until is not None:
        proposal.grandfathered_until = None
    if proposal.metric_id is None:
        proposal.expected_change = proposal.expected_by = None
    else:
        if proposal.expected_change is None:
            raise ValidationFailed(
                "Say how much the metric should move (in its unit, signed).",
                field="expected_change",
            )
        if proposal.expected_change == 0:
            raise ValidationFailed(
                "An expected change of zero tells nothing; give how much it should move.",
                field="expected_change",
            )
        if proposal.expected_by is None or proposal.expected_by <= proposal.effective_on:
            raise ValidationFailed(
                "Give the date the metric should have moved by, after the effective date.",
                field="expected_by",
            )
    if refusal := notice_refusal(
        effective_on=proposal.effective_on,
        today=today,
        override_reason=proposal.notice_override_reason,
    ):
        raise ValidationFailed(refusal, field="effective_on")


def _record_override(proposal: PriceProposal, actor) -> None:
    if (proposal.notice_override_reason or "").strip():
        proposal.notice_overridden_by = actor
    else:
        proposal.notice_override_reason = ""
        proposal.notice_overridden_by = None


@transaction.atomic
def proposal_create(
    *, actor, lines, readiness_owners: dict | None = None, today: dt.date | None = None, **fields
) -> PriceProposal:
    """A lead drafts a price change: new prices for one or more plans from an effective date,
    with why and what is expected; its readiness checklist starts open, each item owned by
    `readiness_owners[kind]` or the proposer."""
    _require(actor, Role.LEAD, "propose a price change")
    today = today or timezone.localdate()
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    for required in ("title", "rationale", "effective_on"):
        fields.setdefault(required, None)
    fields = _check_fields(fields, actor=actor, today=today)
    cleaned = _clean_lines(lines)
    proposal = PriceProposal(created_by=actor, **{k: v for k, v in fields.items() if v is not None})
    proposal.title = proposal.title.strip()
    _record_override(proposal, actor)
    _validate_proposal(proposal, today=today)
    proposal.save()
    ProposedPrice.objects.bulk_create(ProposedPrice(proposal=proposal, **row) for row in cleaned)
    owners = readiness_owners or {}
    ReadinessItem.objects.bulk_create(
        ReadinessItem(proposal=proposal, kind=kind, owner=owners.get(kind) or actor)
        for kind in ReadinessItem.Kind.values
    )
    activity_record(actor=actor, target=proposal, verb="created")
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: PriceProposal,
    actor,
    expected_version=None,
    lines=None,
    today: dt.date | None = None,
    **fields,
) -> PriceProposal:
    """A lead changes a draft; once submitted, the prices and dates under approval stay as
    they are (a rejected proposal is followed by a new draft)."""
    _require(actor, Role.LEAD, "change a price change proposal")
    today = today or timezone.localdate()
    locked = _locked(PriceProposal, proposal, expected_version)
    if locked.status not in lifecycle.EDITABLE:
        raise ValidationFailed(
            f"A proposal that is {locked.get_status_display().lower()} cannot change.",
            field="status",
        )
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    _check_fields(fields, actor=actor, today=today)
    changes = {}
    for name, value in fields.items():
        if value is None and name not in NULLABLE_PROPOSAL_FIELDS:
            value = ""
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    if "notice_override_reason" in changes:
        _record_override(locked, actor)
    _validate_proposal(locked, today=today)
    if lines is not None:
        cleaned = _clean_lines(lines)
        locked.lines.all().delete()
        ProposedPrice.objects.bulk_create(ProposedPrice(proposal=locked, **row) for row in cleaned)
        changes["lines"] = ["…", "…"]
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    return locked


def _move(locked: PriceProposal, target: str, actor, *, by_task: bool = False) -> None:
    check = lifecycle.check_move(
        current=locked.status,
        target=target,
        role_ok=lambda minimum: has_role(actor, minimum),
        by_task=by_task,
    )
    if not check.allowed:
        if check.field is None:
            raise NotAllowed(check.reason)
        raise ValidationFailed(check.reason, field=check.field)
    previous = locked.status
    locked.status = target
    locked.version += 1
    activity_record(
        actor=actor, target=locked, verb="status_changed", changes={"status": [previous, target]}
    )


def _url(proposal: PriceProposal) -> str:
    return reverse("pricing:proposal", args=[proposal.pk])


@transaction.atomic
def proposal_submit(
    *, proposal: PriceProposal, actor, expected_version=None, today: dt.date | None = None
) -> PriceProposal:
    """A lead puts a draft up for approval; the notice period is checked again."""
    _require(actor, Role.LEAD, "submit a price change")
    locked = _locked(PriceProposal, proposal, expected_version)
    _validate_proposal(locked, today=today or timezone.localdate())
    if not locked.lines.exists():
        raise ValidationFailed("Propose at least one new price.", field="lines")
    _move(locked, ProposalStatus.IN_REVIEW, actor)
    locked.submitted_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def proposal_approve(
    *,
    proposal: PriceProposal,
    actor,
    note: str = "",
    expected_version=None,
    today: dt.date | None = None,
) -> PriceProposal:
    """Approval in order: first a lead's step; when the change needs it (see
    needs_admin_approval) then an admin's, by someone other than the lead who approved.
    Both steps are kept. The last step needed makes the proposal approved."""
    _require(actor, Role.LEAD, "approve a price change")
    locked = _locked(PriceProposal, proposal, expected_version)
    if locked.status != ProposalStatus.IN_REVIEW:
        raise ValidationFailed(
            f"Only a proposal in review can be approved; this one is "
            f"{locked.get_status_display().lower()}.",
            field="status",
        )
    _validate_proposal(locked, today=today or timezone.localdate())
    steps = {a.step: a for a in locked.approvals.all() if a.standing}
    admin_needed = needs_admin_approval(locked)
    if Approval.Step.LEAD not in steps:
        step = Approval.Step.LEAD
    elif admin_needed and Approval.Step.ADMIN not in steps:
        if not has_role(actor, Role.ADMIN):
            raise NotAllowed(
                f"This change moves a price by more than {second_approval_percent()} %: "
                "the second approval is an admin's."
            )
        if steps[Approval.Step.LEAD].approver_id == actor.pk:
            raise NotAllowed("The second approval must come from someone else than the first.")
        step = Approval.Step.ADMIN
    else:
        raise ValidationFailed("This proposal has every approval it needs.", field="status")
    Approval.objects.create(proposal=locked, step=step, approver=actor, note=(note or "").strip())
    activity_record(actor=actor, target=locked, verb="approved", summary=f"{step}: {note}")
    done = step == Approval.Step.ADMIN or not admin_needed
    if done:
        _move(locked, ProposalStatus.APPROVED, actor)
        locked.decided_at = timezone.now()
    else:
        locked.version += 1
        notify(
            recipients=selectors.admins(),
            kind=Notification.Kind.GENERAL,
            title=f"Second approval asked: {locked.title}",
            body=f"The change moves a price by more than {second_approval_percent()} %.",
            url=_url(locked),
            dedupe_key=f"pricing-second-approval:{locked.pk}",
            exclude=actor,
        )
    locked.save()
    return locked


@transaction.atomic
def proposal_reject(
    *, proposal: PriceProposal, actor, reason: str, expected_version=None
) -> PriceProposal:
    """A lead (or, at the second step, an admin) rejects a proposal in review, saying why."""
    _require(actor, Role.LEAD, "reject a price change")
    locked = _locked(PriceProposal, proposal, expected_version)
    if not (reason or "").strip():
        raise ValidationFailed("Say why the change is rejected.", field="reason")
    _move(locked, ProposalStatus.REJECTED, actor)
    locked.rejection_reason = reason.strip()
    locked.decided_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def proposal_return_to_draft(
    *, proposal: PriceProposal, actor, reason: str, expected_version=None
) -> PriceProposal:
    """A lead (the author is one) takes a proposal in review back to draft, saying why, to
    change it. The approvals given so far are withdrawn — they approved what may now change —
    but kept in the trail, followed by a "returned to draft" step with the reason; the next
    submission starts the approvals over."""
    _require(actor, Role.LEAD, "return a price change to draft")
    locked = _locked(PriceProposal, proposal, expected_version)
    if not (reason or "").strip():
        raise ValidationFailed("Say why the proposal goes back to draft.", field="reason")
    _move(locked, ProposalStatus.DRAFT, actor)
    now = timezone.now()
    locked.approvals.filter(step__in=Approval.APPROVING, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    Approval.objects.create(
        proposal=locked, step=Approval.Step.RETURNED, approver=actor, note=reason.strip()
    )
    locked.submitted_at = None
    locked.save()
    if locked.created_by_id and locked.created_by_id != actor.pk:
        notify(
            recipients=[locked.created_by],
            kind=Notification.Kind.GENERAL,
            title=f"Back to draft: {locked.title}",
            body=reason.strip(),
            url=_url(locked),
        )
    return locked


@transaction.atomic
def proposal_schedule(
    *, proposal: PriceProposal, actor, expected_version=None, today: dt.date | None = None
) -> PriceProposal:
    """A lead schedules an approved change for its effective date (notice checked again, and
    no plan may already have a later price that the new one would overlap)."""
    _require(actor, Role.LEAD, "schedule a price change")
    locked = _locked(PriceProposal, proposal, expected_version)
    _validate_proposal(locked, today=today or timezone.localdate())
    for line in locked.lines.select_related("plan"):
        later = PricePoint.objects.filter(
            plan=line.plan,
            currency=line.currency,
            billing_period=line.billing_period,
            effective_from__gte=locked.effective_on,
        )
        if later.exists():
            raise ValidationFailed(
                f"{line.plan} already has a {line.currency} price from {locked.effective_on} "
                "on; choose a later effective date.",
                field="effective_on",
            )
    _move(locked, ProposalStatus.SCHEDULED, actor)
    locked.scheduled_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def readiness_mark_done(*, item: ReadinessItem, actor, done: bool = True) -> ReadinessItem:
    """The item's owner or a lead ticks an item off (or back on)."""
    if not (
        has_role(actor, Role.LEAD) or (item.owner_id == actor.pk and has_role(actor, Role.MEMBER))
    ):
        raise NotAllowed("Only the item's owner or a lead may tick it off.")
    locked = ReadinessItem.objects.select_for_update().get(pk=item.pk)
    if locked.proposal.status == ProposalStatus.EFFECTIVE:
        raise ValidationFailed("The change is already effective.", field="done")
    locked.done_at = timezone.now() if done else None
    locked.done_by = actor if done else None
    locked.save(update_fields=["done_at", "done_by"])
    activity_record(
        actor=actor,
        target=locked.proposal,
        verb="readiness",
        summary=f"{locked}: {'done' if done else 'reopened'}",
    )
    return locked


@transaction.atomic
def readiness_waive(*, item: ReadinessItem, actor, reason: str) -> ReadinessItem:
    """A lead lets a change go live without an item, saying why."""
    _require(actor, Role.LEAD, "waive a readiness item")
    if not (reason or "").strip():
        raise ValidationFailed("Say why the item is waived.", field="reason")
    locked = ReadinessItem.objects.select_for_update().get(pk=item.pk)
    locked.waived_reason = reason.strip()
    locked.waived_by = actor
    locked.save(update_fields=["waived_reason", "waived_by"])
    activity_record(
        actor=actor,
        target=locked.proposal,
        verb="readiness",
        summary=f"{locked}: waived — {reason}",
    )
    return locked


@transaction.atomic
def readiness_assign(*, item: ReadinessItem, actor, owner) -> ReadinessItem:
    _require(actor, Role.LEAD, "assign a readiness item")
    if owner is None or not has_role(owner, Role.MEMBER):
        raise ValidationFailed("Choose a team member to own the item.", field="owner")
    item.owner = owner
    item.save(update_fields=["owner"])
    return item


def proposal_make_effective(*, proposal_id: int, today: dt.date | None = None) -> bool:
    """Make a scheduled change's prices current, exactly once: in one transaction, the
    proposal is locked (a concurrent run skips it) and must still be scheduled and due; each
    plan's current price ends where the new one starts, the new price points are
    inserted, the proposal becomes effective, the post-change review is set 90 days out and
    the people involved are told — all committed together, or (after a crash) none of it, so
    the next beat starts again from scratch. A change with open readiness items waits."""
    today = today or timezone.localdate()
    with transaction.atomic():
        proposal = (
            PriceProposal.objects.select_for_update(skip_locked=True)
            .filter(pk=proposal_id, status=ProposalStatus.SCHEDULED, effective_on__lte=today)
            .first()
        )
        if proposal is None:
            return False
        if any(item.is_open for item in proposal.readiness.all()):
            return False
        day = proposal.effective_on
        for line in proposal.lines.select_related("plan"):
            _grandfather_and_close(proposal=proposal, line=line, day=day)
            PricePoint.objects.create(
                plan=line.plan,
                amount=line.amount,
                currency=line.currency,
                billing_period=line.billing_period,
                effective_from=day,
                created_by=proposal.created_by,
                proposal=proposal,
            )
        _move(proposal, ProposalStatus.EFFECTIVE, None, by_task=True)
        proposal.made_effective_at = timezone.now()
        proposal.save()
        lead_step = proposal.approvals.filter(
            step=Approval.Step.LEAD, withdrawn_at__isnull=True
        ).first()
        cadence_ensure(
            kind=Cadence.Kind.PRICE_PLAN,
            target=proposal,
            title=f"Post-change review: {proposal.title}",
            owner=proposal.created_by,
            escalate_to=lead_step.approver if lead_step else None,
            url=_url(proposal),
            interval_days=POST_CHANGE_REVIEW_DAYS,
            first_due_on=day + dt.timedelta(days=POST_CHANGE_REVIEW_DAYS),
        )
        recipients = [
            proposal.created_by,
            *(a.approver for a in proposal.approvals.all() if a.standing),
        ]
        recipients += [item.owner for item in proposal.readiness.all()]
        notify(
            recipients=recipients,
            kind=Notification.Kind.GENERAL,
            title=f"New prices are live: {proposal.title}",
            body=f"The change took effect on {day:%d %b %Y}. Its post-change review is due in {POST_CHANGE_REVIEW_DAYS} days.",
            url=_url(proposal),
            dedupe_key=f"pricing-effective:{proposal.pk}",
        )
    return True


def _grandfather_and_close(*, proposal: PriceProposal, line: ProposedPrice, day: dt.date) -> None:
    """Part of the effective switch (inside its transaction, so done exactly once with it).
    The grandfathering rule: when the change grandfathers existing customers, the list price
    they paid on the day before the change becomes their own price from the effective date
    until the grandfathering ends (open for good), as a price point for existing customers;
    new customers pay the new price. Any earlier grandfathered price of the same plan,
    currency and period still running ends on the effective date (a later change with its
    own grandfathering decides anew what existing customers pay). Then the list price ends
    where the new one starts."""
    same_price = PricePoint.objects.filter(
        plan=line.plan, currency=line.currency, billing_period=line.billing_period
    )
    running = same_price.filter(effective_from__lt=day).exclude(effective_to__lte=day)
    running.filter(audience=Audience.EXISTING).update(effective_to=day)
    old = running.filter(audience=Audience.EVERYONE).order_by("-effective_from").first()
    grandfathers = proposal.grandfathering != PriceProposal.Grandfathering.NONE
    running.filter(audience=Audience.EVERYONE).update(effective_to=day)
    if grandfathers and old is not None and old.amount != line.amount:
        until = (
            proposal.grandfathered_until
            if proposal.grandfathering == PriceProposal.Grandfathering.UNTIL
            else None
        )
        PricePoint.objects.create(
            plan=line.plan,
            amount=old.amount,
            currency=line.currency,
            billing_period=line.billing_period,
            audience=Audience.EXISTING,
            effective_from=day,
            effective_to=until,
            created_by=proposal.created_by,
            proposal=proposal,
            note=f"Grandfathered: customers before {day:%d %b %Y} keep the old price.",
        )


def prices_switch_due(*, today: dt.date | None = None) -> int:
    """Periodic: make every scheduled change due by today effective (each exactly once, see
    proposal_make_effective). Returns how many took effect in this run."""
    today = today or timezone.localdate()
    ids = PriceProposal.objects.filter(
        status=ProposalStatus.SCHEDULED, effective_on__lte=today
    ).values_list("pk", flat=True)
    switched = 0
    for pk in list(ids):
        try:
            switched += proposal_make_effective(proposal_id=pk, today=today)
        except Exception:  # one failing change must not hold back the others; retried next beat
            logger.exception("Price change %s could not take effect", pk)
    return switched


# --- pricing reviews -----------------------------------------------------------------------

REVIEW_INPUTS = ("input_win_loss", "input_churn", "input_competitor", "input_usage")


@transaction.atomic
def pricing_review_record(
    *,
    plan: Plan,
    actor,
    decision: str,
    rationale: str,
    change: PriceProposal | None = None,
    observed_effect: str = "",
    open_proposal: dict | None = None,
    today: dt.date | None = None,
    **inputs,
) -> PricingReview:
    """A lead records a held pricing review of a plan: inputs, decision, rationale. It settles
    the plan's review cadence (the next review moves one interval on). A post-change review
    (`change` given) records the observed effect beside the expected one and closes that
    change's one-off review. With `open_proposal` ({effective_on, lines, title?}) the review
    drafts the price change it decided, in the same step."""
    _require(actor, Role.LEAD, "record a pricing review")
    today = today or timezone.localdate()
    if decision not in PricingReview.Decision.values:
        raise ValidationFailed("Choose the decision.", field="decision")
    if not (rationale or "").strip():
        raise ValidationFailed("Say why.", field="rationale")
    unknown = set(inputs) - set(REVIEW_INPUTS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    review = PricingReview(
        plan=plan,
        held_by=actor,
        held_on=today,
        decision=decision,
        rationale=rationale.strip(),
        change=change,
        **{k: (v or "") for k, v in inputs.items()},
    )
    if change is not None:
        if change.status != ProposalStatus.EFFECTIVE:
            raise ValidationFailed(
                "Only a change that took effect is looked back on.", field="change"
            )
        # A change tied to a metric is compared from the metric's measurements; the words,
        # when not given, are that comparison.
        effect = selectors.change_effect(change, today=today)
        if effect is not None:
            review.observed_change = effect.observed_change
            if not (observed_effect or "").strip() and effect.observed_change is not None:
                observed_effect = effect.summary()
        if not (observed_effect or "").strip():
            raise ValidationFailed("Say what effect was observed.", field="observed_effect")
        review.observed_effect = observed_effect.strip()
        PriceProposal.objects.filter(pk=change.pk).update(observed_effect=review.observed_effect)
        cadence = selectors.cadence_of(change)
    else:
        cadence = selectors.cadence_of(plan)
    if cadence is not None:
        review.cadence_review = review_complete(
            cadence=cadence,
            actor=actor,
            notes=f"{review.get_decision_display()}: {review.rationale}",
            today=today,
        )
        if change is not None:
            Cadence.objects.filter(pk=cadence.pk).update(active=False)
    if open_proposal:
        if decision == PricingReview.Decision.KEEP:
            raise ValidationFailed(
                "A review that keeps the price opens no proposal.", field="decision"
            )
        review.opened_proposal = proposal_create(
            actor=actor,
            lines=open_proposal.get("lines")
            or [
                {k: open_proposal.get(k) for k in ("amount", "currency", "billing_period")}
                | {"plan": plan}
            ],
            title=open_proposal.get("title") or f"{review.get_decision_display()} {plan}",
            rationale=review.rationale,
            effective_on=open_proposal.get("effective_on"),
            notice_override_reason=open_proposal.get("notice_override_reason", ""),
            today=today,
            **{k: v for k, v in inputs.items() if v},
        )
    review.save()
    activity_record(actor=actor, target=plan, verb="pricing_review", summary=review.rationale)
    return review
