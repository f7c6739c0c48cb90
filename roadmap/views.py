"""HTML and htmx views of the roadmap. Thin: forms in, services and selectors out."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from outcomes.models import Objective
from prodops.accounts.models import Department, Team
from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import teams_for
from prodops.core.csv_export import csv_writer
from prodops.core.errors import DomainError, NotAllowed
from prodops.core.periods import parse_period, quarter_of
from prodops.core.permissions import refuse, role_required
from prodops.core.response_cache import cache_until, response_cached
from prodops.core.selectors import workspace_settings
from prodops.home.services import roadmap_visit_record
from prodops.reviews import selectors as review_selectors
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_state, cadence_update

from . import board, charts, selectors, services
from .forms import (
    CadenceForm,
    ItemCreateForm,
    ItemEditForm,
    ItemPeriodForm,
    ItemRequestsForm,
    ReviewForm,
    RoadmapCreateForm,
    RoadmapSettingsForm,
    ShareLinkForm,
    SnapshotForm,
    UnplannedForm,
    mean_estimate_days,
)
from .models import Lane, Roadmap, RoadmapItem, ShareLink, Snapshot, UnplannedEntry

LANES = [(value, label) for value, label in Lane.choices]


def _months(roadmap: Roadmap):
    return parse_period(
        roadmap.period, fiscal_start_month=workspace_settings().fiscal_year_start_month
    ).months()


def _int(value):
    return int(value) if value and str(value).isdigit() else None


def _add_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _roadmap_or_404(pk: int) -> Roadmap:
    try:
        return selectors.roadmap_get(pk)
    except Roadmap.DoesNotExist:
        raise Http404("No such roadmap.") from None


def _filters(request) -> dict:
    return {
        "objective": _int(request.GET.get("objective")),
        "department": _int(request.GET.get("department")),
    }


def _filter_query(request) -> str:
    """The active filters as a query string, carried through actions that re-render a view
    (a lane move) so the view comes back filtered as it was."""
    return urlencode({name: value for name, value in _filters(request).items() if value})


def _context(request, roadmap: Roadmap, **extra) -> dict:
    """What every internal roadmap page shows: the figures and their charts, tabs and filter
    choices."""
    figures = selectors.roadmap_figures(roadmap)
    return {
        "roadmap": roadmap,
        "figures": figures,
        "charts": [
            charts.buffer_burn_chart(
                roadmap=roadmap,
                figures=figures,
                unplanned_by_day=selectors.unplanned_by_day(roadmap=roadmap),
                months=_months(roadmap),
                today=timezone.localdate(),
            ),
            charts.capacity_chart(roadmap=roadmap, figures=figures),
        ],
        "can_edit": services.can_edit_items(actor=request.user, roadmap=roadmap),
        # Lead actions (plan, settings, snapshots, reviews, share links) for this roadmap:
        # its own team's leads and admins only.
        "is_lead": services.can_plan(actor=request.user, roadmap=roadmap),
        "objectives": Objective.objects.order_by("title"),
        "departments": Department.objects.order_by("name"),
        "filters": _filters(request),
        "filter_query": _filter_query(request),
        **extra,
    }


def _refuse_unless_planner(request, roadmap: Roadmap, what: str):
    """The page or action is a lead's for this roadmap's team (accounts.scope): anyone else
    gets a page saying why (None when allowed)."""
    if services.can_plan(actor=request.user, roadmap=roadmap):
        return None
    return refuse(
        request,
        f"Only a lead of {roadmap.team} (or an admin) may {what}; "
        "other teams' roadmaps are read-only to you.",
    )


def _refuse_unless_editor(request, roadmap: Roadmap, what: str):
    """Item edits and unplanned work are for the roadmap's own team (members and leads) and
    admins; anyone else gets a page saying why (None when allowed)."""
    if services.can_edit_items(actor=request.user, roadmap=roadmap):
        return None
    return refuse(
        request,
        f"Only members of {roadmap.team} and its leads (or an admin) may {what}; "
        "other teams' roadmaps are read-only to you.",
    )


def _items(request, roadmap: Roadmap):
    return list(selectors.item_list(roadmap=roadmap, **_filters(request)))


@login_required
def roadmap_index(request):
    """Roadmaps by team and quarter; stakeholders go to the stakeholder roadmap."""
    if not has_role(request.user, Role.MEMBER):
        return redirect("roadmap:shared")
    roadmaps = list(
        selectors.roadmap_list(
            team=_int(request.GET.get("team")), period=request.GET.get("period") or None
        )
    )
    rows = [(r, selectors.roadmap_figures(r)) for r in roadmaps]
    context = {
        "rows": rows,
        "teams": Team.objects.order_by("name"),
        "team_filter": _int(request.GET.get("team")),
        "is_lead": has_role(request.user, Role.LEAD),
    }
    template = "roadmap/index.html#rows" if request.htmx else "roadmap/index.html"
    return render(request, template, context)


@role_required(Role.LEAD)
def roadmap_create(request):
    current = quarter_of(
        timezone.localdate(), fiscal_start_month=workspace_settings().fiscal_year_start_month
    )
    teams = teams_for(request.user, minimum=Role.LEAD)
    posted_team = _int(request.POST.get("team"))
    if posted_team and not teams.filter(pk=posted_team).exists():
        team = Team.objects.filter(pk=posted_team).first()
        if team is not None:
            return refuse(
                request,
                f"Only a lead of {team} (or an admin) may plan its roadmaps; other teams' "
                "roadmaps are read-only to you.",
            )
    form = RoadmapCreateForm(request.POST or None, initial={"period": current.label}, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            roadmap = services.roadmap_create(actor=request.user, **form.cleaned_data)
        except NotAllowed as error:
            return refuse(request, error.message)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Roadmap {roadmap} created.")
            return redirect(roadmap.get_absolute_url())
    return render(
        request,
        "roadmap/form.html",
        {"form": form, "title": "New roadmap"},
        status=400 if form.errors else 200,
    )


@role_required(Role.MEMBER)
@response_cached
def roadmap_board(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    items = selectors.board_item_list(roadmap=roadmap, **_filters(request))
    context = _context(
        request,
        roadmap,
        view="board",
        overcommits=list(selectors.overcommit_list(roadmap=roadmap)[:5]),
    )
    csrf_input = ""
    if context["can_edit"]:
        # One token for every lane-move form (a no-JS post needs it in the form; htmx sends
        # it as a header): the same input {% csrf_token %} renders, made once, not per form.
        csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
    # An item's over-commit badge shows only while the roadmap is over-committed now: the
    # recorded override is history, and capacity may since have grown to fit the plan.
    overcommitted = context["figures"].overcommitted
    for item in items:
        item.overcommit_reasons = "".join(item.overcommit_reason_list) if overcommitted else ""
    query = context["filter_query"]
    card = {
        "base_url": roadmap.get_absolute_url(),
        "query": f"?{query}" if query else "",
        "lanes": LANES,
        "can_edit": context["can_edit"],
        "csrf_input": csrf_input,
    }
    context["lanes"] = [
        (value, label, lane_items, board.lane_cards_html(lane_items, **card))
        for value, label in LANES
        for lane_items in [[i for i in items if i.lane == value]]
    ]
    template = "roadmap/board.html#board" if request.htmx else "roadmap/board.html"
    return render(request, template, context)


@role_required(Role.MEMBER)
def roadmap_list_view(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    context = _context(request, roadmap, items=_items(request, roadmap), view="list")
    template = "roadmap/list.html#table" if request.htmx else "roadmap/list.html"
    return render(request, template, context)


def timeline_columns(item: RoadmapItem, months: list[dt.date]) -> tuple[int, int]:
    """Grid columns of an item's bar: its month span, or for an unscheduled item the month
    its lane stands for (now → first, next → second, later → last month of the quarter)."""
    if item.start_month and item.start_month in months and item.end_month in months:
        return months.index(item.start_month) + 1, months.index(item.end_month) + 1
    index = {Lane.NOW: 1, Lane.NEXT: 2, Lane.LATER: len(months)}[item.lane]
    return index, index


@role_required(Role.MEMBER)
def roadmap_timeline(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    months = _months(roadmap)
    bars = [(item, *timeline_columns(item, months)) for item in _items(request, roadmap)]
    context = _context(request, roadmap, months=months, bars=bars, view="timeline")
    template = "roadmap/timeline.html#bars" if request.htmx else "roadmap/timeline.html"
    return render(request, template, context)


@role_required(Role.MEMBER)
def roadmap_export(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"roadmap-{roadmap.team.slug}-{roadmap.period}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(
        [
            "id",
            "title",
            "stakeholder title",
            "objective",
            "owner",
            "lane",
            "first month",
            "last month",
            "status",
            "visibility",
            "estimate (person-days)",
            "requests",
            "departments",
        ]
    )
    for item in _items(request, roadmap):
        requests = list(item.requests.all())
        writer.writerow(
            [
                item.pk,
                item.title,
                item.public_title,
                item.objective.title,
                item.owner.display_name if item.owner else "",
                item.lane,
                item.start_month or "",
                item.end_month or "",
                item.status,
                item.visibility,
                item.estimate_days,
                "; ".join(f"#{r.pk} {r.title}" for r in requests),
                "; ".join(sorted({r.department.name for r in requests if r.department})),
            ]
        )
    return response


@role_required(Role.LEAD)
def roadmap_settings(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    if refused := _refuse_unless_planner(request, roadmap, "set its buffer, capacity or cadence"):
        return refused
    rows = selectors.capacity_rows(roadmap)
    cadence = review_selectors.cadence_for(target=roadmap, kind=Cadence.Kind.ROADMAP)
    initial = {
        "buffer_percent": roadmap.buffer_percent,
        "notes": roadmap.notes,
        "version": roadmap.version,
    }
    form = RoadmapSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial=initial,
        capacity_rows=rows,
    )
    cadence_form = CadenceForm(
        request.POST if request.POST.get("form") == "cadence" else None,
        # Both forms have a `version` field; distinct ids keep each label on its own input.
        auto_id="cadence_%s",
        initial={
            "interval_days": cadence.interval_days,
            "owner": cadence.owner,
            "next_due_on": cadence.next_due_on,
            "version": cadence.version,
        }
        if cadence
        else None,
    )
    status = 200
    if request.method == "POST" and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.roadmap_update(
                roadmap=roadmap,
                actor=request.user,
                expected_version=data["version"],
                buffer_percent=data["buffer_percent"],
                notes=data["notes"],
                capacity_overrides=form.overrides(),
                override_reason=data["override_reason"],
            )
        except DomainError as error:
            _add_error(form, error)
            status = error.status_code
        else:
            messages.success(request, "Buffer and capacity saved.")
            return redirect("roadmap:settings", pk=roadmap.pk)
    if request.method == "POST" and cadence_form.is_bound and cadence and cadence_form.is_valid():
        data = dict(cadence_form.cleaned_data)
        version = data.pop("version")
        try:
            cadence_update(cadence=cadence, actor=request.user, expected_version=version, **data)
        except DomainError as error:
            _add_error(cadence_form, error)
            status = error.status_code
        else:
            messages.success(request, "Review cadence saved.")
            return redirect("roadmap:settings", pk=roadmap.pk)
    bound_errors = (form.is_bound and form.errors) or (
        cadence_form.is_bound and cadence_form.errors
    )
    return render(
        request,
        "roadmap/settings.html",
        _context(
            request, roadmap, form=form, cadence_form=cadence_form, cadence=cadence, rows=rows
        ),
        status=status if status != 200 else (400 if bound_errors else 200),
    )


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@role_required(Role.LEAD)
def item_create(request, pk: int):
    """Plan accepted requests as a new item; `?requests=` preselects them (from the backlog's
    "plan it"). The summary beside the form follows the picks (plan_summary)."""
    roadmap = _roadmap_or_404(pk)
    if refused := _refuse_unless_planner(request, roadmap, "plan items on it"):
        return refused
    picked = _ids(request.GET.getlist("requests"))
    form = ItemCreateForm(
        request.POST or None,
        roadmap=roadmap,
        months=_months(roadmap),
        plannable_requests=selectors.plannable_requests(roadmap=roadmap),
        initial={"lane": Lane.NEXT, "requests": picked},
    )
    if request.method == "POST":
        picked = _ids(request.POST.getlist("requests"))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.roadmap_item_create(
                roadmap=roadmap, actor=request.user, **form.item_data()
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"“{item.title}” planned ({item.estimate_days} person-days).")
            return redirect(roadmap.get_absolute_url())
    context = _context(request, roadmap, form=form, item=None)
    context.update(
        _plan_summary(roadmap, context["figures"], picked, request.POST.get("estimate_days"))
    )
    return render(request, "roadmap/item_form.html", context, status=400 if form.errors else 200)


def _plan_summary(roadmap: Roadmap, figures, picked: list[int], estimate_raw) -> dict:
    """What the plan form's summary shows: each picked request with its mean estimate, the
    item's estimate (the one typed, else the sum of means, as roadmap_item_create will use)
    and the roadmap's free days now and after."""
    from decimal import Decimal, InvalidOperation

    picks = selectors.plan_picks(roadmap=roadmap, request_ids=picked)
    for r in picks:
        r.mean_estimate = mean_estimate_days(r)
    typed = None
    if estimate_raw not in (None, ""):
        try:
            typed = Decimal(str(estimate_raw))
        except InvalidOperation:
            typed = None
    estimate = typed
    if estimate is None and picks:
        estimate = selectors.default_estimate_days([r.pk for r in picks])
    free_after = figures.free_days - (estimate or Decimal(0))
    return {
        "picks": picks,
        "plan_estimate": estimate,
        "estimate_typed": typed is not None,
        "free_after": free_after,
        "plan_over": free_after < 0,
    }


