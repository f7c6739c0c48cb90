"""Home: what needs the signed-in person, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def home(request):
    sections = selectors.home_sections(user=request.user)
    return render(request, "home/home.html", {"sections": sections})
