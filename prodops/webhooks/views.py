"""Webhook pages (admins): the endpoints, one endpoint with its delivery log, redelivery and
secret rotation inline."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prodops.accounts.roles import Role
from prodops.core.errors import DomainError
from prodops.core.permissions import refuse, role_required

from . import selectors, services
from .forms import EndpointForm
from .models import Delivery, Endpoint

LIST = "webhooks/list.html"
DETAIL = "webhooks/detail.html"
DELIVERIES_PER_PAGE = 25


def _apply_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            endpoint = services.endpoint_create(actor=request.user, **data)
        except DomainError as error:
            _apply_error(form, error)
        else:
            messages.success(request, "Endpoint added. Give its secret to the receiver.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    status = 400 if form.errors else 200
    context = {"endpoints": selectors.endpoint_list(), "form": form}
    return render(request, LIST, context, status=status)


def _detail_context(request, endpoint: Endpoint, form=None) -> dict:
    page = Paginator(selectors.delivery_list(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    form = form or EndpointForm(
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "active": endpoint.active,
            "version": endpoint.version,
        }
    )
    return {"endpoint": endpoint, "form": form, "deliveries": page}


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if request.method == "GET":
        return render(request, DETAIL, _detail_context(request, endpoint))
    form = EndpointForm(request.POST)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            endpoint = services.endpoint_update(
                endpoint=endpoint, actor=request.user, expected_version=version, **data
            )
        except DomainError as error:
            _apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, DETAIL, _detail_context(request, endpoint, form), status=status)


@role_required(Role.ADMIN)
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = services.endpoint_rotate_secret(
        endpoint=get_object_or_404(Endpoint, pk=pk), actor=request.user
    )
    messages.success(request, "New secret made; the old one keeps signing for 24 hours.")
    if request.htmx:
        return render(request, f"{DETAIL}#secret", {"endpoint": endpoint})
    return redirect("webhooks:detail", pk=endpoint.pk)


@role_required(Role.ADMIN)
@require_POST
def endpoint_delete(request, pk: int):
    services.endpoint_delete(endpoint=get_object_or_404(Endpoint, pk=pk), actor=request.user)
    messages.success(request, "Endpoint deleted.")
    return redirect("webhooks:list")


@role_required(Role.ADMIN)
@require_POST
def delivery_redeliver(request, pk: int, delivery_id: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    delivery = get_object_or_404(Delivery, pk=delivery_id, endpoint=endpoint)
    try:
        services.delivery_redeliver(delivery=delivery, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    messages.success(request, "Queued to be sent again.")
    if request.htmx:
        fresh = selectors.delivery_list(endpoint=endpoint).get(pk=delivery.pk)
        return render(request, f"{DETAIL}#delivery", {"endpoint": endpoint, "delivery": fresh})
    return redirect("webhooks:detail", pk=endpoint.pk)
