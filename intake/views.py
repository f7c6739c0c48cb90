"""Browser pages for intake. Views parse input, call one service or selector, and render;
with htmx they render only the partial of the same template."""

import datetime as dt
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from outcomes.models import Objective
from prodops.accounts.models import Department
from prodops.accounts.roles import Role, has_role
from prodops.core.errors import DomainError, ValidationFailed
from prodops.core.permissions import refuse, role_required
from prodops.core.redirects import return_path
from prodops.core.response_cache import response_cached
from prodops.search.engine import search_all

from . import charts as intake_charts
from . import lifecycle, selectors, services
from .filters import AGE_CHOICES, queue_filter_params, sort_choices_for
from .forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    CommentForm,
    MergeForm,
    RequestForm,
    SimilarForm,
    TeamForm,
    TransitionForm,
    VoteForm,
)
from .models import Request, RequestStatus
from .routing.rules import routing_pick, routing_suggest
from .routing.selectors import routing_rules
from .routing.selectors import teams as all_teams

QUEUE_PAGE_SIZE = 50


def _role_ok(user):
    return lambda minimum: has_role(user, minimum)


def _with_suggestions(rows, rules=None):
    """Attach the team the routing rules suggest to each row without one (one query for the
    rules, none per row)."""
    rules = routing_rules() if rules is None else rules
    for row in rows:
        row.suggested_team = None if row.team_id else routing_suggest(request=row, rules=rules)
    return rows


def _with_row_suggestions(rows, values, rules=None) -> None:
    """Queue rows (see selectors.queue_rows) without a team get the name of the team the
    routing rules suggest (one query for the rules, none per row)."""
    rules = routing_rules() if rules is None else rules
    for row, v in zip(rows, values, strict=True):
        team = None
        if v["team_id"] is None:
            rule = routing_pick(rules, category=v["category"], department_id=v["department_id"])
            team = rule.team if rule is not None else None
        row["suggested_team"] = team.name if team is not None else ""


def _with_targets(rows, user):
    """Attach the moves each row offers the viewer (pure Python: no queries per row)."""
    role_ok = _role_ok(user)
    for row in rows:
        row.targets = [
            (value, RequestStatus(value).label)
            for value in lifecycle.allowed_targets(
                row.status, role_ok, is_requester=row.requester_id == user.pk
            )
        ]
    return rows


def _fail(request, error: DomainError, back: str):
    """A refused browser action: 403 pages say why; bad input and edit conflicts come back as
    a message on the page the person was on (or as a fragment for htmx)."""
    if request.htmx or error.status_code == 403:
        return refuse(request, error.message, status=error.status_code, field=error.field)
    messages.error(request, error.message)
    return redirect(back)


def _first_error(form) -> ValidationFailed:
    """The form's first error, worded for a person: "Label: message"."""
    first_field, errors = next(iter(form.errors.items()))
    label = form.fields[first_field].label if first_field in form.fields else None
    label = label or first_field.replace("_", " ").capitalize()
    return ValidationFailed(f"{label}: {errors[0]}", field=first_field)


def _form_error(request, form, back: str):
    return _fail(request, _first_error(form), back)


def _back(request, default: str) -> str:
    return return_path(request, request.POST.get("next") or request.GET.get("next")) or default


# --- Triage queue ---------------------------------------------------------------------------


def _queue_link(raw: QueryDict, statuses: list[str] | None) -> str:
    """The queue under the filters `raw` with the status filter replaced by `statuses` (None:
    the default, open statuses; [""]: every status), from its first page."""
    params = raw.copy()
    params.pop("page", None)
    if statuses is None:
        params.pop("status", None)
    else:
        params.setlist("status", statuses)
    query = params.urlencode()
    return reverse("intake:queue") + (f"?{query}" if query else "")


