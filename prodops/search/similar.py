""" "More like this": rows whose title and description name the same need as a line of text,
said in other words. Similar-request suggestions (intake.selectors.request_similar) use it.

The rule: the query's words are stemmed (English), stop words dropped, and each word or known
phrase becomes a *concept* together with its synonyms from the product vocabulary
(prodops.search.thesaurus). A concept weighs by how rare its word is among the rows
(inverse frequency, read from PostgreSQL's statistics of the full-text index), so a match on
"csv" says more than one on "report". A row scores

    coverage + TITLE_PRECISION_WEIGHT * title precision + TRIGRAM_WEIGHT * title similarity

where coverage is the weighted share of concepts the row holds (in its title 1, a synonym in
the title SYNONYM_CREDIT, only in its description DESCRIPTION_CREDIT of that), title
precision the weighted share of the row's title words that answer a concept (a long title
that mentions the need in passing reads less alike), and title similarity the trigram word
similarity of query and title (typos, partial words).

Only a bounded set of candidates is scored, each list read through an index, so the time
does not grow with the number of rows: rows holding any rare concept (RARE_CANDIDATES),
rows holding every concept (ALL_CONCEPTS_CANDIDATES) and the titles nearest by trigram
distance (TITLE_CANDIDATES, GiST `<->`)."""

import math
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Cast, Lower

from .thesaurus import SYNONYM_SETS

# Scoring weights (tuned on the development half of bench/similar_pairs.py only).
SYNONYM_CREDIT = 0.9
DESCRIPTION_CREDIT = 0.5
TITLE_PRECISION_WEIGHT = 0.3
TRIGRAM_WEIGHT = 0.5
# A row is suggested when it holds at least one concept, or when its title reads this alike
# by trigram word similarity.
MIN_TITLE_SIMILARITY = 0.3
# A title this alike by trigram word similarity is a candidate even without a shared word
# (a typo); lower finds more at a cost that grows with the number of titles.
TYPO_SIMILARITY = 0.5
# A word in more than this share of rows is common: it alone does not make a row a candidate.
COMMON_SHARE = 0.02
RARE_CANDIDATES = 200
ALL_CONCEPTS_CANDIDATES = 100
TITLE_CANDIDATES = 30
MAX_WORDS = 16
# How long the lexeme frequencies read from the statistics are kept in this process.
FREQUENCY_TTL_SECONDS = 600

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LEXEME = re.compile(r"'((?:[^']|'')+)'")

Phrase = tuple[str, ...]


def stems(words: list[str]) -> list[str]:
    """Each word's English stem as PostgreSQL's `english` configuration makes it (so query and
    rows agree); "" for a stop word. One query for the words not seen before."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_to_string(ts_lexize('english_stem', w), ' '), '')"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS u(w, i) ORDER BY i",
            [words],
        )
        return [row[0] for row in cursor.fetchall()]


# Stems of the words seen so far in this process (the vocabulary of a team's requests is
# small); cleared when it grows past this many.
_MAX_KNOWN = 50_000
_known: dict[str, str] = {}


def phrase_stems(text: str) -> Phrase:
    words = [w.lower() for w in _WORD.findall(text)]
    return tuple(s for s in _stems_known(words) if s)


def _stems_known(words: list[str]) -> list[str]:
    missing = [w for w in dict.fromkeys(words) if w not in _known]
    if missing:
        if len(_known) > _MAX_KNOWN:
            _known.clear()
            synonym_index.cache_clear()
        for word, stem in zip(missing, stems(missing), strict=True):
            _known[word] = stem
    return [_known[w] for w in words]


@lru_cache(maxsize=1)
def synonym_index() -> dict[Phrase, frozenset[Phrase]]:
    """Every phrase of the vocabulary (as stems) → the phrases it may be said as."""
    _stems_known(sorted({w.lower() for s in SYNONYM_SETS for p in s for w in _WORD.findall(p)}))
    index: dict[Phrase, set[Phrase]] = {}
    for synonyms in SYNONYM_SETS:
        phrases = {phrase_stems(p) for p in synonyms} - {()}
        for phrase in phrases:
            index.setdefault(phrase, set()).update(phrases)
    return {phrase: frozenset(alts) for phrase, alts in index.items()}


@dataclass
class Concept:
    """One word or known phrase of the query, with the phrases it may be said as."""

    own: Phrase
    alternatives: frozenset[Phrase] = field(default_factory=frozenset)


def concepts(q: str) -> list[Concept]:
    """The query's concepts: the longest vocabulary phrase at each word, else the word."""
    words = [w.lower() for w in _WORD.findall(q)][:MAX_WORDS]
    stemmed = [s for s in _stems_known(words) if s]
    index = synonym_index()
    longest = max((len(p) for p in index), default=1)
    found: list[Concept] = []
    i = 0
    while i < len(stemmed):
        for size in range(min(longest, len(stemmed) - i), 0, -1):
            phrase = tuple(stemmed[i : i + size])
            if phrase in index:
                found.append(Concept(phrase, index[phrase] | {phrase}))
                i += size
                break
        else:
            phrase = (stemmed[i],)
            found.append(Concept(phrase, frozenset({phrase})))
            i += 1
    # The same concept typed twice counts once.
    unique: dict[Phrase, Concept] = {}
    for concept in found:
        unique.setdefault(concept.own, concept)
    return list(unique.values())


