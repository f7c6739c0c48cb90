"""The search rules in one place.

A query matches a row when its words match the row's full-text vector (PostgreSQL
`websearch_to_tsquery` with English stemming: quoted phrases, `or`, `-word`) or, for a query
without those operators, when it reads like the row's title by trigram word similarity
(partial words and typos). Rows are ranked by
`ts_rank` over the weighted vector (title A, tags or description B, body C) plus
TRIGRAM_WEIGHT times the title's word similarity."""

import re
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Cast, Lower
from django.dispatch import Signal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import similar

CONFIG = "english"
# A title whose word similarity to the query reaches this counts as a match on its own.
TRIGRAM_THRESHOLD = 0.45
# How much a title's trigram word similarity (0..1) adds to the full-text rank.
TRIGRAM_WEIGHT = 0.5
# Queries shorter than this find nothing (one or two letters match half of everything).
MIN_QUERY_LENGTH = 2
# Rows scored per search and kind: the first this many full-text matches the index hands
# over, plus the first TITLE_CANDIDATES titles within a typo. Scoring reads each
# row's text, so this bounds the time whatever the number of rows.
RANK_CANDIDATES = 100
TITLE_CANDIDATES = 50
MAX_QUERY_LENGTH = 200
# ts_headline marks matches with these; everything else in a snippet is escaped, then they
# become <mark> tags. Control characters, so no typed text is mistaken for them.
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def clean_query(q: str | None) -> str:
    q = (q or "").replace(_START, " ").replace(_STOP, " ").replace("\x00", " ")
    return " ".join(q.split())[:MAX_QUERY_LENGTH]


def websearch_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config=CONFIG)