@role_required(Role.LEAD)
@require_GET
def plan_summary(request, pk: int):
    """The plan form's summary, re-rendered by htmx as requests are picked."""
    roadmap = _roadmap_or_404(pk)
    context = {"roadmap": roadmap, "figures": selectors.roadmap_figures(roadmap)}
    context.update(
        _plan_summary(
            roadmap,
            context["figures"],
            _ids(request.GET.getlist("requests")),
            request.GET.get("estimate_days"),
        )
    )
    return render(request, "roadmap/item_form.html#plan_summary", context)


@role_required(Role.LEAD)
@require_GET
def plan_request(request):
    """From the backlog: choose the roadmap to plan an accepted request onto, then go to
    its plan form with the request picked. htmx gets the small choice form in place."""
    from intake.models import Request

    req = Request.objects.filter(pk=_int(request.GET.get("request"))).first()
    if req is None:
        raise Http404("No such request.")
    targets = selectors.plan_target_roadmaps(user=request.user, request=req)
    chosen = _int(request.GET.get("roadmap"))
    if chosen and any(r.pk == chosen for r in targets):
        return redirect(reverse("roadmap:item_create", args=[chosen]) + f"?requests={req.pk}")
    context = {"req": req, "targets": targets}
    template = "roadmap/plan_request.html#choose" if request.htmx else "roadmap/plan_request.html"
    return render(request, template, context)


