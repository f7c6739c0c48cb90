"""Reads for docs: who may see which, lists, revisions and the diff between two of them."""

import datetime as dt
import difflib

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from prodops.accounts.roles import Role, has_role

from .models import (
    IMPLICIT_DEFLECTION_MINUTES,
    LINK_KINDS,
    Deflection,
    Doc,
    DocRevision,
    SearchMiss,
    SuggestionOpen,
)


def doc_visible_q(*, user) -> Q:
    """The audience rule: team members and up see every doc, drafts included; any other
    signed-in person sees published stakeholder and customer docs; someone not signed in
    sees published customer docs only (under /help/). Only published docs leave the team."""
    if has_role(user, Role.MEMBER):
        return Q()
    published = Q(status=Doc.Status.PUBLISHED)
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        return published & Q(audience__in=[Doc.Audience.STAKEHOLDERS, Doc.Audience.CUSTOMERS])
    return published & Q(audience=Doc.Audience.CUSTOMERS)


def doc_visible(*, user) -> QuerySet[Doc]:
    return Doc.objects.filter(doc_visible_q(user=user))


def doc_is_visible(*, doc: Doc, user) -> bool:
    """doc_visible_q's rule for one doc already loaded, without a query."""
    if has_role(user, Role.MEMBER):
        return True
    if doc.status != Doc.Status.PUBLISHED:
        return False
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        return doc.audience in (Doc.Audience.STAKEHOLDERS, Doc.Audience.CUSTOMERS)
    return doc.audience == Doc.Audience.CUSTOMERS


def doc_list(*, user, audience: str | None = None, status: str | None = None) -> QuerySet[Doc]:
    qs = doc_visible(user=user).select_related("owner", "reviewer").defer("search_vector")
    if audience:
        qs = qs.filter(audience=audience)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("title", "id")


def doc_get(*, user, slug: str) -> Doc:
    """The doc with that slug if `user` may see it; otherwise 404 (never a hint it exists)."""
    try:
        doc = Doc.objects.select_related("owner", "reviewer").get(slug=slug)
    except Doc.DoesNotExist:
        raise Http404 from None
    if not doc_is_visible(doc=doc, user=user):
        raise Http404
    return doc


def public_docs() -> QuerySet[Doc]:
    """What /help/ lists: published customer docs."""
    return doc_visible(user=None).defer("search_vector").order_by("title", "id")


def doc_revisions(*, doc: Doc) -> QuerySet[DocRevision]:
    return doc.revisions.select_related("author").order_by("-number")


def doc_linked_requests(*, doc: Doc, user):
    from intake.selectors import request_visible

    return request_visible(user=user).filter(docs=doc).only("id", "title", "status")


def doc_linked_items(*, doc: Doc):
    return doc.roadmap_items.select_related("roadmap__team")


def doc_linked_metrics(*, doc: Doc):
    return doc.metrics.only("id", "name", "unit").order_by("name", "id")


def doc_links(*, doc: Doc, user) -> dict[str, list]:
    """What the doc is linked to, by kind (services.LINK_KINDS), as far as `user` may see:
    requests by request_visible; roadmap items and metrics, internal, for team members only.
    Nobody signed out sees any (public help shows none)."""
    if not has_role(user, Role.STAKEHOLDER):
        return {"request": [], "roadmap_item": [], "metric": []}
    member = has_role(user, Role.MEMBER)
    return {
        "request": list(doc_linked_requests(doc=doc, user=user).order_by("id")),
        "roadmap_item": list(doc_linked_items(doc=doc).order_by("title", "id")) if member else [],
        "metric": list(doc_linked_metrics(doc=doc)) if member else [],
    }


# How many matches a link picker offers.
LINK_CHOICES = 8


def doc_link_choices(*, doc: Doc, user, kind: str, q: str) -> list:
    """What a team member may link the doc to, found by title (or `#id` / a number), leaving
    out what is already linked: requests they can see, roadmap items, metrics."""
    from intake.selectors import request_visible
    from outcomes.models import Metric
    from roadmap.models import RoadmapItem

    q = " ".join((q or "").split())[:200]
    if not q or not has_role(user, Role.MEMBER):
        return []
    if kind == "request":
        qs, field = request_visible(user=user).only("id", "title", "status"), "title"
    elif kind == "roadmap_item":
        qs, field = RoadmapItem.objects.select_related("roadmap__team"), "title"
    elif kind == "metric":
        qs, field = Metric.objects.only("id", "name", "unit"), "name"
    else:
        return []
    qs = qs.exclude(pk__in=getattr(doc, LINK_KINDS[kind]).values("pk"))
    number = q.lstrip("#")
    match = Q(**{f"{field}__icontains": q})
    if number.isdecimal() and len(number) < 12:
        match |= Q(pk=int(number))
    return list(qs.filter(match).order_by(field, "id")[:LINK_CHOICES])


