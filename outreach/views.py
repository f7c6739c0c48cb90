"""Outreach pages (members and up): plans and accounts, an account's timeline, a plan with
each contact's pre-flight answer and the touch log, the "can we contact X?" box, erasure
and CSV import."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake.selectors import request_get
from prodops.accounts.roles import Role, has_role
from prodops.core.errors import DomainError
from prodops.core.permissions import role_required

from . import imports, selectors, services
from .budget import budget_numbers, preflight_many
from .forms import (
    AccountEditForm,
    AccountForm,
    ContactEditForm,
    ContactForm,
    ImportForm,
    PlanEditForm,
    PlanForm,
    PreflightForm,
    TouchForm,
)
from .models import Account, Contact, OutreachPlan

INDEX = "outreach/index.html"
PLAN = "outreach/plan.html"
PLAN_FORM = "outreach/plan_form.html"
ACCOUNT = "outreach/account.html"
ACCOUNT_FORM = "outreach/account_form.html"
CONTACT_FORM = "outreach/contact_form.html"
REQUEST_ACCOUNTS = "outreach/_request_accounts.html"
REQUEST_ACCOUNT_CHOICES = "outreach/_request_account_choices.html"
IMPORT = "outreach/import.html"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# The outreach page shows the latest plans; older ones are in the API.
PLANS_SHOWN = 50


def _apply_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _preflight_context(request) -> dict:
    form = PreflightForm(request.GET or None)
    found, on = [], None
    if form.is_valid():
        on = form.cleaned_data.get("on")
        contacts = selectors.contact_search(text=form.cleaned_data.get("q"))
        try:
            found = list(zip(contacts, preflight_many(contacts, on=on), strict=True))
        except DomainError as error:
            form.add_error("on", error.message)
    return {"preflight_form": form, "preflight_results": found, "asked": bool(request.GET)}


@role_required(Role.MEMBER)
def index(request):
    context = {
        "budget": budget_numbers(),
        "plans": selectors.plan_list()[:PLANS_SHOWN],
        "accounts": selectors.account_list(),
        **_preflight_context(request),
    }
    return render(request, INDEX, context)


@role_required(Role.MEMBER)
def preflight_box(request):
    """The "can we contact X?" answer: the partial for htmx, else the outreach page."""
    context = _preflight_context(request)
    if request.htmx:
        return render(request, f"{INDEX}#preflight-answer", context)
    return index(request)


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def plan_new(request):
    form = PlanForm(request.POST or None, initial={"accounts": request.GET.getlist("account")})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Plan saved. Each contact's pre-flight answer is below.")
            return redirect("outreach:plan", pk=plan.pk)
    status = 400 if form.errors else 200
    return render(request, PLAN_FORM, {"form": form}, status=status)


def _plan_context(request, plan: OutreachPlan, *, touch_form=None) -> dict:
    contacts = selectors.plan_contacts(plan=plan)
    answers = preflight_many(contacts)
    may_override = has_role(request.user, Role.LEAD)
    touch_form = touch_form or TouchForm(
        contacts=contacts,
        may_override=may_override,
        initial={"channel": plan.channel, "on": answers[0].on if answers else None},
    )
    return {
        "plan": plan,
        "rows": list(zip(contacts, answers, strict=True)),
        "touch_form": touch_form,
        "may_override": may_override,
        "touches": selectors.touch_list().filter(plan=plan)[:100],
    }


@role_required(Role.MEMBER)
def plan_detail(request, pk: int):
    plan = get_object_or_404(selectors.plan_list(), pk=pk)
    return render(request, PLAN, _plan_context(request, plan))


@role_required(Role.MEMBER)
@require_POST
def touch_log(request, pk: int):
    """Log a touch from the plan page. Past the budget a lead adds an override reason."""
    plan = get_object_or_404(selectors.plan_list(), pk=pk)
    contacts = selectors.plan_contacts(plan=plan)
    form = TouchForm(
        request.POST, contacts=contacts, may_override=has_role(request.user, Role.LEAD)
    )
    status = 400
    if form.is_valid():
        try:
            services.touch_log(actor=request.user, plan=plan, **form.cleaned_data)
        except DomainError as error:
            _apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, "Touch logged.")
            if request.htmx:
                return render(request, f"{PLAN}#plan-body", _plan_context(request, plan))
            return redirect("outreach:plan", pk=plan.pk)
    context = _plan_context(request, plan, touch_form=form)
    if not request.htmx:
        return render(request, PLAN, context, status=status)
    response = render(request, f"{PLAN}#plan-body", context, status=status)
    # The form comes back with its errors in place (static/js/app.js swaps a retargeted 4xx).
    response["HX-Retarget"] = "#plan-body"
    return response


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    """Change a plan; a change made by someone else since the form was loaded is refused
    (409) with the form kept, so nothing is overwritten unseen."""
    plan = get_object_or_404(selectors.plan_list(), pk=pk)
    initial = {
        **{name: getattr(plan, name) for name in services.PLAN_FIELDS},
        "accounts": list(plan.accounts.all()),
        "contacts": list(plan.contacts.all()),
        "version": plan.version,
    }
    form = PlanEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.plan_update(
                    plan=plan, actor=request.user, expected_version=version, **data
                )
            except DomainError as error:
                _apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, "Plan saved.")
                return redirect("outreach:plan", pk=plan.pk)
    return render(request, PLAN_FORM, {"form": form, "plan": plan}, status=status)


def _contacts_context(account: Account, *, contact_form=None) -> dict:
    contacts = list(account.contacts.order_by("name", "id"))
    return {
        "account": account,
        "rows": list(zip(contacts, preflight_many(contacts), strict=True)),
        "contact_form": contact_form or ContactForm(),
    }


@role_required(Role.MEMBER)
def account_detail(request, pk: int):
    account = get_object_or_404(
        Account.objects.select_related("owner").prefetch_related("price_plans__product"), pk=pk
    )
    context = {
        **_contacts_context(account),
        "timeline": selectors.account_timeline(account=account)[:200],
    }
    return render(request, ACCOUNT, context)


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def account_new(request):
    form = AccountForm(request.POST or None, initial={"segment": Account.Segment.MID_MARKET})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account = services.account_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                _apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, f"Account {account.name} added.")
                return redirect("outreach:account", pk=account.pk)
    return render(request, ACCOUNT_FORM, {"form": form, "account": None}, status=status)


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def account_edit(request, pk: int):
    account = get_object_or_404(Account, pk=pk)
    initial = {
        **{name: getattr(account, name) for name in services.ACCOUNT_FIELDS},
        "price_plans": list(account.price_plans.all()),
        "version": account.version,
    }
    form = AccountEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.account_update(
                    account=account, actor=request.user, expected_version=version, **data
                )
            except DomainError as error:
                _apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, "Account saved.")
                return redirect("outreach:account", pk=account.pk)
    return render(request, ACCOUNT_FORM, {"form": form, "account": account}, status=status)


@role_required(Role.MEMBER)
@require_POST
def contact_new(request, pk: int):
    """Add a contact from the account page: htmx swaps the contacts section (with the form's
    errors in place when refused), without it the page comes back whole."""
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    form = ContactForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.contact_create(actor=request.user, account=account, **form.cleaned_data)
        except DomainError as error:
            _apply_error(form, error)
            status = error.status_code
        else:
            if request.htmx:
                return render(request, f"{ACCOUNT}#contacts", _contacts_context(account))
            messages.success(request, "Contact added.")
            return redirect("outreach:account", pk=account.pk)
    context = _contacts_context(account, contact_form=form)
    if not request.htmx:
        context["timeline"] = selectors.account_timeline(account=account)[:200]
        return render(request, ACCOUNT, context, status=status)
    response = render(request, f"{ACCOUNT}#contacts", context, status=status)
    response["HX-Retarget"] = "#contacts"
    return response


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    if contact.erased_at is not None:
        messages.error(request, "This contact was erased; nothing about them can be changed.")
        return redirect("outreach:account", pk=contact.account_id)
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    form = ContactEditForm(request.POST or None, initial={**initial, "version": contact.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.contact_update(
                    contact=contact, actor=request.user, expected_version=version, **data
                )
            except DomainError as error:
                _apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, "Contact saved.")
                return redirect("outreach:account", pk=data["account"].pk)
    return render(request, CONTACT_FORM, {"form": form, "contact": contact}, status=status)


# --- Accounts on a request (the request page's section) --------------------------------------


def _request_accounts_response(request, request_obj, *, problem: str = "", status: int = 200):
    context = {
        "request_obj": request_obj,
        "accounts": selectors.request_accounts(request_obj=request_obj),
        "may_edit": True,
        "problem": problem,
    }
    return render(request, REQUEST_ACCOUNTS, context, status=status)


@role_required(Role.MEMBER)
@require_GET
def request_account_picker(request, pk: int):
    """Accounts whose name holds what was typed, not yet on the request (htmx)."""
    request_obj = request_get(user=request.user, pk=pk)
    if not request.htmx:
        return redirect("intake:detail", pk=pk)
    text = request.GET.get("name", "")[:200]
    choices = selectors.account_search(
        text=text, exclude=selectors.request_accounts(request_obj=request_obj)
    )
    context = {"choices": choices, "searched": bool(text.strip())}
    return render(request, REQUEST_ACCOUNT_CHOICES, context)


def _picked_account(post) -> Account | None:
    picked = post.get("account", "")
    if picked.isdigit():
        return Account.objects.filter(pk=int(picked)).first()
    name = post.get("name", "").strip()
    return Account.objects.filter(name__iexact=name).first() if name else None


@role_required(Role.MEMBER)
@require_POST
def request_account_add(request, pk: int):
    request_obj = request_get(user=request.user, pk=pk)
    account = _picked_account(request.POST)
    if account is None:
        problem = "Pick an account from the list, or give an account's full name."
        if request.htmx:
            response = _request_accounts_response(request, request_obj, problem=problem, status=400)
            response["HX-Retarget"] = "#request-accounts"
            return response
        messages.error(request, problem)
        return redirect("intake:detail", pk=pk)
    services.request_account_add(actor=request.user, request=request_obj, account=account)
    if request.htmx:
        return _request_accounts_response(request, request_obj)
    messages.success(request, f"{account.name} added.")
    return redirect("intake:detail", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def request_account_remove(request, pk: int, account_pk: int):
    request_obj = request_get(user=request.user, pk=pk)
    account = get_object_or_404(Account, pk=account_pk)
    services.request_account_remove(actor=request.user, request=request_obj, account=account)
    if request.htmx:
        return _request_accounts_response(request, request_obj)
    messages.success(request, f"{account.name} removed.")
    return redirect("intake:detail", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def contact_erase(request, pk: int):
    contact = get_object_or_404(Contact, pk=pk)
    services.contact_erase(contact=contact, actor=request.user)
    messages.success(request, "Contact erased: their details are gone, their touches anonymous.")
    return redirect("outreach:account", pk=contact.account_id)


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def import_csv(request):
    """Upload → preview of every line's fate → commit (the preview carries the file's text,
    so the commit writes exactly what was previewed)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    status = 200
    problem = ""
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data.get("file")
        text = form.cleaned_data.get("text") or ""
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", "At most 2 MB per file.")
                return render(request, IMPORT, {"form": form}, status=400)
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "Save the file as UTF-8 CSV and try again.")
                return render(request, IMPORT, {"form": form}, status=400)
        if not text:
            form.add_error("file", "Choose a CSV file.")
            return render(request, IMPORT, {"form": form}, status=400)
        if "commit" in request.POST:
            try:
                preview = imports.import_commit(actor=request.user, kind=kind, text=text)
            except DomainError as error:
                problem = error.message
                status = error.status_code
                preview = imports.import_preview(kind=kind, text=text)
            else:
                messages.success(
                    request,
                    f"Imported: {preview.count('new')} new, {preview.count('update')} updated.",
                )
                return redirect("outreach:index")
        else:
            preview = imports.import_preview(kind=kind, text=text)
        form = ImportForm(initial={"kind": kind, "text": text})
    elif request.method == "POST":
        status = 400
    context = {"form": form, "preview": preview, "problem": problem}
    return render(request, IMPORT, context, status=status)