def any_word_query(q: str) -> SearchQuery | None:
    """Any of the query's words (stemmed), the last one also as a prefix, for "more like
    this" matching where a paraphrase shares only some words. None when q has no words."""
    words = [w.lower() for w in _WORD.findall(q)][:24]
    if not words:
        return None
    terms = [f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"]
    return SearchQuery(" | ".join(terms), search_type="raw", config=CONFIG)


_OPERATORS = re.compile(r'"|(?:^|\s)-\w|\bor\b', re.IGNORECASE)


def is_plain(q: str) -> bool:
    """A query without websearch operators (quotes, `-word`, `or`). Only plain queries also
    match by trigram: a typo-tolerant match would ignore what the operators ask for."""
    return not _OPERATORS.search(q)


# Set while search_all runs its sources in one transaction with search_settings applied.
_settings_applied: ContextVar[bool] = ContextVar("search_settings_applied", default=False)


def search_settings(threshold: float = TRIGRAM_THRESHOLD) -> None:
    """For the current transaction, in one statement: `%>` (which the trigram indexes serve)
    compares with pg_trgm's setting, not with ours, so set it; read rows through indexes (a
    bounded candidate list, "the first N matching", otherwise tempts PostgreSQL into a
    sequential scan that recomputes every row's vector until N match: fast for common words,
    a whole-table scan for rare ones); and no JIT compilation (the disabled scan inflates the
    estimated costs past the JIT threshold, and compiling costs far more than the bounded
    query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
            " set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)",
            [str(threshold)],
        )


@contextmanager
def search_transaction(threshold: float = TRIGRAM_THRESHOLD):
    """A transaction with search_settings applied, once however many searches run in it."""
    if _settings_applied.get():
        yield
        return
    with transaction.atomic():
        search_settings(threshold)
        token = _settings_applied.set(True)
        try:
            yield
        finally:
            _settings_applied.reset(token)


def ranked(
    qs: QuerySet,
    *,
    q: str,
    vector,
    title_field: str,
    limit: int,
    query: SearchQuery | None = None,
    statistics: tuple[str, str] | None = None,
) -> list:
    """Up to `limit` rows of `qs` matching `q`, best first, each with `search_score`, scored
    among a bounded list of candidates (RANK_CANDIDATES). `vector` is
    the weighted search vector (a stored column or the expression an index is built on);
    `statistics` names where PostgreSQL keeps its lexeme statistics ((table, column), or
    (index name, "expr")), so the typo matching can leave out common words."""
    q = clean_query(q)
    if len(q) < MIN_QUERY_LENGTH:
        return []
    query = query or websearch_query(q)
    vector = F(vector) if isinstance(vector, str) else vector
    searchable = qs.annotate(_vector=vector)
    # Bounded candidates, each list read through an index, so the time does not grow with
    # the pile: the first RANK_CANDIDATES full-text matches the index hands over, and the
    # first TITLE_CANDIDATES titles within a typo (`%>` through a GIN trigram index on
    # lower(title); ordering them by distance would read every title that passes first).
    # A union, so each list is looked up by primary key rather than tested on every row.
    lists = [searchable.filter(_vector=query).order_by().values("pk")[:RANK_CANDIDATES]]
    typed = similar.unusual_words(q, table=statistics[0], column=statistics[1]) if statistics else q
    if is_plain(q) and typed:
        lists.append(
            qs.annotate(_lower_title=Lower(title_field))
            .filter(_lower_title__trigram_word_similar=typed.lower())
            .order_by()
            .values("pk")[:TITLE_CANDIDATES]
        )
    candidates = Q(pk__in=lists[0].union(*lists[1:]))
    similarity = TrigramWordSimilarity(Value(q), title_field)
    scored = (
        searchable.filter(candidates)
        .annotate(
            search_score=Cast(SearchRank(F("_vector"), query), FloatField())
            + TRIGRAM_WEIGHT * similarity
        )
        .order_by("-search_score", "-pk")
    )
    with search_transaction():
        return list(scored[:limit])


def highlight(text: str) -> SafeString:
    """A ts_headline snippet made safe: every character escaped, then the match marks turned
    into <mark> tags (none at all if they do not pair up)."""
    safe = escape(text or "")
    if safe.count(_START) != safe.count(_STOP):
        return mark_safe(safe.replace(_START, "").replace(_STOP, ""))
    return mark_safe(safe.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def snippets(qs: QuerySet, *, ids: list[int], q: str, text_field: str) -> dict[int, SafeString]:
    """Highlighted snippets of `text_field` for the rows `ids` (one query, only for the rows
    shown, since ts_headline reads the whole text)."""
    q = clean_query(q)
    if not ids or not q:
        return {}
    rows = (
        qs.filter(pk__in=ids)
        .annotate(
            _headline=SearchHeadline(
                text_field,
                websearch_query(q),
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=28,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "_headline")
    )
    return {pk: highlight(text) for pk, text in rows}


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    url: str
    score: float
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    note: str = ""  # a short badge: a status, "Needs review"


@dataclass
class Source:
    """One kind of thing the header search finds: `search(user=, q=, limit=, loose=)`
    returns the hits `user` may see, best first."""

    kind: str
    label: str
    search: Callable[..., list[Hit]]
    order: int = 100


_SOURCES: dict[str, Source] = {}

# Sent after a search someone asked for outright (the search page, the API; not the
# suggestions while typing), with `user`, `q` and `groups`: what was looked for and found.
searched = Signal()


def register(source: Source) -> None:
    _SOURCES[source.kind] = source


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.kind))


def search_all(
    *, user, q: str, limit: int = 5, kinds=None, loose: bool = False
) -> list[tuple[Source, list[Hit]]]:
    """Every registered kind's hits for `user`, grouped in the sources' order; kinds with no
    hits are left out. `loose` matches any of the words instead of all of them (for
    suggestions while someone types a sentence, not for a search box)."""
    q = clean_query(q)
    groups = []
    if len(q) < MIN_QUERY_LENGTH:
        return groups
    # One transaction and one settings statement for every kind: each round trip to the
    # database counts at this size.
    with search_transaction():
        for source in sources():
            if kinds and source.kind not in kinds:
                continue
            hits = source.search(user=user, q=q, limit=limit, loose=loose)
            if hits:
                groups.append((source, hits))
    return groups


__all__ = [
    "Hit",
    "Source",
    "any_word_query",
    "clean_query",
    "highlight",
    "ranked",
    "register",
    "search_all",
    "snippets",
    "sources",
    "websearch_query",
]