def _counts_context(user, raw: QueryDict, counts: dict[str, int] | None = None) -> dict:
    """The per-status counts under the queue's filters `raw` (the query string as given),
    each with the link that picks it, and the statuses picked. `counts` when they are known
    already."""
    if counts is None:
        counts = selectors.request_status_counts(user=user, params=queue_filter_params(raw))
    picked = [v for v in raw.getlist("status") if v]
    everything = "status" in raw and not picked
    return {
        "status_tabs": [
            (
                "open",
                "Open",
                sum(counts.get(v, 0) for v in lifecycle.OPEN_STATUSES),
                _queue_link(raw, None),
                "status" not in raw,
            ),
            ("all", "All", sum(counts.values()), _queue_link(raw, [""]), everything),
        ],
        "status_counts": [
            (v, label, counts.get(v, 0), _queue_link(raw, [v]), v in picked)
            for v, label in RequestStatus.choices
        ],
        "picked_statuses": raw.getlist("status"),
    }


def _queue_context(request, queue_url: str = "") -> dict:
    """The queue under the filters in `request.GET`; rows send people back to `queue_url`
    (by default the address asked for)."""
    filterset, qs = selectors.request_queue(user=request.user, params=request.GET)
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.request_queue_counts(filterset) if not filterset.errors else {}
    values = list(page.object_list)
    rows = selectors.queue_rows(values)
    _with_row_suggestions(rows, values)
    return {
        **_counts_context(request.user, request.GET, counts),
        "filterset": filterset,
        "page": page,
        "rows": rows,
        "queue_url": queue_url or request.get_full_path(),
        "statuses": RequestStatus.choices,
        "people": list(selectors.team_people()),
        "teams": list(all_teams()),
        "choices": {
            "departments": Department.objects.all(),
            "categories": Request.Category.choices,
            "audiences": Request.Audience.choices,
            "objectives": Objective.objects.only("id", "title"),
            "ages": AGE_CHOICES,
            "sorts": sort_choices_for(request.user),
        },
    }


@login_required
@require_GET
@response_cached
def queue(request):
    """The team's triage queue; stakeholders are sent to their own requests instead."""
    if not has_role(request.user, Role.MEMBER):
        return redirect("intake:mine")
    context = _queue_context(request)
    filterset = context["filterset"]
    if filterset.errors:
        # A filter that cannot be read matches nothing; say which one rather than show an
        # empty queue as if it were the answer.
        error = _first_error(filterset.form)
        if request.htmx:
            return refuse(request, error.message, status=400)
        messages.error(request, error.message)
        return render(request, "intake/queue.html", context, status=400)
    if request.htmx:
        return render(request, "intake/queue.html#results_update", context)
    return render(request, "intake/queue.html", context)


@role_required(Role.MEMBER)
@require_GET
def intake_chart(request):
    """Intake per week by department. The queue loads it after the rows (htmx), so the
    queue's own page stays light; without JavaScript the queue links here."""
    context = {"intake_chart": _intake_chart()}
    template = "intake/_intake_chart.html" if request.htmx else "intake/intake_chart.html"
    return render(request, template, context)


def _intake_chart():
    today = timezone.localdate()
    since = intake_charts.intake_window_start(today)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return intake_charts.intake_chart(rows=selectors.intake_by_week(since=start), today=today)


def _panel_context(request, obj, back: str) -> dict:
    """What the triage panel of `obj` offers the viewer: its moves, the people to assign and,
    while the request can still become a duplicate, the merge search."""
    _with_targets([obj], request.user)
    _with_suggestions([obj])
    return {
        "r": obj,
        "team_value": obj.team_id or getattr(obj.suggested_team, "pk", None),
        "teams": list(all_teams()),
        "people": list(selectors.team_people()),
        "queue_url": back,
        "can_merge": lifecycle.can_merge_away(obj.status, _role_ok(request.user)),
        "move_targets": obj.targets,
    }


@role_required(Role.MEMBER)
@require_GET
def triage(request, pk: int):
    """One request's triage actions (status, assignee, merge by title search): the queue's
    side panel with htmx, a small page of its own without. With `merge_q` and htmx, only the
    merge candidates for that search."""
    obj = selectors.request_get(user=request.user, pk=pk)
    if "merge_q" in request.GET:
        targets = selectors.request_merge_targets(
            user=request.user, request_obj=obj, q=request.GET["merge_q"][:200]
        )
    else:
        targets = None
    back = return_path(request, request.GET.get("next"))
    if not back and request.htmx and request.htmx.current_url_abs_path:
        back = return_path(request, request.htmx.current_url_abs_path)
    context = {
        **_panel_context(request, obj, back or reverse("intake:queue")),
        "merge_q": request.GET.get("merge_q", ""),
        "merge_targets": targets,
    }
    if request.htmx:
        partial = "merge_targets" if request.htmx.target == f"merge-targets-{pk}" else "panel"
        return render(request, f"intake/triage.html#{partial}", context)
    return render(request, "intake/triage.html", context)


