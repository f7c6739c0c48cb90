"""Pages for scoring: the ranked backlog, assessing a request, the scoring model, objectives."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from outcomes.calibration import HIGH_IMPACT, scoring_calibration
from outcomes.selectors import active_objectives
from prodops.accounts.roles import Role, has_role
from prodops.core.csv_export import csv_writer
from prodops.core.errors import DomainError
from prodops.core.permissions import refuse, role_required
from prodops.core.redirects import return_path
from prodops.core.response_cache import response_cached

from . import charts as intake_charts
from . import scoring, scoring_selectors, scoring_services
from .models import Request
from .scoring_forms import AssessmentForm, BacklogFilterForm, DecisionForm, ScoringModelForm
from .services import request_transition

BACKLOG_PAGE_SIZE = 50


def _filters(request) -> tuple[BacklogFilterForm, dict]:
    form = BacklogFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.filters()
    if form.is_bound:
        messages.error(request, "Some filters were not understood and were ignored.")
    return form, {}


def _url_for_each(name: str):
    """reverse(name, args=[pk]) for many pks at the price of one reverse: the URL is built
    once around a placeholder id that each pk then takes the place of."""
    placeholder = "987654321987"
    url = reverse(name, args=[int(placeholder)])
    if url.count(placeholder) != 1:
        return lambda pk: reverse(name, args=[pk])
    head, tail = url.split(placeholder)
    return lambda pk: f"{head}{pk}{tail}"


def _with_row_urls(rows) -> dict:
    """Each backlog row's links (assess, decide) and what every row shares (plan): 50 rows
    reversing three URLs each in the template were a tenth of the page's time."""
    assess_url, decide_url = _url_for_each("intake:assess"), _url_for_each("intake:backlog_decide")
    for row in rows:
        row.assess_url = assess_url(row.pk)
        row.decide_url = decide_url(row.pk)
    return {"plan_url": reverse("roadmap:plan_request")}


