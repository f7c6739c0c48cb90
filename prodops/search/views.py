from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import engine


@login_required
def search(request):
    """/search/?q=: everything the person may see, grouped by kind. The header box asks for
    the dropdown partial while typing."""
    q = engine.clean_query(request.GET.get("q"))
    dropdown = request.htmx and request.htmx.target == "header-search-results"
    groups = engine.search_all(user=request.user, q=q, limit=5 if dropdown else 20)
    if not dropdown:
        engine.searched.send(sender=None, user=request.user, q=q, groups=groups)
    context = {"q": q, "groups": groups, "too_short": 0 < len(q) < engine.MIN_QUERY_LENGTH}
    template = "search/results.html#dropdown" if dropdown else "search/results.html"
    return render(request, template, context)
