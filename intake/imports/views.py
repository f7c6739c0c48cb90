"""The import pages: upload a file, map its columns, see each line's fate, import, undo."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prodops.accounts.roles import Role
from prodops.core.errors import DomainError
from prodops.core.permissions import refuse, role_required

from . import selectors, services
from .forms import MappingForm, UploadForm
from .models import RequestImport, RequestImportRow

LIST = "intake/imports/list.html"
DETAIL = "intake/imports/detail.html"
ROWS_PER_PAGE = 50


def _batch_or_404(pk: int) -> RequestImport:
    try:
        return selectors.import_get(pk=pk)
    except RequestImport.DoesNotExist:
        raise Http404("No such import.") from None


@role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def import_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "Save the file as UTF-8 CSV and upload it again.")
        else:
            try:
                batch = services.import_upload(
                    actor=request.user, content=content, filename=upload.name
                )
            except DomainError as error:
                if error.status_code == 403:
                    return refuse(request, error.message)
                form.add_error("file", error.message)
            else:
                return redirect("intake:import_detail", pk=batch.pk)
    imports = Paginator(selectors.import_list(), 25).get_page(request.GET.get("page"))
    return render(
        request, LIST, {"form": form, "imports": imports}, status=400 if form.errors else 200
    )


def _detail_context(request, batch: RequestImport, mapping_form=None) -> dict:
    fate = request.GET.get("fate") or ""
    if fate not in RequestImportRow.Fate.values:
        fate = ""
    rows = None
    if batch.status in (
        RequestImport.Status.PREVIEWED,
        RequestImport.Status.IMPORTED,
        RequestImport.Status.UNDONE,
    ):
        rows = Paginator(
            selectors.import_rows(batch=batch, fate=fate or None), ROWS_PER_PAGE
        ).get_page(request.GET.get("page"))
    if mapping_form is None and batch.status in (
        RequestImport.Status.UPLOADED,
        RequestImport.Status.PREVIEWED,
    ):
        mapping_form = MappingForm(
            columns=batch.columns,
            initial={
                **batch.mapping,
                "include_duplicates": batch.include_duplicates,
                "version": batch.version,
            },
        )
    return {
        "batch": batch,
        "mapping_form": mapping_form,
        "rows": rows,
        "fate": fate,
        "fates": RequestImportRow.Fate.choices,
    }


def _render_batch(request, batch, *, mapping_form=None, status=200):
    template = f"{DETAIL}#batch" if request.htmx else DETAIL
    return render(request, template, _detail_context(request, batch, mapping_form), status=status)


@role_required(Role.MEMBER)
@require_http_methods(["GET"])
def import_detail(request, pk: int):
    """The batch; while a worker checks or imports it, htmx asks again every second."""
    return _render_batch(request, _batch_or_404(pk))


@role_required(Role.MEMBER)
@require_POST
def import_map(request, pk: int):
    batch = _batch_or_404(pk)
    form = MappingForm(request.POST, columns=batch.columns)
    if form.is_valid():
        try:
            batch = services.import_map(
                batch=batch,
                actor=request.user,
                mapping=form.mapping(),
                include_duplicates=form.cleaned_data["include_duplicates"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            if error.status_code == 403:
                return refuse(request, error.message)
            form.add_error("title" if error.field == "mapping" else None, error.message)
            return _render_batch(request, batch, mapping_form=form, status=error.status_code)
        return _render_batch(request, selectors.import_get(pk=pk))
    return _render_batch(request, batch, mapping_form=form, status=400)


def _action(request, pk: int, act, done: str):
    batch = _batch_or_404(pk)
    try:
        act(batch=batch, actor=request.user, expected_version=request.POST.get("version"))
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    messages.success(request, done)
    batch = selectors.import_get(pk=pk)
    if request.htmx:
        return _render_batch(request, batch)
    return redirect("intake:import_detail", pk=pk)


@role_required(Role.MEMBER)
@require_POST
def import_commit(request, pk: int):
    return _action(request, pk, services.import_commit, "Import started.")


@role_required(Role.MEMBER)
@require_POST
def import_undo(request, pk: int):
    return _action(request, pk, services.import_undo, "Import undone: its requests are removed.")