_frequencies: dict[str, tuple[float, dict[str, float], float]] = {}


def lexeme_frequencies(table: str, column: str = "expr") -> tuple[dict[str, float], float]:
    """Share of rows holding each common lexeme, from the statistics ANALYZE keeps for a
    tsvector column (`table`, `column`) or a full-text expression index (the index's name,
    column "expr"), and the share to assume for any other (half the rarest listed). Empty
    with share 0 when never analyzed. Kept for FREQUENCY_TTL_SECONDS in this process."""
    now = time.monotonic()
    key = f"{table}.{column}"
    cached = _frequencies.get(key)
    if cached and now - cached[0] < FREQUENCY_TTL_SECONDS:
        return cached[1], cached[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE tablename = %s AND attname = %s LIMIT 1",
            [table, column],
        )
        row = cursor.fetchone()
    shares: dict[str, float] = {}
    rest = 0.0
    if row and row[0] and row[1]:
        elems, freqs = row
        shares = dict(zip(elems, freqs[: len(elems)], strict=True))
        rest = freqs[len(elems)] / 2  # after the elements: the minimum, maximum, null share
    _frequencies[key] = (now, shares, rest)
    return shares, rest


def unusual_words(q: str, *, table: str, column: str = "expr") -> str:
    """The words of `q` that are neither stop words nor common among the rows (COMMON_SHARE;
    every word when there are no statistics). A typo or a half-typed word is unusual, so
    trigram matching on these alone still finds it, without reading the many titles a
    common word's trigrams sit in."""
    shares, rest = lexeme_frequencies(table, column)
    words = [w.lower() for w in _WORD.findall(q)][:MAX_WORDS]
    stemmed = _stems_known(words)
    return " ".join(
        w
        for w, stem in zip(words, stemmed, strict=True)
        if stem and _share((stem,), shares, rest) < COMMON_SHARE
    )


def _weight(phrase: Phrase, shares: dict[str, float], rest: float) -> float:
    """Inverse frequency of a phrase's rarest word (1 for every word without statistics)."""
    if not rest:
        return 1.0
    return math.log(1 + 1 / max(_share(phrase, shares, rest), 1e-6))


def _tsquery_text(phrases) -> str:
    def one(phrase: Phrase) -> str:
        return " & ".join("'" + s.replace("'", "''") + "'" for s in phrase)

    return " | ".join(f"({one(p)})" for p in sorted(phrases))


def _raw(text: str) -> SearchQuery:
    # Lexemes are already stems: the `simple` configuration only lowercases them.
    return SearchQuery(text, search_type="raw", config="simple")


def _lexemes(tsvector_text: str | None) -> set[str]:
    return {m.replace("''", "'") for m in _LEXEME.findall(tsvector_text or "")}


def _holds(lexemes: set[str], phrase: Phrase) -> bool:
    return all(s in lexemes for s in phrase)


