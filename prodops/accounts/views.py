from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .tokens import api_token_revoke


@login_required
@require_POST
def token_revoke(request):
    """The signed-in person revokes their own API token from their settings page."""
    if api_token_revoke(user=request.user):
        messages.success(request, "Your API token is revoked; clients using it are refused now.")
    else:
        messages.info(request, "You have no API token to revoke.")
    return redirect("notifications:settings")
