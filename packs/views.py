"""Review pack pages: the list, the pack with every section, its write-up (htmx), finalize,
compare with last quarter, the stakeholder version, PDF and CSV, commitments and share links."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import teams_for
from prodops.core.csv_export import csv_writer
from prodops.core.errors import DomainError, NotAllowed
from prodops.core.periods import quarter_of
from prodops.core.permissions import refuse, role_required

from . import selectors, services
from .forms import CommitmentForm, PackCreateForm, ReopenForm, ShareLinkForm, WriteUpForm
from .models import Commitment, PackReopening, PackShareLink, ReviewPack
from .pdf import pack_pdf as render_pack_pdf


def _add_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _pack_or_404(pk: int) -> ReviewPack:
    try:
        return selectors.pack_get(pk)
    except ReviewPack.DoesNotExist:
        raise Http404("No such review pack.") from None


def _internal(user) -> bool:
    return has_role(user, Role.MEMBER)


@role_required(Role.STAKEHOLDER)
def pack_index(request):
    """Every pack (members and up); stakeholders see the final ones, as their version. A lead
    starts a pack for their team and a quarter here; an admin also the organisation's."""
    user = request.user
    teams = teams_for(user, minimum=Role.LEAD)
    may_create = has_role(user, Role.LEAD)
    form = None
    if may_create:
        current = quarter_of(timezone.localdate(), fiscal_start_month=selectors.fiscal_start())
        form = PackCreateForm(
            request.POST or None,
            initial={"period": current.label},
            teams=teams,
            allow_org=has_role(user, Role.ADMIN),
        )
        if request.method == "POST" and form.is_valid():
            try:
                pack = services.pack_create(actor=user, **form.cleaned_data)
            except NotAllowed as error:
                return refuse(request, error.message)
            except DomainError as error:
                _add_error(form, error)
            else:
                messages.success(request, f"Review pack {pack} started.")
                return redirect(pack.get_absolute_url())
    elif request.method == "POST":
        return refuse(request, "Only a lead (for their team) or an admin may start a review pack.")
    team = request.GET.get("team")
    packs = list(selectors.pack_list(user=user, team=int(team) if (team or "").isdigit() else None))
    return render(
        request,
        "packs/index.html",
        {"packs": packs, "form": form, "internal": _internal(user)},
        status=400 if form is not None and form.errors else 200,
    )


def _write_up_context(request, pack, form=None):
    return {
        "pack": pack,
        "can_write": services.may_write_pack(request.user, pack.team) and not pack.is_final,
        "form": form
        or WriteUpForm(
            initial={
                "version": pack.version,
                "narrative": pack.narrative,
                "decisions": pack.decisions,
                "internal_notes": pack.internal_notes,
            }
        ),
    }


def _page_context(request, pack, *, stakeholder: bool) -> dict:
    figures = selectors.pack_figures(pack)
    if stakeholder:
        figures = selectors.stakeholder_figures(figures)
    prefix = f"pack{pack.pk}{'s' if stakeholder else ''}"
    commitments = selectors.commitment_list(pack=pack)
    return {
        "pack": pack,
        "stakeholder": stakeholder,
        "sections": selectors.section_views(figures, prefix=prefix),
        "computed_at": figures.get("computed_at"),
        "commitments": commitments,
    }


@role_required(Role.STAKEHOLDER)
def pack_detail(request, pk: int):
    pack = _pack_or_404(pk)
    if not _internal(request.user):
        return redirect("packs:stakeholder", pk=pk)
    context = _page_context(request, pack, stakeholder=False)
    context.update(_write_up_context(request, pack))
    can_write = services.may_write_pack(request.user, pack.team)
    context.update(
        {
            "can_manage": can_write,
            "commitment_form": CommitmentForm(team=pack.team) if can_write else None,
            "reopen_form": (
                ReopenForm(initial={"version": pack.version})
                if can_write and pack.is_final
                else None
            ),
            "history": list(selectors.reopening_list(pack=pack)),
        }
    )
    return render(request, "packs/pack.html", context)


