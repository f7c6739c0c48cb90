from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from prodops.accounts.roles import Role
from prodops.core.errors import DomainError, ValidationFailed
from prodops.core.permissions import role_required

from . import selectors, services
from .forms import ObjectiveForm
from .models import Objective


@login_required
def objective_list(request):
    objectives = selectors.objective_list(
        status=request.GET.get("status") or None, level=request.GET.get("level") or None
    )
    context = {
        "objectives": objectives,
        "statuses": Objective.Status.choices,
        "levels": Objective.Level.choices,
    }
    template = "outcomes/objectives.html#table" if request.htmx else "outcomes/objectives.html"
    return render(request, template, context)


def _save(request, form: ObjectiveForm, objective: Objective | None):
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        if objective is None:
            objective = services.objective_create(actor=request.user, **data)
            messages.success(request, f"Objective “{objective.title}” created.")
        else:
            if version is None:
                raise ValidationFailed("The form was missing its version; reload and try again.")
            objective = services.objective_update(
                objective=objective, actor=request.user, expected_version=version, **data
            )
            messages.success(request, f"Objective “{objective.title}” saved.")
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    return redirect("outcomes:objectives")


@role_required(Role.LEAD)
def objective_create(request):
    form = ObjectiveForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid() and (response := _save(request, form, None)):
        return response
    return render(
        request,
        "outcomes/objective_form.html",
        {"form": form, "objective": None},
        status=400 if form.errors else 200,
    )


@role_required(Role.LEAD)
def objective_edit(request, pk: int):
    objective = get_object_or_404(Objective, pk=pk)
    initial = {name: getattr(objective, name) for name in services.EDITABLE_FIELDS}
    initial["version"] = objective.version
    form = ObjectiveForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and (response := _save(request, form, objective))
    ):
        return response
    return render(
        request,
        "outcomes/objective_form.html",
        {"form": form, "objective": objective},
        status=400 if form.errors else 200,
    )
