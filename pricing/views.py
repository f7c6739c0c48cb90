from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from prodops.accounts.roles import Role, has_role
from prodops.core.errors import DomainError
from prodops.core.permissions import refuse, role_required
from prodops.reviews.services import cadence_state

from . import selectors, services
from .forms import ProposalForm, ReviewForm, rows_changed
from .models import (
    Approval,
    Audience,
    Plan,
    PriceProposal,
    Product,
    ProposalStatus,
    ReadinessItem,
    Segment,
)

# Plans per page of the price book.
BOOK_PAGE_SIZE = 50


@role_required(Role.MEMBER)
def price_book(request):
    """Plans × current price (and what grandfathered customers pay), the next decided change
    and the next review; filtered by product, segment, status and a name search, a page at a
    time."""
    today = timezone.localdate()
    product = request.GET.get("product") or ""
    segment = request.GET.get("segment") or ""
    status = request.GET.get("status") or ""
    search = (request.GET.get("q") or "").strip()[:100]
    plans = selectors.book_plans(
        product=int(product) if product.isdigit() else None,
        segment=segment if segment in Segment.values else "",
        status=status if status in Plan.Status.values else "",
        search=search,
    )
    page = Paginator(plans, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.price_book(plans=page.object_list, today=today)
    context = {
        "rows": [(r, r.cadence and cadence_state(cadence=r.cadence, today=today)) for r in rows],
        "page": page,
        "products": Product.objects.order_by("name"),
        "segments": Segment.choices,
        "plan_statuses": Plan.Status.choices,
        "product": product,
        "segment": segment,
        "status": status,
        "q": search,
        # Row links are written from these, not reversed 1,000 times per page.
        "plan_base": reverse("pricing:plan", args=[0])[:-2],
        "proposal_base": reverse("pricing:proposal", args=[0])[:-2],
    }
    template = "pricing/book.html#rows" if request.htmx else "pricing/book.html"
    return render(request, template, context)


def _plan_page(request, plan: Plan, review_form: ReviewForm | None = None, status: int = 200):
    today = timezone.localdate()
    cadence = selectors.cadence_of(plan)
    history = selectors.plan_history(plan)
    current = [p for p in history if p.is_current(today)]
    context = {
        "plan": plan,
        "history": history,
        "current": [p for p in current if p.audience == Audience.EVERYONE],
        "grandfathered": [p for p in current if p.audience == Audience.EXISTING],
        "cadence": cadence,
        "cadence_state": cadence and cadence_state(cadence=cadence, today=today),
        "reviews": selectors.reviews_for_plan(plan),
        "proposals": selectors.proposal_list().filter(lines__plan=plan).distinct(),
        "review_form": review_form or ReviewForm(prefix="review"),
        "review_open": review_form is not None,
    }
    return render(request, "pricing/plan.html", context, status=status)


@role_required(Role.MEMBER)
def plan_detail(request, pk: int):
    return _plan_page(request, get_object_or_404(selectors.plan_list(), pk=pk))


@role_required(Role.LEAD)
@require_POST
def plan_review(request, pk: int):
    """Record a held pricing review; a new amount and date also draft the proposal. A
    refusal comes back on the form's field."""
    plan = get_object_or_404(selectors.plan_list(), pk=pk)
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return _plan_page(request, plan, form, status=400)
    data = form.cleaned_data
    open_proposal = None
    if data["new_amount"] is not None:
        open_proposal = {
            "amount": data["new_amount"],
            "currency": data["currency"],
            "billing_period": data["billing_period"],
            "effective_on": data["effective_on"],
        }
    try:
        review = services.pricing_review_record(
            plan=plan,
            actor=request.user,
            decision=data["decision"],
            rationale=data["rationale"],
            open_proposal=open_proposal,
            **{k: data[k] for k in services.REVIEW_INPUTS},
        )
    except DomainError as error:
        field = error.field if error.field in form.fields else None
        if error.field in ("amount", "lines"):
            field = "new_amount"
        form.add_error(field, error.message)
        return _plan_page(request, plan, form, status=400)
    messages.success(request, "Pricing review recorded.")
    if review.opened_proposal_id:
        return redirect("pricing:proposal", review.opened_proposal_id)
    return redirect("pricing:plan", plan.pk)


@role_required(Role.MEMBER)
def proposal_list(request):
    status = request.GET.get("status") or ""
    proposals = selectors.proposal_list()
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    context = {"proposals": proposals, "statuses": ProposalStatus.choices, "status": status}
    template = "pricing/proposals.html#rows" if request.htmx else "pricing/proposals.html"
    return render(request, template, context)


def _proposal_form_page(request, *, proposal: PriceProposal | None, initial: dict):
    """The proposal form, to draft (no `proposal`) or to edit a draft. Price rows are added
    and removed by sending the form with `add_row` or `remove_row` (htmx swaps the form in
    place; without JavaScript the page reloads): what was typed stays. Saving with an error
    sends the form back with the message on its field (400), a stale version with 409."""
    action = (
        reverse("pricing:proposal_edit", args=[proposal.pk])
        if proposal
        else reverse("pricing:proposal_create")
    )
    status = 200
    if request.method != "POST":
        form = ProposalForm(initial=initial)
    elif "add_row" in request.POST or "remove_row" in request.POST:
        remove = request.POST.get("remove_row", "")
        data = rows_changed(
            request.POST,
            add="add_row" in request.POST,
            remove=int(remove) if remove.isdigit() else None,
        )
        form = ProposalForm(initial=data.dict())
    else:
        form = ProposalForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.PROPOSAL_FIELDS}
            try:
                if proposal is None:
                    saved = services.proposal_create(actor=request.user, lines=form.lines(), **data)
                else:
                    saved = services.proposal_update(
                        proposal=proposal,
                        actor=request.user,
                        expected_version=form.cleaned_data.get("version"),
                        lines=form.lines(),
                        **data,
                    )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                if error.field == "lines" and form.line_count == 1:
                    field = "plan_0"
                form.add_error(field, error.message)
                status = error.status_code
            else:
                verb = "drafted" if proposal is None else "saved"
                messages.success(request, f"Proposal “{saved.title}” {verb}.")
                target = reverse("pricing:proposal", args=[saved.pk])
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        else:
            status = 400
    context = {"form": form, "proposal": proposal, "action": action}
    template = "pricing/proposal_form.html#form" if request.htmx else "pricing/proposal_form.html"
    response = render(request, template, context, status=status)
    if request.htmx and status >= 400:
        # The form comes back with its errors in place (static/js/app.js swaps a retargeted 4xx).
        response["HX-Retarget"] = "#proposal-form"
    return response