def revision_diff(*, old: DocRevision, new: DocRevision) -> list[tuple[str, SafeString]]:
    """Line-by-line changes from `old` to `new` as (kind, escaped line) pairs, kind being
    "add", "del", "same" or "hunk". Every line is escaped: a diff shows text, never runs it."""
    old_lines = [f"# {old.title}", "", *old.body.splitlines()]
    new_lines = [f"# {new.title}", "", *new.body.splitlines()]
    rows: list[tuple[str, SafeString]] = []
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        rows.append((kind, mark_safe(escape(line))))
    return rows


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.date(month.year, month.month, 1)
    end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def implicit_opens(*, since: dt.datetime, until: dt.datetime) -> QuerySet[SuggestionOpen]:
    """The implicit-deflection rule: a suggested doc opened, with no request filed by the
    same person within IMPLICIT_DEFLECTION_MINUTES after, and no explicit "this answers it"
    for that doc by them in that time (that one is counted as explicit instead)."""
    from intake.models import Request

    window = dt.timedelta(minutes=IMPLICIT_DEFLECTION_MINUTES)
    filed = Request.objects.filter(
        requester=OuterRef("person"),
        created_at__gte=OuterRef("created_at"),
        created_at__lte=OuterRef("created_at") + window,
    )
    said = Deflection.objects.filter(
        doc=OuterRef("doc"),
        person=OuterRef("person"),
        created_at__gte=OuterRef("created_at"),
        created_at__lte=OuterRef("created_at") + window,
    )
    return SuggestionOpen.objects.filter(created_at__gte=since, created_at__lt=until).filter(
        ~Exists(filed), ~Exists(said)
    )


def filed_despite_suggestion(*, since: dt.datetime, until: dt.datetime) -> QuerySet[SuggestionOpen]:
    """Suggested docs opened, then a request filed by the same person within the window: the
    doc did not answer it (a docs backlog signal)."""
    from intake.models import Request

    window = dt.timedelta(minutes=IMPLICIT_DEFLECTION_MINUTES)
    filed = Request.objects.filter(
        requester=OuterRef("person"),
        created_at__gte=OuterRef("created_at"),
        created_at__lte=OuterRef("created_at") + window,
    )
    return SuggestionOpen.objects.filter(created_at__gte=since, created_at__lt=until).filter(
        Exists(filed)
    )


def deflection_report(*, month: dt.date, now: dt.datetime | None = None) -> dict:
    """Deflections in the month of `month`, per doc and per department: explicit, implicit
    (implicit_opens, counted once the 30 minutes have passed), the self-service rate
    (deflections over deflections plus requests filed), and the docs backlog (searches
    that found no doc, suggested docs that did not stop a request)."""
    from intake.models import Request

    since, until = _month_bounds(month)
    now = now or timezone.now()
    settled = min(until, now - dt.timedelta(minutes=IMPLICIT_DEFLECTION_MINUTES))
    explicit = Deflection.objects.filter(created_at__gte=since, created_at__lt=until)
    implicit = implicit_opens(since=since, until=settled)

    per_doc: dict[int, dict] = {}
    for doc_id, title, slug, kind, n in [
        *(
            (d, t, s, "explicit", n)
            for d, t, s, n in explicit.values("doc")
            .annotate(n=Count("id"))
            .values_list("doc", "doc__title", "doc__slug", "n")
        ),
        *(
            (d, t, s, "implicit", n)
            for d, t, s, n in implicit.values("doc")
            .annotate(n=Count("id"))
            .values_list("doc", "doc__title", "doc__slug", "n")
        ),
    ]:
        row = per_doc.setdefault(
            doc_id, {"title": title, "slug": slug, "explicit": 0, "implicit": 0}
        )
        row[kind] += n
    per_department: dict[str, dict] = {}

    def dept(name):
        return per_department.setdefault(
            name or "No department", {"explicit": 0, "implicit": 0, "requests": 0}
        )

    for name, n in (
        explicit.values("person__department__name")
        .annotate(n=Count("id"))
        .values_list("person__department__name", "n")
    ):
        dept(name)["explicit"] += n
    for name, n in (
        implicit.values("person__department__name")
        .annotate(n=Count("id"))
        .values_list("person__department__name", "n")
    ):
        dept(name)["implicit"] += n
    for name, n in (
        Request.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("department__name")
        .annotate(n=Count("id"))
        .values_list("department__name", "n")
    ):
        dept(name)["requests"] += n
    for row in per_department.values():
        answered = row["explicit"] + row["implicit"]
        total = answered + row["requests"]
        row["rate"] = round(100 * answered / total) if total else None
    total_answered = sum(r["explicit"] + r["implicit"] for r in per_department.values())
    total_requests = sum(r["requests"] for r in per_department.values())
    all_total = total_answered + total_requests
    misses = (
        SearchMiss.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("query")
        .annotate(n=Count("id"))
        .order_by("-n", "query")[:20]
    )
    despite = (
        filed_despite_suggestion(since=since, until=until)
        .values("doc__title", "doc__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "doc__title")[:20]
    )
    return {
        "since": since.date(),
        "per_doc": sorted(per_doc.values(), key=lambda r: -(r["explicit"] + r["implicit"])),
        "per_department": sorted(per_department.items()),
        "answered": total_answered,
        "requests": total_requests,
        "rate": round(100 * total_answered / all_total) if all_total else None,
        "misses": list(misses),
        "despite": list(despite),
    }


def docs_for_request(*, request_obj, user) -> QuerySet[Doc]:
    return (
        doc_visible(user=user)
        .filter(requests=request_obj)
        .defer("search_vector", "body")
        .order_by("title", "id")
    )


def doc_linked_to_item(*, item) -> QuerySet[Doc]:
    return (
        Doc.objects.filter(roadmap_items=item)
        .defer("search_vector", "body")
        .order_by("audience", "title")
    )
