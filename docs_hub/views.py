import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from intake.selectors import team_people
from prodops.accounts.models import User
from prodops.accounts.roles import Role
from prodops.core.errors import DomainError, ValidationFailed
from prodops.core.permissions import refuse, role_required

from . import selectors, services
from .forms import DocForm
from .models import Doc, ReadinessCheck


@login_required
def doc_index(request):
    """Docs the user may see, with the ones past their verification marked."""
    docs = selectors.doc_list(
        user=request.user,
        audience=request.GET.get("audience") or None,
        status=request.GET.get("status") or None,
    )
    context = {
        "docs": docs,
        "today": timezone.localdate(),
        "audiences": Doc.Audience.choices,
        "statuses": Doc.Status.choices,
        "audience": request.GET.get("audience", ""),
        "status": request.GET.get("status", ""),
    }
    template = "docs_hub/index.html#rows" if request.htmx else "docs_hub/index.html"
    return render(request, template, context)


def _links_context(request, doc: Doc) -> dict:
    return {
        "doc": doc,
        "links": selectors.doc_links(doc=doc, user=request.user),
        "may_link": request.user.has_role(Role.MEMBER),
        "link_kinds": LINK_KIND_LABELS,
        "link_kind": request.GET.get("kind", "request"),
        "link_q": (request.GET.get("q") or "")[:200] if "kind" in request.GET else "",
    }


# The link pickers' choices, in the order the form offers them.
LINK_KIND_LABELS = [("request", "Request"), ("roadmap_item", "Roadmap item"), ("metric", "Metric")]


@login_required
def doc_detail(request, slug: str):
    """A doc. With `kind` and `q` (the link picker), it also lists what the doc could be
    linked to; htmx asks for just that list (target `link-choices`)."""
    doc = selectors.doc_get(user=request.user, slug=slug)
    context = _links_context(request, doc)
    context["choices"] = (
        selectors.doc_link_choices(
            doc=doc, user=request.user, kind=context["link_kind"], q=context["link_q"]
        )
        if context["link_q"]
        else []
    )
    if request.htmx and request.htmx.target == "link-choices":
        return render(request, "docs_hub/_link_choices.html", context)
    moves = [
        (value, label)
        for value, label in Doc.Status.choices
        if services.doc_may_move(doc=doc, user=request.user, to_status=value)
    ]
    context |= {
        "needs_review": doc.needs_review(),
        "moves": moves,
        "may_verify": request.user.pk in (doc.owner_id, doc.reviewer_id)
        or request.user.has_role(Role.LEAD),
        # Arrived from a suggestion at intake: offer to say it answered the need.
        "suggested_for": (request.GET.get("q") or "")[:300]
        if "q" in request.GET and "kind" not in request.GET
        else None,
    }
    return render(request, "docs_hub/detail.html", context)


@role_required(Role.MEMBER)
@require_POST
def doc_link(request, slug: str):
    """Link the doc to a request, a roadmap item or a metric, or remove a link (`action` add
    or remove); htmx gets the links section back, in place."""
    doc = get_object_or_404(Doc, slug=slug)
    action = request.POST.get("action")
    if action not in ("add", "remove"):
        return refuse(request, "Add or remove a link.", status=400, field="action")
    try:
        version = int(request.POST["version"]) if request.POST.get("version") else None
    except ValueError:
        return refuse(request, "The version must be a number.", status=400, field="version")
    try:
        doc = services.doc_link_set(
            doc=doc,
            actor=request.user,
            kind=request.POST.get("kind", ""),
            target_id=request.POST.get("target"),
            linked=action == "add",
            expected_version=version,
        )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    if request.htmx:
        return render(request, "docs_hub/detail.html#links", _links_context(request, doc))
    messages.success(request, "Link added." if action == "add" else "Link removed.")
    return redirect("docs_hub:detail", slug=doc.slug)


