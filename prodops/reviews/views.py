from django.shortcuts import render
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.core.permissions import role_required

from . import selectors
from .services import OVERDUE_ESCALATION_DAYS, cadence_state


@role_required(Role.MEMBER)
def review_index(request):
    """Every cadence with its next due date and whether it is upcoming, due or overdue."""
    today = timezone.localdate()
    kind = request.GET.get("kind") or None
    rows = [(c, cadence_state(cadence=c, today=today)) for c in selectors.cadence_list(kind=kind)]
    from .models import Cadence

    context = {
        "rows": rows,
        "kinds": Cadence.Kind.choices,
        "kind": kind,
        "escalation_days": OVERDUE_ESCALATION_DAYS,
    }
    template = "reviews/index.html#rows" if request.htmx else "reviews/index.html"
    return render(request, template, context)
