from django.db.models import QuerySet

from .models import RequestImport, RequestImportRow


def import_list() -> QuerySet[RequestImport]:
    return (
        RequestImport.objects.select_related("uploaded_by")
        .defer("content")
        .order_by("-created_at", "-id")
    )


def import_get(*, pk: int) -> RequestImport:
    return import_list().get(pk=pk)


def import_rows(*, batch: RequestImport, fate: str | None = None) -> QuerySet[RequestImportRow]:
    rows = RequestImportRow.objects.filter(batch=batch).select_related("duplicate_of", "request")
    if fate:
        rows = rows.filter(fate=fate)
    return rows.order_by("line")