def _item_or_404(roadmap: Roadmap, item_pk: int) -> RoadmapItem:
    try:
        return selectors.item_get(roadmap_id=roadmap.pk, pk=item_pk)
    except RoadmapItem.DoesNotExist:
        raise Http404("No such item.") from None


def _save_item_fields(request, item: RoadmapItem, form: ItemEditForm) -> tuple[str, str]:
    data = form.item_data()
    version, reason = data.pop("version"), data.pop("override_reason")
    services.roadmap_item_update(
        item=item, actor=request.user, expected_version=version, override_reason=reason, **data
    )
    return f"“{item.title}” saved.", item.roadmap.get_absolute_url()


def _move_item_period(request, item: RoadmapItem, form: ItemPeriodForm) -> tuple[str, str]:
    target = form.cleaned_data["to_roadmap"]
    services.roadmap_item_move_period(
        item=item,
        to_roadmap=target,
        actor=request.user,
        override_reason=form.cleaned_data["override_reason"],
        expected_version=form.cleaned_data["version"],
    )
    return f"“{item.title}” moved to {target.period}.", target.get_absolute_url()


def _set_item_requests(request, item: RoadmapItem, form: ItemRequestsForm) -> tuple[str, str]:
    services.roadmap_item_set_requests(
        item=item,
        requests=form.cleaned_data["requests"],
        actor=request.user,
        expected_version=form.cleaned_data["version"],
    )
    return f"Requests of “{item.title}” saved.", item.roadmap.get_absolute_url()


