"""The labelled similar-request set (bench/similar_pairs.py) run through both methods."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import similar_eval

# Measured on the set (see README "Similar requests"), recall@5: title-only 0.21; the search
# service's "more like this" 0.94 on the development half the product vocabulary was tuned
# on, 0.71 on the held-out half nobody tuned for, 0.82 overall. The floors sit a little
# under, so a change that loses recall fails here.
FLOORS = {"dev": 0.90, "held-out": 0.66, "all": 0.78}


@pytest.mark.django_db
def test_search_service_finds_paraphrased_duplicates_better_than_title_only():
    member, cases = similar_eval.load_set()
    assert len(cases) >= 150
    for half, subset in similar_eval.halves(cases).items():
        old = similar_eval.evaluate(similar_eval.title_only_similar, user=member, cases=subset)
        new = similar_eval.evaluate(similar_eval.search_service_similar, user=member, cases=subset)
        assert new["recall@5"] >= FLOORS[half], (half, new)
        assert new["recall@5"] > old["recall@5"] + 0.3, (half, old, new)
        assert new["mrr"] > old["mrr"], half


@pytest.mark.django_db
def test_the_vocabulary_links_words_that_share_no_letters(users):
    """ "2FA" finds "Two-factor authentication", "night theme" finds "Dark mode": the product
    vocabulary (prodops.search.thesaurus), not the spelling."""
    from intake.selectors import request_similar
    from tests.factories import RequestFactory

    two_factor = RequestFactory(title="Two-factor authentication for admins")
    dark = RequestFactory(title="Dark mode for the dashboard")
    RequestFactory(title="Login page logo")
    assert two_factor.pk in [r.pk for r in request_similar(user=users["member"], q="2FA at login")]
    assert [r.pk for r in request_similar(user=users["member"], q="night theme")] == [dark.pk]