@role_required(Role.LEAD)
@require_POST
def pack_write_up(request, pk: int):
    """Save the narrative, decisions and internal notes; with htmx only the write-up panel
    comes back."""
    pack = _pack_or_404(pk)
    if not services.may_write_pack(request.user, pack.team):
        return refuse(request, "Only the team's lead (or an admin) may write this pack.")
    form = WriteUpForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            pack = services.pack_update(
                pack=pack, actor=request.user, expected_version=version, **data
            )
        except DomainError as error:
            if request.htmx:
                return refuse(request, error.message, status=error.status_code, field=error.field)
            _add_error(form, error)
        else:
            form = None
            if not request.htmx:
                messages.success(request, "Write-up saved.")
                return redirect(pack.get_absolute_url())
    template = "packs/pack.html#writeup" if request.htmx else "packs/write_up.html"
    status = 400 if form is not None and form.errors else 200
    context = _write_up_context(request, pack, form)
    # The finalize form outside the panel sends the version too: it follows the save.
    context["oob_version"] = bool(request.htmx)
    return render(request, template, context, status=status)


@role_required(Role.LEAD)
@require_POST
def pack_finalize(request, pk: int):
    pack = _pack_or_404(pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return refuse(request, "Reload the page and finalize again.", status=400, field="version")
    try:
        services.pack_finalize(pack=pack, actor=request.user, expected_version=version)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, f"{pack} is final: its figures are frozen.")
    return redirect(pack.get_absolute_url())