# Which form of the item page a POST is for (its hidden `form` input) and what saves it.
_ITEM_ACTIONS = {
    "item": _save_item_fields,
    "period": _move_item_period,
    "requests": _set_item_requests,
}


@role_required(Role.MEMBER)
def item_edit(request, pk: int, item_pk: int):
    """An item's page: its fields (members of the team and leads), and for leads which
    requests it delivers and a move to another quarter of the team."""
    roadmap = _roadmap_or_404(pk)
    item = _item_or_404(roadmap, item_pk)
    if refused := _refuse_unless_editor(request, roadmap, "edit its roadmap items"):
        return refused
    posted = request.POST.get("form", "item") if request.method == "POST" else None
    if posted not in (None, *_ITEM_ACTIONS):
        return refuse(request, "Unknown form.", status=400)
    if posted in ("period", "requests") and not services.can_plan(
        actor=request.user, roadmap=roadmap
    ):
        return refuse(
            request,
            f"Only a lead of {roadmap.team} may move its items between quarters or change "
            "their requests.",
        )
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    initial.update(
        start_month=item.start_month.isoformat() if item.start_month else "",
        end_month=item.end_month.isoformat() if item.end_month else "",
        version=item.version,
    )
    forms = {
        "item": ItemEditForm(
            request.POST if posted == "item" else None,
            roadmap=roadmap,
            months=_months(roadmap),
            initial=initial,
        ),
        "period": ItemPeriodForm(
            request.POST if posted == "period" else None,
            prefix="period",
            roadmaps=selectors.other_quarters(roadmap=roadmap),
            initial={"version": item.version},
        ),
        "requests": ItemRequestsForm(
            request.POST if posted == "requests" else None,
            prefix="requests",
            choices=selectors.item_request_choices(item=item),
            initial={"requests": list(item.requests.all()), "version": item.version},
        ),
    }
    bound = forms.get(posted)
    status = 200
    if bound is not None and bound.is_valid():
        try:
            done, next_url = _ITEM_ACTIONS[posted](request, item, bound)
        except DomainError as error:
            _add_error(bound, error)
            status = error.status_code
        else:
            messages.success(request, done)
            return redirect(next_url)
    return render(
        request,
        "roadmap/item_form.html",
        _context(
            request,
            roadmap,
            form=forms["item"],
            period_form=forms["period"],
            requests_form=forms["requests"],
            item=item,
        ),
        # A stale version is a conflict (409, the form says to reload); other errors are 400.
        status=status if status != 200 else (400 if bound is not None and bound.errors else 200),
    )