@role_required(Role.MEMBER)
@require_POST
def bulk(request):
    """Apply one status and/or assignee to the selected rows, all or nothing."""
    query = request.GET.urlencode()
    back = reverse("intake:queue") + (f"?{query}" if query else "")
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    ids = form.cleaned_data["ids"]
    rows = list(selectors.request_visible(user=request.user).filter(pk__in=ids).order_by("pk"))
    assignee_raw = form.cleaned_data["assignee"]
    assignee = None
    if assignee_raw and assignee_raw != "none":
        assignee = selectors.team_people().filter(pk=int(assignee_raw)).first()
        if assignee is None:
            return _fail(request, ValidationFailed("Choose a team member.", field="assignee"), back)
    try:
        changed = services.requests_bulk_update(
            requests=rows,
            actor=request.user,
            to=form.cleaned_data["to"] or None,
            assign=bool(assignee_raw),
            assignee=assignee,
            reason=form.cleaned_data["reason"],
            revisit_on=form.cleaned_data["revisit_on"],
        )
    except DomainError as error:
        return _fail(request, error, back)
    messages.success(request, f"Updated {changed} request{'s' if changed != 1 else ''}.")
    if request.htmx:
        return render(request, "intake/queue.html#results_update", _queue_context(request, back))
    return redirect(back)


# --- Submitting and editing -----------------------------------------------------------------


def _apply_form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _similar_attrs(form, exclude: int | None = None) -> None:
    """Ask for similar titles while the title is typed (debounced), without a line of JS."""
    url = reverse("intake:similar") + (f"?exclude={exclude}" if exclude else "")
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": url,
            "hx-trigger": "input changed delay:300ms, keyup changed delay:300ms",
            "hx-target": "#similar-list",
            "hx-swap": "outerHTML",
            "hx-sync": "this:replace",
        }
    )