@role_required(Role.LEAD)
@require_POST
def pack_reopen(request, pk: int):
    """The lead reopens a final pack, saying why; the frozen snapshot goes to its history."""
    pack = _pack_or_404(pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        field = next(iter(form.errors))
        return refuse(request, form.errors[field][0], status=400, field=field)
    try:
        services.pack_reopen(
            pack=pack,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, f"{pack} is a draft again; its frozen figures are in its history.")
    return redirect(pack.get_absolute_url())


@role_required(Role.MEMBER)
def pack_history(request, pk: int, rpk: int):
    """A snapshot the pack had before it was reopened, as it was frozen."""
    pack = _pack_or_404(pk)
    reopening = get_object_or_404(
        PackReopening.objects.select_related("reopened_by", "finalized_by"), pk=rpk, pack=pack
    )
    return render(
        request,
        "packs/history.html",
        {
            "pack": pack,
            "reopening": reopening,
            "sections": selectors.section_views(reopening.figures, prefix=f"hist{reopening.pk}"),
        },
    )


@role_required(Role.MEMBER)
def pack_compare(request, pk: int):
    pack = _pack_or_404(pk)
    return render(
        request, "packs/compare.html", {"pack": pack, "comparison": selectors.comparison(pack)}
    )


@role_required(Role.STAKEHOLDER)
def pack_stakeholder(request, pk: int):
    """The stakeholder version: no estimates, internal items, notes or assessments. Stakeholders
    see final packs only; the team previews it on drafts."""
    pack = _pack_or_404(pk)
    if not pack.is_final and not _internal(request.user):
        raise Http404("No such review pack.")
    context = _page_context(request, pack, stakeholder=True)
    return render(request, "packs/stakeholder.html", context)


def _pdf_response(pack, *, stakeholder: bool, commitments) -> HttpResponse:
    figures = selectors.pack_figures(pack)
    if stakeholder:
        figures = selectors.stakeholder_figures(figures)
    write_up = [("Narrative", pack.narrative), ("Decisions", pack.decisions)]
    if not stakeholder:
        write_up.append(("Internal notes", pack.internal_notes))
    status = "final" if pack.is_final else "draft (figures computed live)"
    content = render_pack_pdf(
        title=f"Quarterly review {pack.period}: {pack.scope_name}",
        subtitle=f"{'Stakeholder version, ' if stakeholder else ''}{status}",
        write_up=write_up,
        sections=selectors.section_views(figures, prefix="pdf"),
        commitments=[c.title for c in commitments],
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = slugify(f"review-pack-{pack.scope_name}-{pack.period}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@role_required(Role.STAKEHOLDER)
def pack_pdf(request, pk: int):
    """One click: the pack as a PDF. Stakeholders (and `?version=stakeholder`) get the
    stakeholder version."""
    pack = _pack_or_404(pk)
    stakeholder = not _internal(request.user) or request.GET.get("version") == "stakeholder"
    if stakeholder and not pack.is_final and not _internal(request.user):
        raise Http404("No such review pack.")
    return _pdf_response(
        pack, stakeholder=stakeholder, commitments=selectors.commitment_list(pack=pack)
    )


@role_required(Role.STAKEHOLDER)
def pack_csv(request, pk: int, section: str, table: str):
    """Any table of the pack as CSV (a stakeholder gets the tables of their version)."""
    pack = _pack_or_404(pk)
    stakeholder = not _internal(request.user)
    if stakeholder and not pack.is_final:
        raise Http404("No such review pack.")
    figures = selectors.pack_figures(pack)
    if stakeholder:
        figures = selectors.stakeholder_figures(figures)
    views = {v["section"].key: v for v in selectors.section_views(figures, prefix="csv")}
    found = next((t for t in views.get(section, {}).get("tables", []) if t.key == table), None)
    if found is None:
        raise Http404("No such table.")
    writer = csv_writer()
    rows = [writer.writerow(found.head), *(writer.writerow(row) for row in found.rows)]
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    name = slugify(f"{pack.scope_name}-{pack.period}-{section}-{table}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@role_required(Role.LEAD)
@require_POST
def commitment_add(request, pk: int):
    pack = _pack_or_404(pk)
    form = CommitmentForm(request.POST, team=pack.team)
    if not form.is_valid():
        errors = form.errors.as_data()
        field = next(iter(errors))
        return refuse(request, form.errors[field][0], status=400, field=field)
    try:
        services.commitment_add(pack=pack, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, "Commitment added.")
    return redirect(f"{pack.get_absolute_url()}#commitments")


@role_required(Role.LEAD)
@require_POST
def commitment_remove(request, pk: int, cpk: int):
    pack = _pack_or_404(pk)
    commitment = get_object_or_404(Commitment.objects.select_related("pack"), pk=cpk, pack=pack)
    try:
        services.commitment_remove(commitment=commitment, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, f"Commitment “{commitment.title}” removed.")
    return redirect(f"{pack.get_absolute_url()}#commitments")


@role_required(Role.LEAD)
@require_POST
def commitment_plan(request, pk: int, cpk: int):
    """One action: the commitment becomes an item on next quarter's roadmap."""
    pack = _pack_or_404(pk)
    commitment = get_object_or_404(Commitment.objects.select_related("pack"), pk=cpk, pack=pack)
    try:
        done = services.commitment_plan(
            commitment=commitment,
            actor=request.user,
            estimate_days=request.POST.get("estimate_days") or None,
            override_reason=request.POST.get("override_reason", ""),
        )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, f"“{done.title}” is on the roadmap for {done.item.roadmap.period}.")
    return redirect(f"{pack.get_absolute_url()}#commitments")


@role_required(Role.LEAD)
def share_links(request, pk: int):
    pack = _pack_or_404(pk)
    if not services.may_write_pack(request.user, pack.team):
        return refuse(request, "Only the team's lead (or an admin) may share this pack.")
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
            if expires_on
            else None
        )
        try:
            link = services.share_link_create(
                pack=pack,
                actor=request.user,
                label=form.cleaned_data["label"],
                expires_at=expires_at,
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, "Share link created.")
            return redirect(f"{reverse('packs:share_links', args=[pk])}#link-{link.pk}")
    return render(
        request,
        "packs/share_links.html",
        {
            "pack": pack,
            "form": form,
            "links": list(selectors.share_link_list(pack=pack)),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.LEAD)
@require_POST
def share_link_revoke(request, pk: int, link_pk: int):
    pack = _pack_or_404(pk)
    link = get_object_or_404(PackShareLink.objects.select_related("pack"), pack=pack, pk=link_pk)
    try:
        services.share_link_revoke(link=link, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    messages.success(request, "Share link revoked.")
    return redirect("packs:share_links", pk=pk)


def _no_referrer(response):
    # The token is the key: keep it out of Referer headers and search indexes.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def share_view(request, token: str):
    """Anyone with a live link sees the stakeholder version; revoked or expired links are 404."""
    link = selectors.share_link_active(token)
    if link is None:
        raise Http404("This link is not valid.")
    context = _page_context(request, link.pack, stakeholder=True)
    context["link"] = link
    return _no_referrer(render(request, "packs/stakeholder.html", context))


def share_pdf(request, token: str):
    link = selectors.share_link_active(token)
    if link is None:
        raise Http404("This link is not valid.")
    pack = link.pack
    return _no_referrer(
        _pdf_response(pack, stakeholder=True, commitments=selectors.commitment_list(pack=pack))
    )
