"""The labelled similar-request set (bench/similar_pairs.py) run through both methods."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import similar_eval

# Measured on the set when the search service took over (see README "Similar requests"):
# title-only 0.21 recall@5, search service 0.61. The 0.90 is not reached: most of
# the misses share no word with their pair ("2FA at login" / "Two-factor authentication").
RECALL_AT_5_FLOOR = 0.58


@pytest.mark.django_db
def test_search_service_finds_paraphrased_duplicates_better_than_title_only():
    member, cases = similar_eval.load_set()
    assert len(cases) >= 150
    old = similar_eval.evaluate(similar_eval.title_only_similar, user=member, cases=cases)
    new = similar_eval.evaluate(similar_eval.search_service_similar, user=member, cases=cases)
    assert new["recall@5"] >= RECALL_AT_5_FLOOR
    assert new["recall@5"] > old["recall@5"] + 0.2
    assert new["mrr"] > old["mrr"]
