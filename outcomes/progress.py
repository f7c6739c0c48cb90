"""The outcome rules, one function each: progress toward a target, on-track status against
the straight line, and an objective's health rolled up from its metrics."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
STATUS_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OFF_TRACK: "Off track",
    NO_DATA: "No measurements yet",
}


def metric_progress(
    *, baseline: Decimal, target: Decimal, latest: Decimal | None
) -> Decimal | None:
    """Progress = (latest − baseline) ÷ (target − baseline): 0 at the baseline, 1 at the
    target, whichever way is good (a down-is-good metric has its target below its baseline, so
    both differences are negative and a fall counts as progress). Values beyond 0–1 are kept
    as they are (past the target, or worse than the baseline). No measurement yet: None."""
    if latest is None or target == baseline:
        return None
    return (Decimal(latest) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline))


def expected_progress(*, baseline_on: dt.date, target_on: dt.date, today: dt.date) -> Decimal:
    """Where the straight line from (baseline date, 0) to (target date, 1) stands today,
    held to 0 before the baseline date and 1 after the target date."""
    span = (target_on - baseline_on).days
    if span <= 0:
        return Decimal(1)
    share = Decimal((today - baseline_on).days) / Decimal(span)
    return min(max(share, Decimal(0)), Decimal(1))


def metric_status(
    *, progress: Decimal | None, baseline_on: dt.date, target_on: dt.date, today: dt.date
) -> str:
    """On track while progress is at most OUTCOMES_ON_TRACK_TOLERANCE (a share of the whole
    baseline→target distance) behind the straight line from baseline date to target date; at
    risk up to OUTCOMES_AT_RISK_TOLERANCE behind; off track further behind. Ahead of the line
    is on track. No measurements: no status (NO_DATA)."""
    if progress is None:
        return NO_DATA
    behind = expected_progress(baseline_on=baseline_on, target_on=target_on, today=today) - progress
    if behind <= Decimal(str(settings.OUTCOMES_ON_TRACK_TOLERANCE)):
        return ON_TRACK
    if behind <= Decimal(str(settings.OUTCOMES_AT_RISK_TOLERANCE)):
        return AT_RISK
    return OFF_TRACK


def objective_health(progresses: Iterable[Decimal | None]) -> Decimal | None:
    """An objective's health is the mean progress of its metrics that have measurements (a
    business objective counts its own metrics and those of every department objective rolling
    up to it, each once); None when no metric has a measurement yet."""
    known = [p for p in progresses if p is not None]
    if not known:
        return None
    return sum(known, Decimal(0)) / len(known)


def as_percent(share: Decimal | None) -> str:
    """A share shown as a whole percent, beyond 0–100 as it is; an em dash for none."""
    if share is None:
        return "—"
    return f"{(share * 100).quantize(Decimal('1'))} %"


def guardrail_worse(
    *, direction: str, at_ship: Decimal | None, latest: Decimal | None
) -> bool | None:
    """A guardrail got worse when its latest value lies on the bad side of its value at the
    ship date: lower when up is good, higher when down is good (equal is not worse). None
    when either value is missing (no guardrail data from before shipping, or none since)."""
    if at_ship is None or latest is None:
        return None
    if direction == "down":
        return Decimal(latest) > Decimal(at_ship)
    return Decimal(latest) < Decimal(at_ship)