@login_required
def create(request):
    """The request form; the department starts as the requester's own."""
    form = RequestForm(request.POST or None, initial={"department": request.user.department})
    _similar_attrs(form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            obj = services.request_create(requester=request.user, **data)
        except DomainError as error:
            _apply_form_error(form, error)
        else:
            messages.success(
                request, f"Thanks — request #{obj.pk} is in. You'll hear about every change."
            )
            return redirect("intake:detail", pk=obj.pk)
    return render(
        request,
        "intake/request_form.html",
        {"form": form, "request_obj": None},
        status=400 if form.errors else 200,
    )


@login_required
def edit(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    if not services.request_can_edit(request=obj, user=request.user):
        return refuse(
            request, "Only the team, or the requester before triage, may edit this request."
        )
    initial = {field: getattr(obj, field) for field in services.EDITABLE_FIELDS}
    initial["version"] = obj.version
    form = RequestForm(request.POST or None, initial=initial)
    _similar_attrs(form, exclude=obj.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.request_update(
                request=obj, actor=request.user, expected_version=version, **data
            )
        except DomainError as error:
            if error.status_code == 403:
                return refuse(request, error.message)
            _apply_form_error(form, error)
        else:
            messages.success(request, "Request saved.")
            return redirect("intake:detail", pk=obj.pk)
    return render(
        request,
        "intake/request_form.html",
        {"form": form, "request_obj": obj},
        status=(409 if "version" in form.errors else 400) if form.errors else 200,
    )


@login_required
@require_GET
def similar(request):
    """Requests whose titles read like the one being typed (an htmx fragment)."""
    form = SimilarForm(request.GET)
    if not form.is_valid():
        return refuse(request, _first_error(form).message, status=400)
    q = form.text()
    results = selectors.request_similar(
        user=request.user, q=q, exclude_id=form.cleaned_data["exclude"]
    )
    # Docs that may already answer it, from the one search service (prodops.search).
    docs = [
        hit
        for _, hits in search_all(user=request.user, q=q, limit=3, kinds={"doc"}, loose=True)
        for hit in hits
    ]
    return render(request, "intake/_similar.html", {"similar": results, "q": q, "docs": docs})


# --- My requests ----------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """The requester's own requests, and the ones open to every stakeholder to vote on."""
    scope = "open" if request.GET.get("scope") == "open" else "mine"
    if scope == "open":
        qs = selectors.open_to_stakeholders(user=request.user)
    else:
        qs = selectors.mine_list(user=request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "intake/mine.html", {"page": page, "scope": scope})


# --- One request ----------------------------------------------------------------------------


def _detail_context(request, obj) -> dict:
    user = request.user
    is_member = has_role(user, Role.MEMBER)
    _with_targets([obj], user)
    context = {
        "request_obj": obj,
        "is_member": is_member,
        "can_edit": services.request_can_edit(request=obj, user=user),
        "can_comment": services.comment_can_write(request=obj, user=user),
        "can_vote": services.request_vote_refusal(request=obj, user=user) is None,
        "comments": selectors.request_comments(request_obj=obj, user=user),
        "history": selectors.request_history(request_obj=obj),
        "votes": selectors.request_votes(request_obj=obj, user=user),
        "merged_into_label": (
            selectors.request_label_for(request_obj=obj.merged_into, user=user)
            if obj.merged_into_id
            else ""
        ),
        "merged_into_visible": obj.merged_into_id is not None
        and selectors.request_is_visible(request=obj.merged_into, user=user),
        "merged_from": selectors.request_merged_from(request_obj=obj, user=user),
        "comment_form": CommentForm(),
        "vote_form": VoteForm(),
    }
    if obj.status == RequestStatus.NEEDS_INFO and (obj.requester_id == user.pk or is_member):
        context["answer_form"] = AnswerForm()
    if is_member:
        _with_suggestions([obj])
        team_initial = obj.team_id or getattr(obj.suggested_team, "pk", None)
        context.update(
            {
                "transition_form": TransitionForm(
                    initial={"version": obj.version, "team": team_initial}
                ),
                "team_form": TeamForm(initial={"version": obj.version, "team": team_initial}),
                "teams": list(all_teams()),
                "assign_form": AssignForm(
                    initial={"assignee": obj.assignee_id, "version": obj.version}
                ),
                "merge_form": MergeForm(),
                "activity": selectors.request_activity(request_obj=obj),
            }
        )
    return context


@login_required
@require_GET
@response_cached
def detail(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    return render(request, "intake/detail.html", _detail_context(request, obj))


@login_required
@require_POST
def transition(request, pk: int):
    """One lifecycle move, from the detail page or inline from a queue row."""
    obj = selectors.request_get(user=request.user, pk=pk)
    back = _back(request, reverse("intake:detail", args=[pk]))
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        services.request_move(
            request=obj,
            to=form.cleaned_data["to"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            revisit_on=form.cleaned_data["revisit_on"],
            expected_version=form.cleaned_data["version"],
            team=form.cleaned_data["team"],
        )
    except DomainError as error:
        return _fail(request, error, back)
    return _after_row_change(
        request, pk, back, f"Moved to {RequestStatus(form.cleaned_data['to']).label.lower()}."
    )


@role_required(Role.MEMBER)
@require_POST
def set_team(request, pk: int):
    """Set or change the request's team, from the request page or inline from a queue row."""
    obj = selectors.request_get(user=request.user, pk=pk)
    back = _back(request, reverse("intake:detail", args=[pk]))
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    team = form.cleaned_data["team"]
    try:
        services.request_set_team(
            request=obj,
            actor=request.user,
            team=team,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _fail(request, error, back)
    return _after_row_change(request, pk, back, f"Team set to {team}." if team else "Team removed.")


@role_required(Role.MEMBER)
@require_POST
def assign(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    back = _back(request, reverse("intake:detail", args=[pk]))
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        services.request_assign(
            request=obj,
            actor=request.user,
            assignee=form.cleaned_data["assignee"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _fail(request, error, back)
    who = form.cleaned_data["assignee"]
    return _after_row_change(request, pk, back, f"Assigned to {who}." if who else "Unassigned.")


def _queue_row_with_suggestion(request, obj) -> dict:
    """The queue row of `obj` (after _panel_context has attached its suggested team)."""
    row = selectors.request_queue_row(user=request.user, pk=obj.pk)
    row["suggested_team"] = obj.suggested_team.name if obj.suggested_team else ""
    return row


def _after_row_change(request, pk: int, back: str, message: str):
    """From the queue with htmx: the changed row, with the queue's counts (under the filters of
    the queue it came from, `back`), its triage panel (with the new version and moves) and
    the messages area out of band. Otherwise back to `back` with the message."""
    if request.htmx and request.POST.get("from") == "queue":
        obj = selectors.request_get(user=request.user, pk=pk)
        return render(
            request,
            "intake/queue.html#row_update",
            {
                **_panel_context(request, obj, back),
                "row": _queue_row_with_suggestion(request, obj),
                "flash": message,
                **_counts_context(request.user, QueryDict(urlsplit(back).query)),
            },
        )
    messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
def vote(request, pk: int):
    """+1 (with an optional note), or take it back with `unvote`."""
    obj = selectors.request_get(user=request.user, pk=pk)
    back = reverse("intake:detail", args=[pk])
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        if request.POST.get("unvote"):
            services.request_unvote(request=obj, voter=request.user)
            messages.success(request, "Your vote is taken back.")
        else:
            services.request_vote(request=obj, voter=request.user, note=form.cleaned_data["note"])
            messages.success(request, "Thanks — your vote counts.")
    except DomainError as error:
        return _fail(request, error, back)
    if request.htmx:
        obj = selectors.request_get(user=request.user, pk=pk)
        return render(request, "intake/detail.html#votes", _detail_context(request, obj))
    return redirect(back)


@login_required
@require_POST
def watch(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    if request.POST.get("stop"):
        services.request_unwatch(request=obj, user=request.user)
        messages.success(request, "You no longer watch this request.")
    else:
        services.request_watch(request=obj, user=request.user)
        messages.success(request, "You now watch this request.")
    return redirect("intake:detail", pk=pk)


@login_required
@require_POST
def comment(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    back = reverse("intake:detail", args=[pk]) + "#comments"
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        created = services.comment_create(
            request=obj,
            author=request.user,
            body=form.cleaned_data["body"],
            is_internal=form.cleaned_data["is_internal"],
        )
    except DomainError as error:
        return _fail(request, error, back)
    messages.success(
        request, "Note added for the team." if created.is_internal else "Comment added."
    )
    if request.htmx:
        return render(request, "intake/detail.html#comments", _detail_context(request, obj))
    return redirect(reverse("intake:detail", args=[pk]) + f"#comment-{created.pk}")


@login_required
@require_POST
def answer(request, pk: int):
    """The requester answers a needs-info question; the request goes back to new."""
    obj = selectors.request_get(user=request.user, pk=pk)
    back = reverse("intake:detail", args=[pk])
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        services.request_answer(request=obj, actor=request.user, body=form.cleaned_data["body"])
    except DomainError as error:
        return _fail(request, error, back)
    messages.success(request, "Thanks — your answer is with the team.")
    return redirect(back)


@role_required(Role.MEMBER)
@require_POST
def merge(request, pk: int):
    obj = selectors.request_get(user=request.user, pk=pk)
    back = _back(request, reverse("intake:detail", args=[pk]))
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _form_error(request, form, back)
    try:
        into = selectors.request_get(user=request.user, pk=form.cleaned_data["into"])
    except Http404:
        return _fail(
            request,
            ValidationFailed(f"There is no request #{form.cleaned_data['into']}.", field="into"),
            back,
        )
    try:
        services.request_merge(duplicate=obj, into=into, actor=request.user)
    except DomainError as error:
        return _fail(request, error, back)
    message = f"Merged into #{into.pk}; votes, watchers and comments moved over."
    if request.htmx and request.POST.get("from") == "queue":
        return _after_row_change(request, pk, back, message)
    messages.success(request, message)
    return redirect("intake:detail", pk=into.pk)