@role_required(Role.MEMBER)
@require_POST
def item_move(request, pk: int, item_pk: int):
    """Move an item between lanes; htmx gets the board back, a plain form post a redirect,
    both filtered as the board was (the filters ride along in the form's query string)."""
    roadmap = _roadmap_or_404(pk)
    item = _item_or_404(roadmap, item_pk)
    if refused := _refuse_unless_editor(request, roadmap, "move its items"):
        return refused
    try:
        services.roadmap_item_move(
            item=item,
            actor=request.user,
            lane=request.POST.get("lane", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, f"“{item.title}” moved to {Lane(request.POST['lane']).label}.")
    if request.htmx:
        return roadmap_board(request, pk)
    query = _filter_query(request)
    return redirect(
        f"{roadmap.get_absolute_url()}?{query}" if query else roadmap.get_absolute_url()
    )


@role_required(Role.LEAD)
@require_POST
def item_remove(request, pk: int, item_pk: int):
    roadmap = _roadmap_or_404(pk)
    item = _item_or_404(roadmap, item_pk)
    if refused := _refuse_unless_planner(request, roadmap, "take items off it"):
        return refused
    try:
        services.roadmap_item_remove(item=item, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(
        request, f"“{item.title}” taken off the roadmap; its requests are accepted again."
    )
    return redirect(roadmap.get_absolute_url())


@role_required(Role.MEMBER)
def unplanned(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    form = UnplannedForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST":
        if refused := _refuse_unless_editor(request, roadmap, "log unplanned work on it"):
            return refused
        if form.is_valid():
            try:
                entry = services.unplanned_log(
                    roadmap=roadmap, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                _add_error(form, error)
            else:
                messages.success(request, f"Logged {entry.days} person-days of unplanned work.")
                return redirect("roadmap:unplanned", pk=roadmap.pk)
    context = _context(
        request,
        _roadmap_or_404(pk),
        form=form,
        entries=list(selectors.unplanned_list(roadmap=roadmap)),
    )
    return render(request, "roadmap/unplanned.html", context, status=400 if form.errors else 200)


@role_required(Role.MEMBER)
@require_POST
def unplanned_delete(request, pk: int, entry_pk: int):
    roadmap = _roadmap_or_404(pk)
    entry = get_object_or_404(UnplannedEntry, roadmap=roadmap, pk=entry_pk)
    if refused := _refuse_unless_editor(request, roadmap, "delete its unplanned work"):
        return refused
    try:
        services.unplanned_delete(entry=entry, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.success(request, "Entry deleted.")
    return redirect("roadmap:unplanned", pk=pk)


@role_required(Role.MEMBER)
def snapshot_list(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    form = SnapshotForm(request.POST or None)
    if request.method == "POST":
        if refused := _refuse_unless_planner(request, roadmap, "take snapshots of it"):
            return refused
        if form.is_valid():
            services.snapshot_take(
                roadmap=roadmap, actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, "Snapshot taken.")
            return redirect("roadmap:snapshots", pk=pk)
    context = _context(
        request, roadmap, form=form, snapshots=list(selectors.snapshot_list(roadmap=roadmap))
    )
    return render(request, "roadmap/snapshots.html", context)


@role_required(Role.MEMBER)
def snapshot_diff(request, pk: int, snapshot_pk: int):
    """What changed from a snapshot to the roadmap as it is now."""
    roadmap = _roadmap_or_404(pk)
    snapshot = get_object_or_404(Snapshot, roadmap=roadmap, pk=snapshot_pk)
    changes = selectors.roadmap_changes(roadmap=roadmap, since=snapshot)
    return render(
        request,
        "roadmap/snapshot_diff.html",
        _context(request, roadmap, snapshot=snapshot, changes=changes),
    )


@role_required(Role.LEAD)
def review_complete(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    if refused := _refuse_unless_planner(request, roadmap, "hold its reviews"):
        return refused
    cadence = review_selectors.cadence_for(target=roadmap, kind=Cadence.Kind.ROADMAP)
    last = selectors.snapshot_list(roadmap=roadmap).filter(review__isnull=False).first()
    changes = selectors.roadmap_changes(roadmap=roadmap, since=last)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review, _, _ = services.roadmap_complete_review(
                roadmap=roadmap, actor=request.user, notes=form.cleaned_data["notes"]
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                f"Review completed; the next one is due {review.cadence.next_due_on:%d %b %Y}.",
            )
            return redirect(roadmap.get_absolute_url())
    state = cadence_state(cadence=cadence, today=timezone.localdate()) if cadence else None
    return render(
        request,
        "roadmap/review.html",
        _context(
            request, roadmap, form=form, cadence=cadence, state=state, changes=changes, last=last
        ),
    )


@role_required(Role.LEAD)
def share_links(request, pk: int):
    roadmap = _roadmap_or_404(pk)
    if refused := _refuse_unless_planner(request, roadmap, "manage its share links"):
        return refused
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
            if expires_on
            else None
        )
        try:
            link = services.share_link_create(
                roadmap=roadmap,
                actor=request.user,
                label=form.cleaned_data["label"],
                expires_at=expires_at,
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, "Share link created.")
            return redirect(f"{reverse('roadmap:share_links', args=[pk])}#link-{link.pk}")
    links = list(selectors.share_link_list(roadmap=roadmap))
    return render(
        request,
        "roadmap/share_links.html",
        _context(request, roadmap, form=form, links=links, now=timezone.now()),
        status=400 if form.errors else 200,
    )


@role_required(Role.LEAD)
@require_POST
def share_link_revoke(request, pk: int, link_pk: int):
    roadmap = _roadmap_or_404(pk)
    link = get_object_or_404(ShareLink, roadmap_id=pk, pk=link_pk)
    if refused := _refuse_unless_planner(request, roadmap, "revoke its share links"):
        return refused
    try:
        services.share_link_revoke(link=link, actor=request.user)
    except DomainError as error:
        return refuse(request, error.message, status=error.status_code)
    messages.success(request, "Share link revoked; it now answers “not found”.")
    return redirect("roadmap:share_links", pk=pk)


# --- stakeholder views ------------------------------------------------------------------


def _shared_lanes(roadmap: Roadmap) -> None:
    """Split a roadmap's shared items by lane for the stakeholder board, every lane listed
    (one with nothing shared says so), each lane's cards rendered (roadmap/board.py)."""
    roadmap.lanes = [
        (value, label, lane_items, board.shared_cards_html(lane_items))
        for value, label in LANES
        for lane_items in [[i for i in roadmap.shared if i.lane == value]]
    ]


@login_required
def stakeholder_roadmap(request):
    """The shared roadmap for signed-in stakeholders: shared items, stakeholder-facing text."""
    roadmaps = [
        r
        for r in selectors.stakeholder_roadmaps(
            team=_int(request.GET.get("team")), user=request.user
        )
        if r.shared
    ]
    for r in roadmaps:
        _shared_lanes(r)
    if not request.htmx:
        # Home lists roadmap changes since this moment ("since your last visit").
        roadmap_visit_record(user=request.user)
    context = {
        "roadmaps": roadmaps,
        "teams": Team.objects.order_by("name"),
        "team_filter": _int(request.GET.get("team")),
    }
    template = "roadmap/shared.html#roadmaps" if request.htmx else "roadmap/shared.html"
    return render(request, template, context)


@login_required
@require_POST
def roadmap_watch(request, pk: int):
    roadmap = get_object_or_404(Roadmap, pk=pk)
    watch = request.POST.get("watch") == "1"
    services.roadmap_watch(roadmap=roadmap, user=request.user, watch=watch)
    messages.success(
        request,
        f"You will hear what changed after each review of {roadmap}."
        if watch
        else f"You no longer watch {roadmap}.",
    )
    return redirect("roadmap:shared")


@response_cached
def share_view(request, token: str):
    """Anyone with a live link sees the shared items; revoked or expired links are 404."""
    link = selectors.share_link_active(token)
    if link is None:
        raise Http404("This link is not valid.")
    # A cached copy must not outlive the link.
    cache_until(request, link.expires_at)
    roadmap = link.roadmap
    roadmap.shared = list(selectors.shared_items(roadmap=roadmap))
    _shared_lanes(roadmap)
    response = render(request, "roadmap/share.html", {"roadmaps": [roadmap], "link": link})
    # The token is the key: keep it out of Referer headers and search indexes.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
