"""Scoring calibration, the learning loop: did the work assessors called high-impact move its
metric once shipped? Read by the scoring page so leads tune weights with evidence."""

from collections import defaultdict
from dataclasses import dataclass, field

from intake.assessments import Assessment
from roadmap.models import ItemRequest

from .models import Revisit

# An assessment with impact at or above this (of 1–5) is a high-impact call.
HIGH_IMPACT = 4


@dataclass
class CalibrationRow:
    """One assessor's (or team's) high-impact calls on shipped work that has been revisited."""

    name: str
    calls: int = 0
    moved: int = 0
    not_moved: int = 0
    inconclusive: int = 0
    confidence_total: int = 0
    _seen: set = field(default_factory=set, repr=False)

    @property
    def moved_percent(self) -> int | None:
        """How often a high-impact call moved its metric, of the calls with a clear answer
        (moved or not moved; inconclusive ones are left out)."""
        decided = self.moved + self.not_moved
        return round(100 * self.moved / decided) if decided else None

    @property
    def stated_confidence(self) -> int | None:
        return round(self.confidence_total / self.calls) if self.calls else None


def _outcome_per_request() -> dict[int, str]:
    """The observed outcome of each request's shipped work: the latest recorded revisit of each
    contribution of the request, or of the roadmap item that carries it. A request whose work
    moved any metric counts as moved."""
    latest: dict[int, tuple] = {}
    for row in (
        Revisit.objects.filter(recorded_at__isnull=False)
        .values(
            "contribution_id",
            "contribution__roadmap_item_id",
            "contribution__request_id",
            "outcome",
            "recorded_at",
        )
        .order_by("contribution_id", "due_on")
    ):
        latest[row["contribution_id"]] = row
    item_ids = {r["contribution__roadmap_item_id"] for r in latest.values()} - {None}
    requests_of_item = defaultdict(list)
    for link in ItemRequest.objects.filter(item_id__in=item_ids).values("item_id", "request_id"):
        requests_of_item[link["item_id"]].append(link["request_id"])
    rank = {Revisit.Outcome.MOVED: 3, Revisit.Outcome.NOT_MOVED: 2, Revisit.Outcome.INCONCLUSIVE: 1}
    outcome: dict[int, str] = {}
    for row in latest.values():
        if row["contribution__request_id"]:
            request_ids = [row["contribution__request_id"]]
        else:
            request_ids = requests_of_item[row["contribution__roadmap_item_id"]]
        for request_id in request_ids:
            current = outcome.get(request_id)
            if current is None or rank[row["outcome"]] > rank[current]:
                outcome[request_id] = row["outcome"]
    return outcome


def scoring_calibration() -> dict[str, list[CalibrationRow]]:
    """Per assessor and per team (the request's team): of the high-impact calls (impact ≥
    HIGH_IMPACT) on requests whose shipped work was revisited, how many moved their metric,
    did not, or were inconclusive, and the confidence the assessors stated. At most three
    queries, whatever the history."""
    outcome = _outcome_per_request()
    by_assessor: dict[int, CalibrationRow] = {}
    by_team: dict[int | None, CalibrationRow] = {}
    assessments = Assessment.objects.filter(
        request_id__in=list(outcome), impact__gte=HIGH_IMPACT
    ).select_related("assessor", "request__team")
    for assessment in assessments:
        result = outcome[assessment.request_id]
        team = assessment.request.team
        for key, table, name in (
            (assessment.assessor_id, by_assessor, str(assessment.assessor)),
            (team.pk if team else None, by_team, team.name if team else "No team"),
        ):
            row = table.setdefault(key, CalibrationRow(name=name))
            row.calls += 1
            row.confidence_total += assessment.confidence
            if result == Revisit.Outcome.MOVED:
                row.moved += 1
            elif result == Revisit.Outcome.NOT_MOVED:
                row.not_moved += 1
            else:
                row.inconclusive += 1
    order = lambda rows: sorted(rows, key=lambda r: (-r.calls, r.name))  # noqa: E731 - local sort key
    return {"assessors": order(by_assessor.values()), "teams": order(by_team.values())}
