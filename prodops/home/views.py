"""Home: what needs the signed-in person, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from prodops.core.response_cache import response_cached

from . import selectors


@login_required
@response_cached
def home(request):
    sections = selectors.home_sections(user=request.user)
    return render(request, "home/home.html", {"sections": sections})