@role_required(Role.MEMBER)
@response_cached
def backlog(request):
    """Scored and accepted requests ranked by score; filters; inline decisions for leads."""
    form, filters = _filters(request)
    params = scoring_selectors.scoring_params_current()
    paginator = Paginator(scoring_selectors.backlog_list(**filters), BACKLOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = scoring_selectors.backlog_explain(
        page.object_list, params, first_rank=page.start_index() or 1
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "params": params,
        "formula": scoring.formula_text(params),
        "objectives": active_objectives(),
        "no_objective": scoring_selectors.NO_OBJECTIVE,
        "score_chart": intake_charts.score_chart(bins=scoring_selectors.score_histogram(**filters)),
        **_with_row_urls(rows),
    }
    template = "intake/backlog.html#results" if request.htmx else "intake/backlog.html"
    return render(request, template, context)


def _safe_next(request, value: str | None, default: str = "") -> str:
    """A same-site address to return to, else `default` (the backlog)."""
    return return_path(request, value) or default or reverse("intake:backlog")


@require_POST
@role_required(Role.LEAD)
def backlog_decide(request, pk: int):
    """A lead accepts, declines (with a reason) or un-accepts a request from its backlog row."""
    form = DecisionForm(request.POST)
    target = scoring_selectors.backlog_row(request_id=pk)
    if target is None:
        raise Http404
    if not form.is_valid():
        return refuse(request, "Choose accept, decline or back to scored.", status=400)
    data = form.cleaned_data
    try:
        request_transition(
            request=target,
            to=data["to"],
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        )
    except DomainError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect(_safe_next(request, data["next"]))
        return refuse(request, error.message, status=error.status_code, field=error.field)
    label = target.get_status_display().lower()
    if not request.htmx:
        messages.success(request, f"“{target.title}” is now {label}.")
        return redirect(_safe_next(request, data["next"]))
    row = scoring_selectors.backlog_row(request_id=pk)
    params = scoring_selectors.scoring_params_current()
    scoring_selectors.backlog_explain([row], params, first_rank=data["rank"] or 1)
    return render(
        request,
        "intake/backlog.html#row",
        {
            "r": row,
            "params": params,
            "decided": label,
            "next": data["next"],
            **_with_row_urls([row]),
        },
    )


CSV_HEADER = [
    "rank",
    "id",
    "title",
    "status",
    "department",
    "objective",
    "for whom",
    "category",
    "votes",
    "created",
    "assessments",
    "mean impact",
    "mean feasibility",
    "mean effort (person-days)",
    "cost band",
    "mean confidence (%)",
    "mean reach",
    "alignment",
    "model",
    "score",
    "worked",
    "wide spread",
]


@role_required(Role.MEMBER)
def backlog_csv(request):
    """The backlog, with the same filters, as CSV with every score part."""
    _form, filters = _filters(request)
    params = scoring_selectors.scoring_params_current()
    queryset = scoring_selectors.backlog_list(**filters)

    def rows():
        yield CSV_HEADER
        for rank, r in enumerate(queryset.iterator(chunk_size=2000), start=1):
            scoring_selectors.score_explain(r, params)
            parts = r.breakdown.parts
            yield [
                rank,
                r.pk,
                r.title,
                r.status,
                r.department.name if r.department else "",
                r.objective.title if r.objective else "",
                r.audience,
                r.category,
                r.vote_count,
                r.created_at.date().isoformat(),
                r.score_record.assessment_count,
                scoring.plain_number(parts["impact"]),
                scoring.plain_number(parts["feasibility"]),
                scoring.plain_number(parts["effort_days"]),
                parts["cost_band"],
                scoring.plain_number(parts["confidence"]),
                "" if parts["reach"] is None else scoring.plain_number(parts["reach"]),
                scoring.plain_number(parts["alignment"]),
                params.kind,
                r.score,
                r.breakdown.worked,
                ", ".join(r.spread.wide_on),
            ]

    writer = csv_writer()
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="backlog.csv"'
    return response


def _panel_context(request, req: Request) -> dict:
    from .templatetags.scoring_tags import scoring_panel_context

    return scoring_panel_context(request.user, req)


@role_required(Role.MEMBER)
def assess(request, pk: int):
    """A member's own assessment of a request, next to everyone's assessments and the score."""
    req = scoring_selectors.request_with_score(pk=pk)
    if req is None:
        raise Http404
    context = _panel_context(request, req)
    own = context["own"]
    initial = {"confidence": 80}
    if own is not None:
        initial = {
            name: getattr(own, name)
            for name in ("feasibility", "effort_days", "impact", "reach", "confidence", "rationale")
        }
        initial["version"] = own.version
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            _assessment, created = scoring_services.assessment_save(
                request=req, assessor=request.user, expected_version=version, **data
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Assessment saved." if created else "Assessment updated.")
            own_page = reverse("intake:assess", args=[req.pk])
            return redirect(_safe_next(request, request.POST.get("next"), own_page))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # The panel's own `req` carries the score breakdown; keep it rather than the bare one.
    context.update({"form": form, "next": _safe_next(request, next_url, "") if next_url else ""})
    return render(request, "intake/assess.html", context, status=400 if form.errors else 200)


@role_required(Role.MEMBER)
def scoring_model(request):
    """Members read the active model and its formula; leads change it (everything re-ranks)."""
    model = scoring_selectors.scoring_model_current()
    can_edit = has_role(request.user, Role.LEAD)
    form = ScoringModelForm(request.POST or None, initial=ScoringModelForm.initial_for(model))
    if request.method == "POST":
        if not can_edit:
            return refuse(request, "Changing the scoring model needs the lead role or higher.")
        if form.is_valid():
            try:
                scoring_services.scoring_model_update(
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except DomainError as error:
                field = error.field
                if field == "cost_band_edges":
                    field = "band_1"
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, "Scoring model saved; the backlog is re-ranked.")
                return redirect("intake:scoring_model")
    params = scoring_selectors.scoring_params_current()
    context = {
        "model": model,
        "params": params,
        "formula": scoring.formula_text(params),
        "form": form,
        "can_edit": can_edit,
        "bands": _band_rows(params),
        **_calibration_context(),
    }
    return render(request, "intake/scoring_model.html", context, status=400 if form.errors else 200)


def _calibration_context() -> dict:
    """What shipped work observed, against the impact its assessors called (outcomes)."""
    figures = scoring_calibration()
    return {
        "calibration_tables": [
            ("Per assessor", figures["assessors"]),
            ("Per team", figures["teams"]),
        ],
        "high_impact": HIGH_IMPACT,
    }


def _band_rows(params: scoring.ScoringParams) -> list[dict]:
    rows, low = [], None
    for band, edge in enumerate(params.band_edges, start=1):
        rows.append({"band": band, "low": low, "high": edge})
        low = edge
    rows.append({"band": 5, "low": low, "high": None})
    return rows


@role_required(Role.MEMBER)
def objective_view(request):
    """Requests, total score and effort per objective: which objectives are over- or under-served."""
    loads = scoring_selectors.objective_loads()
    return render(request, "intake/objective_view.html", {"loads": loads})