@role_required(Role.LEAD)
def proposal_create(request):
    initial = {
        "effective_on": timezone.localdate() + timezone.timedelta(days=services.notice_days()),
        "rows": 1,
    }
    if (plan := request.GET.get("plan", "")).isdigit():
        initial["plan_0"] = int(plan)
    return _proposal_form_page(request, proposal=None, initial=initial)


@role_required(Role.LEAD)
def proposal_edit(request, pk: int):
    """A lead edits a draft: its fields and any number of price rows."""
    proposal = get_object_or_404(selectors.proposal_list(), pk=pk)
    # A save is left to the service, which answers a stale version with 409 first.
    if proposal.status != ProposalStatus.DRAFT and request.method != "POST":
        return refuse(
            request,
            f"Only a draft can be edited; this proposal is {proposal.get_status_display().lower()}."
            " A lead can return a proposal in review to draft.",
            status=400,
            field="status",
        )
    initial = {
        **{f: getattr(proposal, f) for f in ProposalForm._meta.fields},
        "metric": proposal.metric_id,
        "metric_url": proposal.metric_url,
        **ProposalForm.initial_for(proposal),
    }
    return _proposal_form_page(request, proposal=proposal, initial=initial)


def _proposal_context(request, proposal: PriceProposal) -> dict:
    steps = {a.step: a for a in proposal.approvals.all() if a.standing}
    admin_needed = services.needs_admin_approval(proposal)
    user = request.user
    can_approve = proposal.status == ProposalStatus.IN_REVIEW and (
        (Approval.Step.LEAD not in steps and has_role(user, Role.LEAD))
        or (
            Approval.Step.LEAD in steps
            and admin_needed
            and Approval.Step.ADMIN not in steps
            and has_role(user, Role.ADMIN)
            and steps[Approval.Step.LEAD].approver_id != user.pk
        )
    )
    return {
        "proposal": proposal,
        "changes": selectors.proposal_changes(proposal),
        "admin_needed": admin_needed,
        "threshold": services.second_approval_percent(),
        "can_approve": can_approve,
        "is_lead": has_role(user, Role.LEAD),
        "open_items": [i for i in proposal.readiness.all() if i.is_open],
        "cadence": selectors.cadence_of(proposal)
        if proposal.status == ProposalStatus.EFFECTIVE
        else None,
        "expected_text": selectors.signed(proposal.expected_change)
        if proposal.expected_change is not None
        else "",
        "effect": selectors.change_effect(proposal)
        if proposal.status == ProposalStatus.EFFECTIVE
        else None,
    }