def _save(request, form: DocForm, doc: Doc | None):
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        if doc is None:
            doc = services.doc_create(actor=request.user, **data)
            messages.success(request, f"Doc “{doc.title}” created as a draft.")
        else:
            if version is None:
                raise ValidationFailed("The form was missing its version; reload and try again.")
            doc = services.doc_update(doc=doc, actor=request.user, expected_version=version, **data)
            messages.success(request, f"Doc “{doc.title}” saved.")
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    return redirect("docs_hub:detail", slug=doc.slug)


@role_required(Role.MEMBER)
def doc_create(request):
    form = DocForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid() and (response := _save(request, form, None)):
        return response
    return render(
        request,
        "docs_hub/form.html",
        {"form": form, "doc": None},
        status=400 if form.errors else 200,
    )


@role_required(Role.MEMBER)
def doc_edit(request, slug: str):
    doc = get_object_or_404(Doc, slug=slug)
    initial = {name: getattr(doc, name) for name in services.EDITABLE_FIELDS}
    initial["tags"] = ", ".join(doc.tags)
    initial["version"] = doc.version
    form = DocForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (response := _save(request, form, doc)):
        return response
    return render(
        request,
        "docs_hub/form.html",
        {"form": form, "doc": doc},
        status=400 if form.errors else 200,
    )


def _act(request, doc: Doc, action, done: str):
    try:
        action()
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, done)
    return redirect("docs_hub:detail", slug=doc.slug)


@role_required(Role.STAKEHOLDER)
def doc_status(request, slug: str):
    doc = selectors.doc_get(user=request.user, slug=slug)
    if request.method != "POST":
        return redirect("docs_hub:detail", slug=slug)
    status = request.POST.get("status", "")
    return _act(
        request,
        doc,
        lambda: services.doc_set_status(doc=doc, actor=request.user, status=status),
        "Status changed.",
    )


@role_required(Role.STAKEHOLDER)
def doc_verify(request, slug: str):
    doc = selectors.doc_get(user=request.user, slug=slug)
    if request.method != "POST":
        return redirect("docs_hub:detail", slug=slug)
    return _act(
        request,
        doc,
        lambda: services.doc_verify(doc=doc, actor=request.user),
        "Verified as of today.",
    )


@role_required(Role.MEMBER)
def doc_revisions(request, slug: str):
    """Every revision, and a diff between any two (`a` older, `b` newer; the latest two by
    default)."""
    doc = get_object_or_404(Doc, slug=slug)
    revisions = list(selectors.doc_revisions(doc=doc))
    by_number = {r.number: r for r in revisions}
    diff, a, b = [], None, None
    if len(revisions) >= 2:
        try:
            a = by_number.get(int(request.GET.get("a", ""))) or revisions[1]
            b = by_number.get(int(request.GET.get("b", ""))) or revisions[0]
        except ValueError:
            a, b = revisions[1], revisions[0]
        diff = selectors.revision_diff(old=a, new=b)
    context = {"doc": doc, "revisions": revisions, "diff": diff, "a": a, "b": b}
    return render(request, "docs_hub/revisions.html", context)


@role_required(Role.MEMBER)
def doc_restore(request, slug: str, number: int):
    doc = get_object_or_404(Doc, slug=slug)
    revision = get_object_or_404(doc.revisions, number=number)
    if request.method != "POST":
        return redirect("docs_hub:revisions", slug=slug)
    return _act(
        request,
        doc,
        lambda: services.doc_restore(doc=doc, actor=request.user, revision=revision),
        f"Revision {number} restored as a new revision.",
    )


def help_index(request):
    """Public help: published customer docs, no sign-in needed."""
    return render(request, "docs_hub/help_index.html", {"docs": selectors.public_docs()})


def help_detail(request, slug: str):
    """A published customer doc, public. Shows nothing internal: no owner, no links to
    requests or roadmap items."""
    doc = get_object_or_404(selectors.public_docs(), slug=slug)
    return render(request, "docs_hub/help_detail.html", {"doc": doc})


