from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from prodops.accounts.models import Team
from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team
from prodops.core.errors import DomainError, NotAllowed, ValidationFailed
from prodops.core.permissions import refuse, role_required

from . import charts, selectors, services
from . import progress as progress_rules
from .forms import (
    CoalitionForm,
    ImportForm,
    MeasurementForm,
    MeetingForm,
    MetricForm,
    ObjectiveForm,
    RevisitForm,
)
from .models import Coalition, ImportBatch, Metric, Objective


@login_required
def objective_list(request):
    objectives = list(
        selectors.objective_list(
            status=request.GET.get("status") or None, level=request.GET.get("level") or None
        )
    )
    health = selectors.objective_health_map(objectives)
    for objective in objectives:
        objective.health_percent = progress_rules.as_percent(health.get(objective.pk))
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


# --- Metrics ---------------------------------------------------------------------------------


def _may_record(user, metric: Metric) -> bool:
    return may_act_for_team(user, metric.team, minimum=Role.MEMBER)


def _may_change(user, metric: Metric | None) -> bool:
    return may_act_for_team(user, metric.team if metric else None, minimum=Role.LEAD)


@login_required
def metric_list(request):
    objective = request.GET.get("objective") or None
    team = request.GET.get("team") or None
    metrics = list(
        selectors.metric_list(
            objective=int(objective) if (objective or "").isdigit() else None,
            team=int(team) if (team or "").isdigit() else None,
        )
    )
    today = timezone.localdate()
    rows = [(m, selectors.metric_figures(m, today=today)) for m in metrics]
    context = {
        "rows": rows,
        "objectives": selectors.objective_list(),
        "teams": Team.objects.order_by("name"),
        "may_create": has_role(request.user, Role.LEAD),
    }
    template = "outcomes/metrics.html#table" if request.htmx else "outcomes/metrics.html"
    return render(request, template, context)


def contribution_label(contribution, user) -> str:
    """How contributing work is named to `user`: team members see every title; anyone else
    sees a roadmap item's stakeholder-facing title when it is shared, a request's title when
    they may see the request, and otherwise only that some work contributes."""
    from intake.selectors import request_is_visible

    item, req = contribution.roadmap_item, contribution.request
    if has_role(user, Role.MEMBER):
        return str(item or req)
    if item is not None:
        return (
            item.public_title
            if item.visibility == "shared" and item.public_title
            else "Internal work"
        )
    if request_is_visible(request=req, user=user):
        return f"#{req.pk} {req.title}"
    return f"Request #{req.pk}"


def _metric_context(request, metric: Metric, *, form=None) -> dict:
    today = timezone.localdate()
    annotated = selectors.metric_list(ids=[metric.pk]).get()
    points = selectors.measurement_series(metric)
    contributions = list(selectors.contribution_list(metric=metric))
    for c in contributions:
        c.label = contribution_label(c, request.user)
    shipped = [(c.shipped_on, c.label) for c in contributions if c.shipped_on]
    internal = has_role(request.user, Role.MEMBER)
    return {
        "metric": annotated,
        "figures": selectors.metric_figures(annotated, today=today),
        "chart": charts.metric_chart(metric=annotated, points=points, shipped=shipped, today=today),
        "measurements": list(selectors.measurement_list(metric)[:MEASUREMENTS_SHOWN]),
        "measurement_total": len(points),
        "contributions": contributions,
        "form": form or MeasurementForm(initial={"measured_on": today}),
        "may_record": _may_record(request.user, metric),
        "may_change": _may_change(request.user, metric),
        "internal": internal,
        "batches": list(selectors.import_batches(metric)[:5]) if internal else [],
    }


# The metric page lists the latest measurements; the chart and its table carry the rest.
MEASUREMENTS_SHOWN = 20


@login_required
def metric_detail(request, pk: int):
    metric = get_object_or_404(Metric, pk=pk)
    return render(request, "outcomes/metric.html", _metric_context(request, metric))


