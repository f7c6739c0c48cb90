from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from prodops.core.redirects import return_path

from . import selectors, services


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        selectors.notification_list(user=request.user, unread_only=unread_only), 30
    ).get_page(request.GET.get("page"))
    template = "notifications/list.html#list" if request.htmx else "notifications/list.html"
    return render(request, template, {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_mark_read(request):
    ids = request.POST.getlist("id") or None
    services.notifications_mark_read(
        user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None
    )
    if request.htmx:
        page = Paginator(selectors.notification_list(user=request.user), 30).get_page(1)
        response = render(request, "notifications/list.html#list", {"page": page})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:list")


@login_required
@require_GET
def notification_open(request, pk: int):
    """Opening a notification marks it read and goes where it points (marking read twice
    changes nothing, so a GET is safe to repeat)."""
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(return_path(request, notification.url) or "notifications:list")


@login_required
def notification_bell(request):
    return render(
        request, "_bell.html", {"unread_notifications": selectors.unread_count(user=request.user)}
    )


@login_required
def notification_settings(request):
    from django.contrib import messages

    if request.method == "POST":
        from prodops.accounts.services import user_update_preferences

        user_update_preferences(
            user=request.user, email_notifications=request.POST.get("email_notifications") == "on"
        )
        messages.success(request, "Notification settings saved.")
        return redirect("notifications:settings")
    from prodops.accounts.tokens import token_expires_at, token_for

    token = token_for(request.user)
    context = {"api_token": token, "api_token_expires_at": token and token_expires_at(token)}
    return render(request, "notifications/settings.html", context)
