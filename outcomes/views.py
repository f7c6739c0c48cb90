from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from prodops.accounts.models import Team
from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team, teams_for
from prodops.core.errors import DomainError, NotAllowed, ValidationFailed
from prodops.core.permissions import refuse, role_required

from . import charts, selectors, services
from . import progress as progress_rules
from .forms import (
    CoalitionForm,
    ContributionForm,
    ImportForm,
    MeasurementForm,
    MeetingForm,
    MetricForm,
    ObjectiveForm,
    RevisitForm,
)
from .models import Coalition, Contribution, ImportBatch, Metric, Objective


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
    archived = request.GET.get("show") == "archived"
    metrics = list(
        selectors.metric_list(
            objective=int(objective) if (objective or "").isdigit() else None,
            team=int(team) if (team or "").isdigit() else None,
            archived=archived,
        )
    )
    today = timezone.localdate()
    rows = [(m, selectors.metric_figures(m, today=today)) for m in metrics]
    context = {
        "rows": rows,
        "objectives": selectors.objective_list(),
        "teams": Team.objects.order_by("name"),
        "may_create": has_role(request.user, Role.LEAD),
        "archived": archived,
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


def _my_team_ids(user) -> set[int]:
    return (
        set(teams_for(user).values_list("pk", flat=True)) if has_role(user, Role.MEMBER) else set()
    )


def _work_items(user, metric: Metric | None = None):
    """Roadmap items `user` may say contribute (to `metric`): every item for a lead or a
    member of the metric's team, else the items of their own teams."""
    from roadmap.models import RoadmapItem

    items = RoadmapItem.objects.select_related("roadmap__team").order_by(
        "-roadmap__period", "title"
    )
    if has_role(user, Role.LEAD):
        return items
    if metric is not None and metric.team_id in _my_team_ids(user):
        return items
    return items.filter(roadmap__team__in=teams_for(user))


def _contributions_context(
    request, *, metric: Metric | None = None, item=None, form=None, editing=None, edit_form=None
) -> dict:
    """The contributions section of a metric page (`metric`) or of a roadmap item (`item`):
    each contribution named for the viewer, with its guardrail check when it shipped, whether
    the viewer may change it, and the add form for those who may add."""
    user = request.user
    contributions = list(selectors.contribution_list(metric=metric, roadmap_item=item))
    team_ids = _my_team_ids(user)
    checks: dict = {}
    for c in contributions:
        c.label = contribution_label(c, user) if metric is not None else c.metric.name
        c.may_change = services.contribution_may_change(
            user,
            metric=c.metric,
            roadmap_item=c.roadmap_item,
            request=c.request,
            team_ids=team_ids,
        )
        if c.shipped_on and c.metric.guardrail_id:
            if c.metric_id not in checks:
                checks[c.metric_id] = selectors.guardrail_checks(
                    c.metric, [x.shipped_on for x in contributions if x.metric_id == c.metric_id]
                )
            c.guardrail_check = checks[c.metric_id].get(c.shipped_on)
    if metric is not None:
        # Anyone who may change this metric's contributions, or a member with items of their own.
        may_add = metric.archived_at is None and (
            services.contribution_may_change(user, metric=metric, team_ids=team_ids)
            or (has_role(user, Role.MEMBER) and bool(team_ids))
        )
    else:
        may_add = services.contribution_may_change(
            user, metric=Metric(), roadmap_item=item, team_ids=team_ids
        )
    if may_add and form is None:
        if metric is not None:
            form = ContributionForm(mode="metric", items=_work_items(user, metric))
        else:
            form = ContributionForm(mode="item")
    if form is not None and "roadmap_item" in form.fields:
        form.fields["roadmap_item"].label_from_instance = lambda i: f"{i.title} ({i.roadmap})"
    return {
        "contributions": contributions,
        "on": "metric" if metric is not None else "item",
        "metric": metric,
        "item": item,
        "add_form": form if may_add else None,
        "editing": editing,
        "edit_form": edit_form,
        "internal": has_role(user, Role.MEMBER),
    }


def _metric_context(
    request, metric: Metric, *, form=None, contribution_form=None, **section
) -> dict:
    today = timezone.localdate()
    annotated = selectors.metric_list(ids=[metric.pk]).get()
    points = selectors.measurement_series(metric)
    section = _contributions_context(request, metric=annotated, form=contribution_form, **section)
    contributions = section["contributions"]
    shipped = [(c.shipped_on, c.label) for c in contributions if c.shipped_on]
    internal = has_role(request.user, Role.MEMBER)
    return {
        **section,
        "metric": annotated,
        "figures": selectors.metric_figures(annotated, today=today),
        "chart": charts.metric_chart(metric=annotated, points=points, shipped=shipped, today=today),
        "measurements": list(selectors.measurement_list(metric)[:MEASUREMENTS_SHOWN]),
        "measurement_total": len(points),
        "form": form or MeasurementForm(initial={"measured_on": today}),
        "may_record": _may_record(request.user, metric),
        "may_change": _may_change(request.user, metric),
        "internal": internal,
        "batches": list(selectors.import_batches(metric)[:5]) if internal else [],
        "may_delete": _may_change(request.user, metric) and not services.metric_in_use(metric),
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


@role_required(Role.LEAD)
@require_POST
def metric_archive(request, pk: int):
    """Archive (or, with `archived=0`, restore) a metric: a lead of its team."""
    metric = get_object_or_404(Metric, pk=pk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        services.metric_archive(metric=metric, actor=request.user, archived=archived)
    except NotAllowed as error:
        return refuse(request, error.message)
    if archived:
        messages.success(request, f"“{metric.name}” archived: it keeps its history.")
    else:
        messages.success(request, f"“{metric.name}” restored.")
    return redirect("outcomes:metric", pk=metric.pk)


@role_required(Role.LEAD)
@require_POST
def metric_delete(request, pk: int):
    """Delete a metric nobody has used yet; one in use is archived instead (see the service)."""
    metric = get_object_or_404(Metric, pk=pk)
    try:
        services.metric_delete(metric=metric, actor=request.user)
    except NotAllowed as error:
        return refuse(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("outcomes:metric", pk=metric.pk)
    messages.success(request, f"“{metric.name}” deleted.")
    return redirect("outcomes:metrics")


# --- Contributions ---------------------------------------------------------------------------


def _contributions_answer(request, context: dict, *, status: int = 200, anchor: str):
    """htmx gets the contributions section back; a plain POST goes back to the page."""
    if request.htmx:
        response = render(request, "outcomes/_contributions.html", context, status=status)
        if status >= 400:
            response["HX-Retarget"] = "#contributions"
            response["HX-Reswap"] = "outerHTML"
        return response
    if status < 400:
        return redirect(anchor)
    template = (
        "outcomes/metric.html" if context["on"] == "metric" else "outcomes/item_contributions.html"
    )
    return render(request, template, context, status=status)


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@role_required(Role.MEMBER)
@require_POST
def contribution_add(request, pk: int):
    """On a metric page: say which work (a roadmap item, or a request by number) should move
    the metric, by how much and by when."""
    from intake.models import Request

    metric = get_object_or_404(Metric.objects.select_related("team", "guardrail"), pk=pk)
    form = ContributionForm(request.POST, mode="metric", items=_work_items(request.user, metric))
    if form.is_valid():
        data = dict(form.cleaned_data)
        number = data.pop("request")
        work = Request.objects.filter(pk=number).select_related("team").first() if number else None
        if number and work is None:
            form.add_error("request", f"There is no request #{number}.")
        else:
            try:
                services.contribution_create(
                    actor=request.user, metric=metric, request=work, **data
                )
            except NotAllowed as error:
                return refuse(request, error.message)
            except DomainError as error:
                _form_error(form, error)
    url = reverse("outcomes:metric", args=[metric.pk]) + "#contributions"
    if form.errors:
        if request.htmx:
            context = _contributions_context(request, metric=_annotated(metric), form=form)
        else:
            context = _metric_context(request, metric, contribution_form=form)
        return _contributions_answer(request, context, status=400, anchor=url)
    if not request.htmx:
        messages.success(request, "Contribution saved.")
    return _contributions_answer(
        request, _contributions_context(request, metric=_annotated(metric)), anchor=url
    )


def _annotated(metric: Metric) -> Metric:
    return selectors.metric_list(ids=[metric.pk]).get()


def _item_or_404(pk: int):
    from roadmap.models import RoadmapItem

    return get_object_or_404(RoadmapItem.objects.select_related("roadmap__team", "owner"), pk=pk)


@role_required(Role.MEMBER)
def item_contributions(request, pk: int):
    """A roadmap item's metrics: what it should move, by how much and by when; its team (and
    leads) add one by choosing the metric."""
    item = _item_or_404(pk)
    url = reverse("outcomes:item_contributions", args=[item.pk])
    form = None
    if request.method == "POST":
        form = ContributionForm(request.POST, mode="item")
        if form.is_valid():
            try:
                services.contribution_create(
                    actor=request.user, roadmap_item=item, **form.cleaned_data
                )
            except NotAllowed as error:
                return refuse(request, error.message)
            except DomainError as error:
                _form_error(form, error)
        if form.errors:
            context = _contributions_context(request, item=item, form=form)
            return _contributions_answer(request, context, status=400, anchor=url)
        if not request.htmx:
            messages.success(request, "Contribution saved.")
        return _contributions_answer(
            request, _contributions_context(request, item=item), anchor=url
        )
    context = _contributions_context(request, item=item)
    template = (
        "outcomes/_contributions.html" if request.htmx else "outcomes/item_contributions.html"
    )
    return render(request, template, context)


def _section_of(request, contribution: Contribution, **kwargs) -> tuple[dict, str]:
    """The section a contribution is changed from: its item's (`on=item`) or its metric's."""
    on = request.POST.get("on") or request.GET.get("on")
    if on == "item" and contribution.roadmap_item_id:
        item = _item_or_404(contribution.roadmap_item_id)
        url = reverse("outcomes:item_contributions", args=[item.pk])
        return _contributions_context(request, item=item, **kwargs), url
    url = reverse("outcomes:metric", args=[contribution.metric_id]) + "#contributions"
    if request.htmx:
        metric = _annotated(contribution.metric)
        return _contributions_context(request, metric=metric, **kwargs), url
    return _metric_context(request, contribution.metric, **kwargs), url


@role_required(Role.MEMBER)
def contribution_edit(request, pk: int):
    """Change a contribution's metric, expected change, date or note in place."""
    contribution = get_object_or_404(selectors.contribution_list(), pk=pk)
    if not services.contribution_may_change(
        request.user,
        metric=contribution.metric,
        roadmap_item=contribution.roadmap_item,
        request=contribution.request,
    ):
        return refuse(
            request, "Only a member of the work's team or the metric's team (or a lead) changes it."
        )
    if request.method == "GET" and request.GET.get("cancel"):
        context, url = _section_of(request, contribution)
        return _contributions_answer(request, context, anchor=url)
    initial = {name: getattr(contribution, name) for name in services.CONTRIBUTION_FIELDS}
    initial["version"] = contribution.version
    form = ContributionForm(request.POST or None, mode="edit", initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.contribution_update(
                contribution=contribution, actor=request.user, expected_version=version, **data
            )
        except NotAllowed as error:
            return refuse(request, error.message)
        except DomainError as error:
            _form_error(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Contribution saved.")
            context, url = _section_of(request, contribution)
            return _contributions_answer(request, context, anchor=url)
    context, url = _section_of(request, contribution, editing=contribution.pk, edit_form=form)
    if request.method == "POST":
        return _contributions_answer(request, context, status=400, anchor=url)
    if request.htmx:
        return render(request, "outcomes/_contributions.html", context)
    template = (
        "outcomes/metric.html" if context["on"] == "metric" else "outcomes/item_contributions.html"
    )
    return render(request, template, context)


@role_required(Role.MEMBER)
@require_POST
def contribution_delete(request, pk: int):
    contribution = get_object_or_404(selectors.contribution_list(), pk=pk)
    try:
        services.contribution_delete(contribution=contribution, actor=request.user)
    except NotAllowed as error:
        return refuse(request, error.message)
    except DomainError as error:
        if not request.htmx:
            messages.error(request, error.message)
        context, url = _section_of(request, contribution)
        context["section_error"] = error.message
        return _contributions_answer(request, context, status=400, anchor=url)
    if not request.htmx:
        messages.success(request, "Contribution removed.")
    context, url = _section_of(request, contribution)
    return _contributions_answer(request, context, anchor=url)


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
            "guardrail": selectors.guardrail_checks(
                revisit.contribution.metric, [revisit.contribution.shipped_on]
            ).get(revisit.contribution.shipped_on),
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