@login_required
@require_POST
def metric_measure(request, pk: int):
    """Record (or replace) one measurement; htmx gets the trend section back, chart included."""
    metric = get_object_or_404(Metric, pk=pk)
    if not _may_record(request.user, metric):
        return refuse(request, "Only the metric's team (or an admin) records its measurements.")
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.measurements_record(
                metric=metric, actor=request.user, entries=[form.cleaned_data]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    if form.errors:
        response = render(
            request,
            "outcomes/metric.html#trend" if request.htmx else "outcomes/metric.html",
            _metric_context(request, metric, form=form),
            status=400,
        )
        if request.htmx:
            response["HX-Retarget"] = "#trend"
        return response
    if request.htmx:
        return render(request, "outcomes/metric.html#trend", _metric_context(request, metric))
    messages.success(request, "Measurement saved.")
    return redirect("outcomes:metric", pk=metric.pk)


def _metric_form_page(request, metric: Metric | None):
    if metric is None:
        initial = {"owner": request.user}
    else:
        initial = {name: getattr(metric, name) for name in services.METRIC_FIELDS}
        initial["version"] = metric.version
    form = MetricForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            if metric is None:
                metric = services.metric_create(actor=request.user, **data)
            else:
                services.metric_update(
                    metric=metric, actor=request.user, expected_version=version, **data
                )
            messages.success(request, f"Metric “{metric.name}” saved.")
            return redirect("outcomes:metric", pk=metric.pk)
        except NotAllowed as error:
            return refuse(request, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(
        request,
        "outcomes/metric_form.html",
        {"form": form, "metric": metric},
        status=400 if form.errors else 200,
    )


@role_required(Role.LEAD)
def metric_create(request):
    return _metric_form_page(request, None)


@role_required(Role.LEAD)
def metric_edit(request, pk: int):
    metric = get_object_or_404(Metric, pk=pk)
    if not _may_change(request.user, metric):
        return refuse(request, f"Only a lead of {metric.team} (or an admin) changes this metric.")
    return _metric_form_page(request, metric)


@role_required(Role.MEMBER)
def metric_import(request, pk: int):
    """CSV import: Preview shows every line's fate and writes nothing; Import commits the
    whole file or nothing."""
    metric = get_object_or_404(Metric, pk=pk)
    if not _may_record(request.user, metric):
        return refuse(request, "Only the metric's team (or an admin) imports its measurements.")
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        text = form.csv_text()
        if request.POST.get("action") == "import":
            try:
                batch = services.measurements_import(
                    metric=metric,
                    actor=request.user,
                    text=text,
                    filename=getattr(form.cleaned_data.get("file"), "name", "") or "",
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    f"Imported {batch.row_count} measurements. You can undo the import below.",
                )
                return redirect("outcomes:metric", pk=metric.pk)
        preview = services.measurements_import_preview(metric=metric, text=text)
        # Carry pasted (or uploaded) rows into the form, so Import sends what was previewed.
        form = ImportForm(initial={"text": text})
    return render(
        request,
        "outcomes/metric_import.html",
        {"metric": metric, "form": form, "preview": preview},
        status=status,
    )


@role_required(Role.MEMBER)
@require_POST
def import_undo(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.select_related("metric"), pk=pk)
    try:
        services.import_undo(batch=batch, actor=request.user)
    except NotAllowed as error:
        return refuse(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Import of {batch.row_count} measurements undone.")
    return redirect("outcomes:metric", pk=batch.metric_id)


# --- Revisits --------------------------------------------------------------------------------


@role_required(Role.MEMBER)
def revisit_list(request):
    today = timezone.localdate()
    revisits = selectors.revisit_list(open_only=request.GET.get("show") != "all")
    return render(
        request,
        "outcomes/revisits.html",
        {"revisits": revisits, "today": today, "show_all": request.GET.get("show") == "all"},
    )


@role_required(Role.MEMBER)
def revisit_detail(request, pk: int):
    revisit = get_object_or_404(selectors.revisit_list(), pk=pk)
    initial = {"version": revisit.version}
    if revisit.recorded_at:
        initial.update(
            outcome=revisit.outcome,
            observed_change=revisit.observed_change,
            impact_statement=revisit.impact_statement,
        )
    form = RevisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.revisit_record(
                revisit=revisit,
                actor=request.user,
                outcome=data["outcome"],
                observed_change=data.get("observed_change"),
                impact_statement=data["impact_statement"],
                expected_version=data.get("version"),
            )
        except NotAllowed as error:
            return refuse(request, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Revisit recorded.")
            return redirect("outcomes:revisit", pk=revisit.pk)
    return render(
        request,
        "outcomes/revisit.html",
        {
            "revisit": revisit,
            "form": form,
            "confounders": selectors.revisit_confounders(revisit),
            "may_record": may_act_for_team(request.user, revisit.team, minimum=Role.MEMBER),
        },
        status=400 if form.errors else 200,
    )


# --- Coalitions ------------------------------------------------------------------------------


@login_required
def coalition_list(request):
    return render(
        request,
        "outcomes/coalitions.html",
        {
            "coalitions": selectors.coalition_list(user=request.user),
            "may_create": has_role(request.user, Role.LEAD),
        },
    )


@login_required
def coalition_detail(request, pk: int):
    coalition = get_object_or_404(Coalition.objects.select_related("lead"), pk=pk)
    if not services.coalition_visible(request.user, coalition):
        return refuse(request, "Only the coalition's members and the ops team see it.")
    members = list(coalition.members.select_related("department").order_by("first_name"))
    may_log = has_role(request.user, Role.LEAD) or any(m.pk == request.user.pk for m in members)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if not may_log:
            return refuse(request, "Only the coalition's members (or a lead) log its meetings.")
        if form.is_valid():
            try:
                services.coalition_meeting_record(
                    coalition=coalition, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, "Meeting logged.")
                return redirect("outcomes:coalition", pk=coalition.pk)
    metrics = list(selectors.metric_list(ids=coalition.metrics.values("pk")))
    today = timezone.localdate()
    return render(
        request,
        "outcomes/coalition.html",
        {
            "coalition": coalition,
            "members": members,
            "metric_rows": [(m, selectors.metric_figures(m, today=today)) for m in metrics],
            "meetings": selectors.coalition_meetings(coalition),
            "form": form,
            "may_log": may_log,
            "may_change": has_role(request.user, Role.LEAD),
        },
        status=400 if form.errors else 200,
    )


def _coalition_form_page(request, coalition: Coalition | None):
    if coalition is None:
        initial = {"lead": request.user, "meeting_interval_days": 14}
    else:
        initial = {name: getattr(coalition, name) for name in services.COALITION_FIELDS}
        initial.update(
            members=list(coalition.members.all()),
            metrics=list(coalition.metrics.all()),
            version=coalition.version,
        )
    form = CoalitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            if coalition is None:
                coalition = services.coalition_create(actor=request.user, **data)
            else:
                services.coalition_update(
                    coalition=coalition, actor=request.user, expected_version=version, **data
                )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Coalition “{coalition.name}” saved.")
            return redirect("outcomes:coalition", pk=coalition.pk)
    return render(
        request,
        "outcomes/coalition_form.html",
        {"form": form, "coalition": coalition},
        status=400 if form.errors else 200,
    )


@role_required(Role.LEAD)
def coalition_create(request):
    return _coalition_form_page(request, None)


@role_required(Role.LEAD)
def coalition_edit(request, pk: int):
    return _coalition_form_page(request, get_object_or_404(Coalition, pk=pk))