@role_required(Role.MEMBER)
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(selectors.proposal_list(), pk=pk)
    return render(request, "pricing/proposal.html", _proposal_context(request, proposal))


ACTIONS = {
    "submit": services.proposal_submit,
    "approve": services.proposal_approve,
    "reject": services.proposal_reject,
    "schedule": services.proposal_schedule,
    "return-to-draft": services.proposal_return_to_draft,
}


@role_required(Role.LEAD)
@require_POST
def proposal_action(request, pk: int, action: str):
    """Submit, approve, reject or schedule, with the version the page was loaded at; an htmx
    request gets the workflow part of the page back."""
    proposal = get_object_or_404(PriceProposal, pk=pk)
    if action not in ACTIONS:
        return refuse(request, "Unknown action.", status=404)
    kwargs = {
        "proposal": proposal,
        "actor": request.user,
        "expected_version": request.POST.get("version") or None,
    }
    if action == "approve":
        kwargs["note"] = request.POST.get("note", "")
    if action in ("reject", "return-to-draft"):
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        ACTIONS[action](**kwargs)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    proposal = get_object_or_404(selectors.proposal_list(), pk=pk)
    if request.htmx:
        return render(
            request, "pricing/proposal.html#workflow", _proposal_context(request, proposal)
        )
    return redirect("pricing:proposal", pk)


@role_required(Role.MEMBER)
@require_POST
def readiness_action(request, pk: int):
    """Tick a readiness item off (its owner or a lead) or waive it (a lead, with a reason)."""
    item = get_object_or_404(ReadinessItem.objects.select_related("proposal"), pk=pk)
    try:
        if request.POST.get("waive"):
            services.readiness_waive(
                item=item, actor=request.user, reason=request.POST.get("reason", "")
            )
        else:
            services.readiness_mark_done(
                item=item, actor=request.user, done=request.POST.get("done") != "0"
            )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    proposal = get_object_or_404(selectors.proposal_list(), pk=item.proposal_id)
    if request.htmx:
        return render(
            request, "pricing/proposal.html#workflow", _proposal_context(request, proposal)
        )
    return redirect("pricing:proposal", item.proposal_id)


@role_required(Role.LEAD)
@require_POST
def post_change_review(request, pk: int):
    """Record the post-change review of an effective change: observed beside expected."""
    proposal = get_object_or_404(PriceProposal, pk=pk)
    line = proposal.lines.select_related("plan").first()
    if line is None:
        return refuse(request, "This proposal names no plan.", status=400)
    try:
        services.pricing_review_record(
            plan=line.plan,
            actor=request.user,
            decision=request.POST.get("decision", ""),
            rationale=request.POST.get("rationale", ""),
            change=proposal,
            observed_effect=request.POST.get("observed_effect", ""),
        )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, "Post-change review recorded.")
    return redirect("pricing:proposal", pk)
