"""CSV import of accounts and contacts: a dry run that says each line's fate, and a commit
that writes every line or none.

Accounts are matched by name, contacts by email (both ignoring case): a match is updated, a
new one created. An accounts file may carry a `plans` column: the price plans the account is
on, separated by `;`, each as "Product Plan" or, when only one plan has it, the plan's name;
it replaces the plans the account was on (an empty cell: none). A line with an error stops
the whole commit; the preview says why, by line number (the header is line 1)."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from pricing.models import Plan
from prodops.accounts.models import User
from prodops.accounts.roles import Role, has_role
from prodops.core.errors import NotAllowed, ValidationFailed

from .models import Account, Contact

MAX_LINES = 5000
ACCOUNT_COLUMNS = (
    "name",
    "segment",
    "owner",
    "renewal_date",
    "health",
    "open_escalation",
    "plans",
)
CONTACT_COLUMNS = ("name", "role", "email", "account", "opted_out")
REQUIRED = {"accounts": ("name",), "contacts": ("email", "account")}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class Line:
    number: int
    fate: str  # new, update, unchanged or error
    label: str
    messages: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    existing: object = None


@dataclass
class Preview:
    kind: str
    lines: list[Line]
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem and not any(line.fate == "error" for line in self.lines)

    def count(self, fate: str) -> int:
        return sum(1 for line in self.lines if line.fate == fate)

    @property
    def counts(self) -> dict[str, int]:
        return {fate: self.count(fate) for fate in ("new", "update", "unchanged", "error")}


def _choice(value: str, choices, column: str, errors: list[str]):
    value = (value or "").strip()
    if not value:
        return None
    for key, label in choices:
        if value.lower() in (key.lower(), label.lower()):
            return key
    allowed = ", ".join(key for key, _label in choices)
    errors.append(f"{column}: {value!r} is not one of {allowed}.")
    return None


def _yes_no(value: str, column: str, errors: list[str]) -> bool:
    value = (value or "").strip().lower()
    if value in YES:
        return True
    if value not in NO:
        errors.append(f"{column}: write yes or no, not {value!r}.")
    return False


def _rows(text: str) -> tuple[list[dict], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    return list(reader), headers


def import_preview(*, kind: str, text: str) -> Preview:
    """What committing `text` would do, line by line; writes nothing."""
    if kind not in REQUIRED:
        raise ValidationFailed("Choose accounts or contacts.", field="kind")
    try:
        rows, headers = _rows(text or "")
    except csv.Error as error:
        return Preview(kind, [], problem=f"The file is not readable as CSV: {error}.")
    missing = [c for c in REQUIRED[kind] if c not in headers]
    if missing:
        return Preview(kind, [], problem=f"Line 1: the header lacks {', '.join(missing)}.")
    if len(rows) > MAX_LINES:
        return Preview(kind, [], problem=f"At most {MAX_LINES} lines per file.")
    if kind == "accounts":
        return Preview(kind, _account_lines(rows))
    return Preview(kind, _contact_lines(rows))


def _plans_by_name() -> dict[str, list[Plan]]:
    """Every price plan under "product plan" and under its own name (lowercase)."""
    found: dict[str, list[Plan]] = {}
    for plan in Plan.objects.select_related("product"):
        for key in {f"{plan.product.name} {plan.name}".lower(), plan.name.lower()}:
            found.setdefault(key, []).append(plan)
    return found


def _price_plans(cell: str, plans: dict[str, list[Plan]], errors: list[str]) -> list[Plan]:
    chosen: dict[int, Plan] = {}
    for wanted in (cell or "").split(";"):
        wanted = wanted.strip()
        if not wanted:
            continue
        matches = plans.get(wanted.lower(), [])
        if not matches:
            errors.append(f"plans: no price plan is named {wanted!r}.")
        elif len(matches) > 1:
            errors.append(f"plans: several plans are named {wanted!r}; add the product's name.")
        else:
            chosen[matches[0].pk] = matches[0]
    return list(chosen.values())


def _account_lines(rows: list[dict]) -> list[Line]:
    names = {(r.get("name") or "").strip().lower() for r in rows} - {""}
    existing = {
        a.name.lower(): a
        for a in Account.objects.annotate(lower=Lower("name"))
        .filter(lower__in=names)
        .prefetch_related("price_plans")
    }
    plans = _plans_by_name() if rows and "plans" in rows[0] else {}
    owners_wanted = {(r.get("owner") or "").strip().lower() for r in rows} - {""}
    owners = {}
    for user in User.objects.filter(
        Q(username__in=[o for o in owners_wanted]) | Q(email__in=list(owners_wanted))
    ):
        owners[user.username.lower()] = user
        owners[user.email.lower()] = user
    seen: dict[str, int] = {}
    lines = []
    for number, row in enumerate(rows, start=2):
        errors: list[str] = []
        name = (row.get("name") or "").strip()
        if not name:
            errors.append("name: required.")
        elif len(name) > 200:
            errors.append("name: at most 200 characters.")
        elif name.lower() in seen:
            errors.append(f"name: {name} is already on line {seen[name.lower()]}.")
        else:
            seen[name.lower()] = number
        values: dict = {"name": name}
        segment = _choice(row.get("segment"), Account.Segment.choices, "segment", errors)
        if segment:
            values["segment"] = segment
        health = _choice(row.get("health"), Account.Health.choices, "health", errors)
        if health:
            values["health"] = health
        owner_key = (row.get("owner") or "").strip().lower()
        if owner_key:
            if owner_key in owners:
                values["owner"] = owners[owner_key]
            else:
                errors.append(f"owner: nobody signs in as {owner_key!r}.")
        renewal = (row.get("renewal_date") or "").strip()
        if renewal:
            try:
                values["renewal_date"] = dt.date.fromisoformat(renewal)
            except ValueError:
                errors.append(f"renewal_date: {renewal!r} is not a date like 2026-03-31.")
        if "open_escalation" in row:
            values["open_escalation"] = _yes_no(
                row.get("open_escalation"), "open_escalation", errors
            )
        if "plans" in row:
            values["price_plans"] = _price_plans(row.get("plans"), plans, errors)
        lines.append(_line(number, name, values, errors, existing.get(name.lower())))
    return lines


def _contact_lines(rows: list[dict]) -> list[Line]:
    emails = {(r.get("email") or "").strip().lower() for r in rows} - {""}
    existing = {
        c.email.lower(): c
        for c in Contact.objects.annotate(lower=Lower("email")).filter(lower__in=emails)
    }
    account_names = {(r.get("account") or "").strip().lower() for r in rows} - {""}
    accounts = {
        a.name.lower(): a
        for a in Account.objects.annotate(lower=Lower("name")).filter(lower__in=account_names)
    }
    seen: dict[str, int] = {}
    lines = []
    for number, row in enumerate(rows, start=2):
        errors: list[str] = []
        email = (row.get("email") or "").strip()
        if not email:
            errors.append("email: required.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"email: {email!r} is not an email address.")
            else:
                if email.lower() in seen:
                    errors.append(f"email: {email} is already on line {seen[email.lower()]}.")
                else:
                    seen[email.lower()] = number
        values: dict = {"email": email}
        for column in ("name", "role"):
            if column in row:
                value = (row.get(column) or "").strip()
                if len(value) > 200:
                    errors.append(f"{column}: at most 200 characters.")
                values[column] = value
        account_name = (row.get("account") or "").strip()
        if not account_name:
            errors.append("account: required.")
        elif account_name.lower() not in accounts:
            errors.append(f"account: no account is named {account_name!r}; import it first.")
        else:
            values["account"] = accounts[account_name.lower()]
        if "opted_out" in row:
            values["opted_out"] = _yes_no(row.get("opted_out"), "opted_out", errors)
        found = existing.get(email.lower())
        if found is not None:
            # Matched ignoring case: the address as stored stays.
            values["email"] = found.email
        lines.append(_line(number, email, values, errors, found))
    return lines


def _differs(found, name: str, value) -> bool:
    if name == "price_plans":
        return {p.pk for p in found.price_plans.all()} != {p.pk for p in value}
    return getattr(found, name) != value


def _line(number: int, label: str, values: dict, errors: list[str], found) -> Line:
    if errors:
        return Line(number, "error", label, errors, values)
    if found is None:
        return Line(number, "new", label, [], values)
    changes = [name for name, value in values.items() if _differs(found, name, value)]
    if not changes:
        return Line(number, "unchanged", label, [], values, found)
    return Line(number, "update", label, [f"changes {', '.join(changes)}"], values, found)


@transaction.atomic
def import_commit(*, actor, kind: str, text: str) -> Preview:
    """Write every line of the file, or none: any line with an error refuses the lot."""
    if not has_role(actor, Role.MEMBER):
        raise NotAllowed("Importing customers needs the team member role or higher.")
    preview = import_preview(kind=kind, text=text)
    if not preview.ok:
        raise ValidationFailed(
            preview.problem
            or f"{preview.count('error')} line(s) have errors; fix them and import again.",
            field="file",
        )
    model = Account if kind == "accounts" else Contact
    for line in preview.lines:
        values = dict(line.values)
        price_plans = values.pop("price_plans", None)
        if line.fate == "new":
            obj = model(**values)
        elif line.fate == "update":
            obj = model.objects.select_for_update().get(pk=line.existing.pk)
            for name, value in values.items():
                setattr(obj, name, value)
            obj.version += 1
        else:
            continue
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        if price_plans is not None:
            obj.price_plans.set(price_plans)
    return preview