@login_required
def doc_suggested(request, pk: int):
    """A doc suggested at intake, opened: the open is kept (for implicit deflections), then
    the doc is shown with a way to say it answered the need."""
    doc = get_object_or_404(selectors.doc_visible(user=request.user), pk=pk)
    q = (request.GET.get("q") or "")[:300]
    services.suggestion_open_record(doc=doc, person=request.user, query=q)
    return redirect(f"{reverse('docs_hub:detail', args=[doc.slug])}?{urlencode({'q': q})}")


@login_required
@require_POST
def doc_answers(request, pk: int):
    """ "This answers it": an explicit deflection, no request made."""
    doc = get_object_or_404(selectors.doc_visible(user=request.user), pk=pk)
    q = request.POST.get("q") or request.POST.get("title") or ""
    try:
        services.deflection_record(doc=doc, person=request.user, query=q)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    if request.htmx:
        return render(request, "docs_hub/_answered.html", {"doc": doc})
    messages.success(request, "Glad it helped. No request was filed.")
    return redirect("docs_hub:detail", slug=doc.slug)


@role_required(Role.MEMBER)
@require_POST
def doc_resolve(request, slug: str):
    """Resolve a request as deflected by this doc (the requester is told, with the link)."""
    from intake.selectors import request_get

    doc = get_object_or_404(Doc, slug=slug)
    try:
        number = int(request.POST.get("request", ""))
    except ValueError:
        return refuse(request, "Give the request's number.", status=400, field="request")
    try:
        target = request_get(user=request.user, pk=number)
    except Http404:
        return refuse(request, f"There is no request #{number}.", status=400, field="request")
    return _act(
        request,
        doc,
        lambda: services.request_deflect(request=target, doc=doc, actor=request.user),
        f"Request #{number} resolved as deflected; its requester was sent this doc.",
    )


@role_required(Role.MEMBER)
def deflection_report(request):
    """Deflections per doc and department for a month, the self-service rate and the docs
    backlog."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        chosen = dt.date(year, month, 1)
    except ValueError:
        chosen = today.replace(day=1)
    report = selectors.deflection_report(month=chosen)
    return render(
        request,
        "docs_hub/report.html",
        {"report": report, "month": chosen.strftime("%Y-%m")},
    )


@role_required(Role.MEMBER)
def item_readiness(request, item_pk: int):
    """An item's release checklist: choose its lines, tick them, and (leads) waive it."""
    from roadmap.models import RoadmapItem

    from . import readiness

    item = get_object_or_404(RoadmapItem.objects.select_related("roadmap__team"), pk=item_pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "set":
                owner = request.POST.get("owner") or None
                readiness.readiness_checklist_set(
                    item=item,
                    actor=request.user,
                    kinds=request.POST.getlist("kinds"),
                    owner=User.objects.filter(pk=owner).first() if owner else None,
                    due_on=parse_date(request.POST.get("due_on") or "") or None,
                )
            elif action == "tick":
                check = get_object_or_404(item.readiness_checks, pk=request.POST.get("check"))
                readiness.readiness_check_update(
                    check=check, actor=request.user, done=request.POST.get("done") == "1"
                )
            elif action == "waive":
                readiness.readiness_waive(
                    item=item, actor=request.user, reason=request.POST.get("reason", "")
                )
            else:
                return refuse(request, "Unknown action.", status=400)
        except DomainError as error:
            return refuse(request, error.message, status=error.status_code, field=error.field)
        messages.success(request, "Release checklist saved.")
        return redirect("docs_hub:readiness", item_pk=item.pk)
    state = readiness.readiness_for(item)
    chosen = {c.kind for c, _ in state.lines}
    context = {
        "item": item,
        "state": state,
        "kinds": [(v, label, v in chosen) for v, label in ReadinessCheck.Kind.choices],
        "people": team_people(),
        "docs": selectors.doc_linked_to_item(item=item),
    }
    return render(request, "docs_hub/readiness.html", context)
