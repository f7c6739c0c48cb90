"""Reads for intake. Visibility lives here: who may see which request and which comments."""

import datetime as dt

from django.contrib.postgres.search import (
    SearchVector,
)
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.models import User
from prodops.accounts.roles import Role, has_role
from prodops.activity.selectors import activity_for

from .filters import RequestFilter, queue_filter_params
from .models import Comment, Request, RequestStatus, StatusChange, Vote, Watcher

# Below this word similarity a title is not worth suggesting as a possible duplicate.
SIMILARITY_THRESHOLD = 0.3
# The expression the `request_search` GIN index is built on (intake.models), so it serves
# full-text matches on title and description.
REQUEST_SEARCH_VECTOR = SearchVector("title", weight="A", config="english") + SearchVector(
    "description", weight="B", config="english"
)


def request_visible(*, user) -> QuerySet[Request]:
    """Team members see every request; a stakeholder sees their own and those open to
    stakeholders; nobody else sees any. (request_is_visible is the same rule for one row.)"""
    qs = Request.objects.all()
    if has_role(user, Role.MEMBER):
        return qs
    if not has_role(user, Role.STAKEHOLDER):
        return qs.none()
    return qs.filter(Q(requester=user) | Q(visible_to_stakeholders=True))


def request_is_visible(*, request: Request, user) -> bool:
    """request_visible's rule for a request already loaded, without a query."""
    if has_role(user, Role.MEMBER):
        return True
    return has_role(user, Role.STAKEHOLDER) and (
        request.requester_id == user.pk or request.visible_to_stakeholders
    )


def request_label_for(*, request_obj: Request, user) -> str:
    """How a request is named to `user` when something else points at it (a merged
    duplicate's banner and status reason): "#N “title”" if they may see it, only "#N" if not.
    A private request's title never reaches someone who may not open it."""
    if request_is_visible(request=request_obj, user=user):
        return f"#{request_obj.pk} “{request_obj.title}”"
    return f"#{request_obj.pk}"


def request_readers_may_see(*, request_obj: Request, other: Request) -> bool:
    """Whether everyone who may see `request_obj` may also see `other`: text stored on one
    request that names another (a merge reason) may name it only then."""
    if other.visible_to_stakeholders:
        return True
    if request_obj.visible_to_stakeholders:
        return False
    return request_is_visible(request=other, user=request_obj.requester)


def moved_here_visible_q(*, user) -> Q:
    """Rows (comments, votes) that a merge moved from another request: `user` sees what came
    from a request they may see, and what was written here, nothing else. Nothing from a
    request they could not see reaches them through a merge."""
    if has_role(user, Role.MEMBER):
        return Q(pk__isnull=False)  # every row; When() refuses an empty Q
    return Q(moved_from__isnull=True) | Q(moved_from__in=request_visible(user=user).values("pk"))


def _with_row_data(qs: QuerySet[Request], *, user) -> QuerySet[Request]:
    """Everything one row of a list shows, loaded in the same query as the rows."""
    return qs.select_related("requester", "department", "assignee", "objective", "team").annotate(
        has_voted=Exists(Vote.objects.filter(request=OuterRef("pk"), voter_id=user.pk))
    )


def request_rows(*, user) -> QuerySet[Request]:
    """Requests the user may see with what a list row shows, newest first, unfiltered (for
    callers that filter with RequestFilter themselves, such as the API's filter backend)."""
    return _with_row_data(request_visible(user=user), user=user).order_by("-created_at", "-id")