def similar_rows(
    qs: QuerySet,
    *,
    q: str,
    vector: SearchVector,
    index_name: str,
    title_field: str = "title",
    text_field: str = "description",
    limit: int = 5,
) -> list:
    """Up to `limit` rows of `qs` that read like `q`, best first (ties: more votes, newer),
    each with `match_score` and `similarity` (title trigram word similarity). `vector` is the
    expression the full-text index `index_name` is built on."""
    found = concepts(q)
    shares, rest = lexeme_frequencies(index_name)
    weights = {c.own: _weight(c.own, shares, rest) for c in found}
    searchable = qs.annotate(_vector=vector).order_by()
    # Titles within a typo of the query: `%>` at TYPO_SIMILARITY through the GIN trigram
    # index on lower(title), the first TITLE_CANDIDATES it hands over (ordering by distance
    # would read every title that passes first). Only the words that are not common: a typo
    # or a half-typed word is a rare or unknown word, while a common word's trigrams sit in
    # a large share of titles and would make the index read them all.
    unusual = unusual_words(q, table=index_name)
    lists = []
    if unusual:
        lists.append(
            qs.annotate(_lower_title=Lower(title_field))
            .filter(_lower_title__trigram_word_similar=unusual)
            .order_by()
            .values("pk")[:TITLE_CANDIDATES]
        )
    if found:
        rare = {p for c in found for p in c.alternatives if _share(p, shares, rest) < COMMON_SHARE}
        if rare:
            lists.append(
                searchable.filter(_vector=_raw(_tsquery_text(rare))).values("pk")[:RARE_CANDIDATES]
            )
        # Rows holding every concept. When the concepts with their synonyms are common
        # together, only the words as typed: PostgreSQL reads every matching row number from
        # the index before the limit applies.
        together = math.prod(
            min(1.0, sum(_share(p, shares, rest) for p in c.alternatives)) for c in found
        )
        if together > COMMON_SHARE / 4:
            every = " & ".join(f"({_tsquery_text([c.own])})" for c in found)
        else:
            every = " & ".join(f"({_tsquery_text(c.alternatives)})" for c in found)
        lists.append(searchable.filter(_vector=_raw(every)).values("pk")[:ALL_CONCEPTS_CANDIDATES])
    if not lists:
        return []
    candidates = lists[0].union(*lists[1:]) if len(lists) > 1 else lists[0]
    rows_qs = qs.filter(pk__in=candidates).annotate(
        _title_lexemes=Cast(SearchVector(title_field, config="english"), TextField()),
        _text_lexemes=Cast(SearchVector(text_field, config="english"), TextField()),
        similarity=TrigramWordSimilarity(Value(q), title_field),
    )
    # For this transaction: read through the indexes (a LIMIT tempts the planner into a
    # sequential scan that stops after N matches: quick for common words, every row for
    # rare ones), and no JIT compilation, which costs more than the whole bounded query.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
                " set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)",
                [str(TYPO_SIMILARITY)],
            )
        rows = list(rows_qs.order_by())
    total = sum(weights.values()) or 1.0
    scored = []
    for row in rows:
        title = _lexemes(row._title_lexemes)
        text = _lexemes(row._text_lexemes)
        coverage = 0.0
        answered: set[str] = set()
        for concept in found:
            best = 0.0
            for phrase in concept.alternatives:
                credit = 1.0 if phrase == concept.own else SYNONYM_CREDIT
                if _holds(title, phrase):
                    best = max(best, credit)
                    answered.update(phrase)
                elif _holds(text, phrase):
                    best = max(best, credit * DESCRIPTION_CREDIT)
            coverage += weights[concept.own] * best
        coverage /= total
        if not coverage and row.similarity < MIN_TITLE_SIMILARITY:
            continue
        title_weight = sum(_weight((s,), shares, rest) for s in title) or 1.0
        precision = sum(_weight((s,), shares, rest) for s in title & answered) / title_weight
        row.match_score = (
            coverage + TITLE_PRECISION_WEIGHT * precision + TRIGRAM_WEIGHT * row.similarity
        )
        scored.append(row)
    scored.sort(key=lambda r: (-round(r.match_score, 6), -getattr(r, "vote_count", 0), -r.pk))
    return scored[:limit]


def _share(phrase: Phrase, shares: dict[str, float], rest: float) -> float:
    """Share of rows holding a phrase's rarest word (0 without statistics: all count rare)."""
    return min(shares.get(stem, rest) for stem in phrase)
