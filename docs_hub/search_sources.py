"""What the header search finds, registered with the one search service (prodops.search):
docs, requests, roadmap items and metrics, each only as far as the person may see them."""

from django.contrib.postgres.search import SearchVector
from django.urls import reverse

from prodops.accounts.roles import Role, has_role
from prodops.search import engine

from .models import Doc
from .selectors import doc_visible

# The expression intake's `request_search` GIN index is built on, so the index serves it.
REQUEST_VECTOR = SearchVector("title", weight="A", config="english") + SearchVector(
    "description", weight="B", config="english"
)


def search_docs(*, user, q: str, limit: int = 5, loose: bool = False) -> list[engine.Hit]:
    """Docs `user` may see (doc_visible_q), ranked on the stored vector."""
    qs = doc_visible(user=user).only("id", "title", "slug", "status", "last_verified_on")
    query = engine.any_word_query(q) if loose else None
    rows = engine.ranked(
        qs,
        q=q,
        vector="search_vector",
        title_field="title",
        limit=limit,
        query=query,
        statistics=("docs_hub_doc", "search_vector"),
    )
    snips = engine.snippets(Doc.objects.all(), ids=[r.pk for r in rows], q=q, text_field="body")
    member = has_role(user, Role.MEMBER)
    hits = []
    for doc in rows:
        note = "Needs review" if doc.needs_review() else ""
        if member and doc.status != Doc.Status.PUBLISHED:
            note = doc.get_status_display()
        hits.append(
            engine.Hit(
                kind="doc",
                id=doc.pk,
                title=doc.title,
                url=reverse("docs_hub:detail", args=[doc.slug]),
                score=doc.search_score,
                snippet=snips.get(doc.pk, ""),
                note=note,
            )
        )
    return hits


def search_requests(*, user, q: str, limit: int = 5, loose: bool = False) -> list[engine.Hit]:
    """Requests `user` may see (intake's request_visible), on title and description."""
    from intake.models import Request
    from intake.selectors import request_visible

    qs = request_visible(user=user).only("id", "title", "status")
    rows = engine.ranked(
        qs,
        q=q,
        vector=REQUEST_VECTOR,
        title_field="title",
        limit=limit,
        statistics=("request_search", "expr"),
    )
    snips = engine.snippets(
        Request.objects.all(), ids=[r.pk for r in rows], q=q, text_field="description"
    )
    return [
        engine.Hit(
            kind="request",
            id=r.pk,
            title=f"#{r.pk} {r.title}",
            url=reverse("intake:detail", args=[r.pk]),
            score=r.search_score,
            snippet=snips.get(r.pk, ""),
            note=r.get_status_display(),
        )
        for r in rows
    ]


def search_roadmap_items(*, user, q: str, limit: int = 5, loose: bool = False) -> list[engine.Hit]:
    """Team members find every item by its team name; everyone else finds shared items by
    their stakeholder-facing title only, linked to the shared roadmap."""
    from roadmap.models import RoadmapItem

    if not has_role(user, Role.STAKEHOLDER):
        return []
    if has_role(user, Role.MEMBER):
        qs = RoadmapItem.objects.only("id", "title", "status", "roadmap_id")
        vector = SearchVector("title", weight="A", config="english") + SearchVector(
            "public_title", weight="B", config="english"
        )
        rows = engine.ranked(qs, q=q, vector=vector, title_field="title", limit=limit)
        return [
            engine.Hit(
                kind="roadmap_item",
                id=i.pk,
                title=i.title,
                url=reverse("roadmap:item_edit", args=[i.roadmap_id, i.pk]),
                score=i.search_score,
                note=i.get_status_display(),
            )
            for i in rows
        ]
    qs = RoadmapItem.objects.filter(visibility=RoadmapItem.Visibility.SHARED).only(
        "id", "public_title", "status"
    )
    vector = SearchVector("public_title", weight="A", config="english") + SearchVector(
        "public_summary", weight="B", config="english"
    )
    rows = engine.ranked(qs, q=q, vector=vector, title_field="public_title", limit=limit)
    return [
        engine.Hit(
            kind="roadmap_item",
            id=i.pk,
            title=i.public_title,
            url=reverse("roadmap:shared"),
            score=i.search_score,
            note=i.get_status_display(),
        )
        for i in rows
    ]


def search_metrics(*, user, q: str, limit: int = 5, loose: bool = False) -> list[engine.Hit]:
    """Metrics, by name, for everyone signed in (as the metric pages are). A team has tens or
    hundreds of metrics, so no index is needed."""
    from outcomes.models import Metric

    if not has_role(user, Role.STAKEHOLDER):
        return []
    qs = Metric.objects.only("id", "name", "unit")
    vector = SearchVector("name", weight="A", config="english")
    rows = engine.ranked(qs, q=q, vector=vector, title_field="name", limit=limit)
    return [
        engine.Hit(
            kind="metric",
            id=m.pk,
            title=m.name,
            url=reverse("outcomes:metric", args=[m.pk]),
            score=m.search_score,
            note=m.unit,
        )
        for m in rows
    ]


def record_miss(sender, *, user, q, groups, **kwargs) -> None:
    """A search for docs (all kinds, or docs alone) that found none joins the docs backlog."""
    from .models import SearchMiss

    kinds = {source.kind for source, hits in groups}
    if len(q) >= 3 and "doc" not in kinds:
        SearchMiss.objects.create(query=q[:300], person=user if user.is_authenticated else None)


def register() -> None:
    engine.searched.connect(record_miss, dispatch_uid="docs_hub.record_miss")
    engine.register(engine.Source("doc", "Docs", search_docs, order=20))
    engine.register(engine.Source("request", "Requests", search_requests, order=10))
    engine.register(engine.Source("roadmap_item", "Roadmap items", search_roadmap_items, order=30))
    engine.register(engine.Source("metric", "Metrics", search_metrics, order=40))