# What one compact queue row shows, read as plain values (no model instances to build).
QUEUE_ROW_FIELDS = (
    "id",
    "title",
    "status",
    "vote_count",
    "created_at",
    "department_id",
    "department__name",
    "category",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


def request_queue(*, user, params) -> tuple[RequestFilter, QuerySet]:
    """The triage queue: RequestFilter's filters and sorts with the queue's default (open
    statuses, see filters.queue_filter_params), as the values a compact row shows (turn
    them into rows with queue_rows)."""
    filterset = RequestFilter(
        queue_filter_params(params),
        queryset=request_visible(user=user).order_by("-created_at", "-id"),
        request=_Req(user),
    )
    if not filterset.is_valid():
        return filterset, Request.objects.none().values(*QUEUE_ROW_FIELDS)
    return filterset, filterset.qs.values(*QUEUE_ROW_FIELDS)


def request_queue_counts(filterset: RequestFilter) -> dict[str, int]:
    """request_status_counts for a queue whose filterset is already read: its filters
    applied once more, all but the status and the sort."""
    return _status_counts(filterset)


def request_queue_row(*, user, pk: int) -> dict:
    """One request as a queue row (see queue_rows), or 404 when the user may not see it."""
    values = request_visible(user=user).filter(pk=pk).values(*QUEUE_ROW_FIELDS).first()
    if values is None:
        raise Http404("No such request.")
    return queue_rows([values])[0]


def _short_age(delta: dt.timedelta) -> str:
    """An age in its largest whole unit: 5m, 3h, 2d, 6w, 14mo."""
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((60 * 24 * 30, "mo"), (60 * 24 * 7, "w"), (60 * 24, "d"), (60, "h")):
        if minutes >= size * (2 if unit == "mo" else 1):
            return f"{minutes // size}{unit}"
    return f"{max(minutes, 0)}m"


def initials(first_name: str, last_name: str, username: str) -> str:
    """Up to two letters for a person: of the first and last name, else of the username."""
    letters = "".join(part[:1] for part in (first_name, last_name) if part)
    return (letters or username[:2]).upper()


# An id no request has, reversed into a URL once so each row only fills in its own id.
_ID_SLOT = 987654321


def queue_rows(values) -> list[dict]:
    """Compact queue rows from request_queue's values, with what a row prints worked out in
    Python once rather than by template tags and filters per row: the id and votes as text
    (a number in a template is localized each time it is printed), its two links, the
    status label, the age (short, and in full for the hover text) and the assignee's name
    and initials."""
    now = timezone.now()
    labels = dict(RequestStatus.choices)
    # Reversed once per page, not twice per row; the id goes in the slot.
    detail_url = reverse("intake:detail", args=[_ID_SLOT]).replace(str(_ID_SLOT), "{}")
    triage_url = reverse("intake:triage", args=[_ID_SLOT]).replace(str(_ID_SLOT), "{}")
    rows = []
    for v in values:
        pk, created = v["id"], v["created_at"]
        first, last = v["assignee__first_name"] or "", v["assignee__last_name"] or ""
        assigned = v["assignee_id"] is not None
        rows.append(
            {
                "ref": str(pk),
                "title": v["title"],
                "url": detail_url.format(pk),
                "triage_url": triage_url.format(pk),
                "department": v["department__name"] or "—",
                "team": v["team__name"] or "",
                "vote_text": str(v["vote_count"]),
                "status": v["status"],
                "status_label": labels.get(v["status"], v["status"]),
                "age": _short_age(now - created),
                "created_text": timezone.localtime(created).strftime("%-d %b %Y, %H:%M"),
                "assignee_name": (
                    f"{first} {last}".strip() or v["assignee__username"] if assigned else ""
                ),
                "assignee_initials": (
                    initials(first, last, v["assignee__username"]) if assigned else ""
                ),
            }
        )
    return rows


# How many candidates the merge search offers.
MERGE_TARGETS = 8


def request_merge_targets(*, user, request_obj: Request, q: str) -> list[Request]:
    """Requests `request_obj` could be merged into, found by title (or `#id`): the nearest
    titles first (request_similar), then other titles containing the words, never the request
    itself or a duplicate (which points elsewhere already)."""
    q = (q or "").strip()
    if not q:
        return []
    base = (
        request_visible(user=user)
        .exclude(pk=request_obj.pk)
        .exclude(status=RequestStatus.DUPLICATE)
        .only("id", "title", "status", "vote_count")
    )
    if q.lstrip("#").isdecimal():
        return list(base.filter(pk=int(q.lstrip("#"))))
    found = request_similar(user=user, q=q, exclude_id=request_obj.pk, limit=MERGE_TARGETS)
    if len(found) < MERGE_TARGETS:
        seen = [r.pk for r in found]
        found += list(
            base.filter(title__icontains=q)
            .exclude(pk__in=seen)
            .order_by("-vote_count", "-id")[: MERGE_TARGETS - len(found)]
        )
    return found


def request_status_counts(*, user, params=None) -> dict[str, int]:
    """How many requests are in each status under the current filters except the status one
    (so the counts say what picking a status would show)."""
    filterset = RequestFilter(params or {}, queryset=request_visible(user=user), request=_Req(user))
    if not filterset.is_valid():
        return {}
    return _status_counts(filterset)


# The filters the status counts leave out: the status itself, and the sort, which counts
# do not need.
_NOT_COUNTED = frozenset({"status", "sort"})


def _status_counts(filterset: RequestFilter) -> dict[str, int]:
    """Requests per status under `filterset`'s (valid) filters except _NOT_COUNTED."""
    qs = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name not in _NOT_COUNTED:
            qs = filterset.filters[name].filter(qs, value)
    rows = qs.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {value: counts.get(value, 0) for value in RequestStatus.values}


def request_get(*, user, pk: int) -> Request:
    """One request with what its page shows, or 404 when the user may not see it."""
    request_obj = (
        _with_row_data(request_visible(user=user), user=user)
        .select_related("merged_into")
        .annotate(
            is_watching=Exists(Watcher.objects.filter(request=OuterRef("pk"), user_id=user.pk))
        )
        .filter(pk=pk)
        .first()
    )
    if request_obj is None:
        raise Http404("No such request.")
    return request_obj


def request_comments(*, request_obj: Request, user) -> QuerySet[Comment]:
    """Comments in order; internal notes only for team members, and comments merged over from
    another request only for those who may see that request (moved_here_visible_q)."""
    qs = Comment.objects.filter(request=request_obj).filter(moved_here_visible_q(user=user))
    if not has_role(user, Role.MEMBER):
        qs = qs.filter(is_internal=False)
    return qs.select_related("author", "moved_from").order_by("created_at", "id")


def request_history(*, request_obj: Request) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(request=request_obj).select_related("actor")


def request_votes(*, request_obj: Request, user) -> QuerySet[Vote]:
    """Every vote counts and shows its voter; `shown_note` is the "why it matters" note, empty
    for a vote merged over from a request `user` may not see (moved_here_visible_q)."""
    return (
        Vote.objects.filter(request=request_obj)
        .select_related("voter")
        .annotate(
            shown_note=Case(
                When(moved_here_visible_q(user=user), then=F("note")),
                default=Value(""),
                output_field=CharField(),
            )
        )
    )


def request_merged_from(*, request_obj: Request, user) -> QuerySet[Request]:
    return request_visible(user=user).filter(merged_into=request_obj).only("id", "title")


def request_activity(*, request_obj: Request):
    return activity_for(request_obj)


def request_similar(*, user, q: str, exclude_id: int | None = None, limit: int = 5):
    """Up to `limit` visible requests that name the same need as `q`, best first, then most
    voted; merged duplicates are left out because their votes already live elsewhere.

    Through the one search service's "more like this" (prodops.search.similar): on title and
    description, with English stemming, the product vocabulary's synonyms and rare words
    weighing more, plus the title's trigram word similarity (typos), which `similarity`
    reports. Only bounded candidate lists, each read through an index (`request_search`, the
    title trigram GiST), are scored, so the time does not grow with the number of requests."""
    from prodops.search import engine, similar

    q = engine.clean_query(q)
    if len(q) < 3:
        return []
    visible = request_visible(user=user).exclude(status=RequestStatus.DUPLICATE)
    if exclude_id:
        visible = visible.exclude(pk=exclude_id)
    visible = visible.only(
        "id", "title", "status", "vote_count", "visible_to_stakeholders", "requester_id"
    )
    return similar.similar_rows(
        visible, q=q, vector=REQUEST_SEARCH_VECTOR, index_name="request_search", limit=limit
    )


def mine_list(*, user) -> QuerySet[Request]:
    """The user's own requests, newest first, with comment counts."""
    return (
        Request.objects.filter(requester=user)
        .select_related("department", "merged_into", "team")
        .annotate(
            public_comments=Count("comments", filter=Q(comments__is_internal=False), distinct=True)
        )
        .order_by("-created_at", "-id")
    )


def open_to_stakeholders(*, user) -> QuerySet[Request]:
    """Other people's requests that stakeholders may see and vote on, most voted first."""
    return (
        _with_row_data(Request.objects.filter(visible_to_stakeholders=True), user=user)
        .exclude(requester=user)
        .exclude(status=RequestStatus.DUPLICATE)
        .order_by("-vote_count", "-created_at", "-id")
    )


def team_people() -> QuerySet[User]:
    """People a request can be assigned to: active members and up."""
    return User.objects.filter(
        is_active=True, role__in=[Role.MEMBER, Role.LEAD, Role.ADMIN]
    ).order_by("first_name", "username")


class _Req:
    """The filterset only needs `request.user` (for `me`); views and the API pass theirs."""

    def __init__(self, user):
        self.user = user


def intake_by_week(*, since) -> list[tuple]:
    """Requests received per week (weeks start on Monday) and department since `since`, as
    (week start date, department name or None, count). One query."""
    from django.db.models.functions import TruncWeek

    rows = (
        Request.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .order_by()
        .values("week", "department__name")
        .annotate(n=Count("id"))
        .values_list("week", "department__name", "n")
    )
    return [(week.date(), name, n) for week, name, n in rows]
