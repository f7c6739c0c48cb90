"""Reads for intake. Visibility lives here: who may see which request and which comments."""

from django.contrib.postgres.search import TrigramWordDistance, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from prodops.accounts.models import User
from prodops.accounts.roles import Role, has_role
from prodops.activity.selectors import activity_for

from .filters import RequestFilter
from .models import Comment, Request, RequestStatus, StatusChange, Vote, Watcher

# Below this word similarity a title is not worth suggesting as a possible duplicate.
SIMILARITY_THRESHOLD = 0.3


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


def _with_row_data(qs: QuerySet[Request], *, user) -> QuerySet[Request]:
    """Everything one row of a list shows, loaded in the same query as the rows."""
    return qs.select_related("requester", "department", "assignee", "objective", "team").annotate(
        has_voted=Exists(Vote.objects.filter(request=OuterRef("pk"), voter_id=user.pk))
    )


def request_list(*, user, params=None) -> tuple[RequestFilter, QuerySet[Request]]:
    """Requests the user may see, filtered and sorted by `params` (see intake.filters)."""
    qs = _with_row_data(request_visible(user=user), user=user).order_by("-created_at", "-id")
    filterset = RequestFilter(params or {}, queryset=qs, request=_Req(user))
    if not filterset.is_valid():
        return filterset, qs.none()
    return filterset, filterset.qs


def request_status_counts(*, user, params=None) -> dict[str, int]:
    """How many requests are in each status under the current filters except the status one
    (so the counts say what picking a status would show)."""
    data = params.copy() if params is not None else {}
    if hasattr(data, "setlist"):
        data.setlist("status", [])
    else:
        data.pop("status", None)
    data.pop("sort", None)
    filterset = RequestFilter(data, queryset=request_visible(user=user), request=_Req(user))
    if not filterset.is_valid():
        return {}
    rows = filterset.qs.order_by().values("status").annotate(n=Count("id"))
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
    """Comments in order; internal notes only for team members."""
    qs = Comment.objects.filter(request=request_obj).select_related("author", "moved_from")
    if not has_role(user, Role.MEMBER):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def request_history(*, request_obj: Request) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(request=request_obj).select_related("actor")


def request_votes(*, request_obj: Request) -> QuerySet[Vote]:
    return Vote.objects.filter(request=request_obj).select_related("voter")


def request_merged_from(*, request_obj: Request, user) -> QuerySet[Request]:
    return request_visible(user=user).filter(merged_into=request_obj).only("id", "title")


def request_activity(*, request_obj: Request):
    return activity_for(request_obj)


# How many of the nearest titles request_similar reads to pick its few: enough that titles
# equally similar to the query are still told apart by votes.
SIMILAR_CANDIDATES = 50


def request_similar(*, user, q: str, exclude_id: int | None = None, limit: int = 5):
    """Up to `limit` visible requests whose titles read like `q` (trigram word similarity of
    at least SIMILARITY_THRESHOLD), most similar first, then most voted; merged duplicates
    are left out because their votes already live elsewhere.

    Served by the title GiST index: `title %> q` (with pg_trgm's word similarity threshold
    set to ours for this transaction) lets it skip titles that cannot match, which is most
    of them for a new idea, and ordering by word distance alone (`q <<-> title`, that is
    1 - word_similarity) lets it hand rows over nearest first so the LIMIT ends the scan.
    A second sort key would stop PostgreSQL using the index for the order and make it score
    every matching title, so votes break ties among the SIMILAR_CANDIDATES nearest, here."""
    q = (q or "").strip()
    if len(q) < 3:
        return []
    qs = (
        request_visible(user=user)
        .filter(title__trigram_word_similar=q)
        .exclude(status=RequestStatus.DUPLICATE)
        .annotate(distance=TrigramWordDistance(q, "title"))
        # Says the threshold outright, whatever pg_trgm's setting is.
        .filter(distance__lte=1 - SIMILARITY_THRESHOLD)
        # What the API reports; worked out only for the rows read.
        .annotate(similarity=TrigramWordSimilarity(q, "title"))
        .only("id", "title", "status", "vote_count", "visible_to_stakeholders", "requester_id")
        .order_by("distance")
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    with transaction.atomic(), connection.cursor() as cursor:
        # `%>` compares against this setting (0.6 unless set), not against our threshold.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(SIMILARITY_THRESHOLD)],
        )
        candidates = list(qs[: max(limit, SIMILAR_CANDIDATES)])
    candidates.sort(key=lambda r: (r.distance, -r.vote_count, -r.pk))
    return candidates[:limit]


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
