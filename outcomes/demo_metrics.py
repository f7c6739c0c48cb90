"""Demo outcomes (after the roadmaps exist): metrics with a year of measurements, shipped
items contributing to them with revisits due and recorded, and two coalitions. Safe to run
again: nothing is added twice."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from prodops.accounts.models import Team, User
from roadmap.models import RoadmapItem

from . import services
from .models import Coalition, Contribution, Measurement, Metric, Objective

# name, unit, direction, baseline, target, objective title, team slug, cadence, drift per step
METRICS = [
    (
        "Trial-to-paid conversion",
        "%",
        Metric.Direction.UP,
        "8.0",
        "12.0",
        "Make self-serve trial-to-paid the main growth engine",
        "product-ops",
        Metric.Cadence.WEEKLY,
        "0.05",
    ),
    (
        "Churn in the first 90 days",
        "%",
        Metric.Direction.DOWN,
        "6.5",
        "4.5",
        "Reduce churn in first 90 days",
        "marketing-ops",
        Metric.Cadence.WEEKLY,
        "-0.02",
    ),
    (
        "Mid-market sales cycle",
        "days",
        Metric.Direction.DOWN,
        "48",
        "35",
        "Shorten sales cycle for mid-market deals",
        "marketing-ops",
        Metric.Cadence.MONTHLY,
        "-0.6",
    ),
    (
        "Forecast accuracy",
        "%",
        Metric.Direction.UP,
        "88",
        "95",
        "Forecast revenue within 5 % accuracy",
        "product-ops",
        Metric.Cadence.MONTHLY,
        None,
    ),
]


def _metrics(today: dt.date) -> dict[str, Metric]:
    baseline_on = today - dt.timedelta(days=364)
    made = {}
    for name, unit, direction, base, target, objective, team, cadence, _drift in METRICS:
        metric = Metric.objects.filter(name=name).first()
        team_obj = Team.objects.filter(slug=team).select_related("lead").first()
        if metric is None:
            metric = services.metric_create(
                actor=team_obj.lead,
                name=name,
                unit=unit,
                direction=direction,
                baseline_value=Decimal(base),
                baseline_on=baseline_on,
                target_value=Decimal(target),
                target_on=today + dt.timedelta(days=90),
                objective=Objective.objects.get(title=objective),
                team=team_obj,
                owner=team_obj.lead,
                source_note="Internal: pulled from the warehouse on Mondays.",
                cadence=cadence,
            )
        made[name] = metric
    trial, churn = made["Trial-to-paid conversion"], made["Churn in the first 90 days"]
    if trial.guardrail_id is None:
        Metric.objects.filter(pk=trial.pk).update(guardrail=churn)
    return made


def _measurements(metrics: dict[str, Metric], today: dt.date) -> None:
    noise = random.Random(42)
    for name, _u, _d, base, _t, _o, _team, cadence, drift in METRICS:
        metric = metrics[name]
        if drift is None or Measurement.objects.filter(metric=metric).exists():
            continue
        step_days = 7 if cadence == Metric.Cadence.WEEKLY else 30
        value = Decimal(base)
        rows = []
        day = metric.baseline_on
        while day <= today:
            rows.append(
                Measurement(
                    metric=metric,
                    measured_on=day,
                    value=value.quantize(Decimal("0.01")),
                    recorded_by=metric.owner,
                )
            )
            jitter = Decimal(str(round(noise.uniform(-1, 1), 2))) * abs(Decimal(drift)) * 2
            value += Decimal(drift) + jitter
            day += dt.timedelta(days=step_days)
        Measurement.objects.bulk_create(rows)


def _contributions(metrics: dict[str, Metric], today: dt.date) -> None:
    targets = {
        "product-ops": metrics["Trial-to-paid conversion"],
        "marketing-ops": metrics["Churn in the first 90 days"],
    }
    for slug, metric in targets.items():
        shipped = list(
            RoadmapItem.objects.filter(
                roadmap__team__slug=slug, status=RoadmapItem.Status.SHIPPED
            ).select_related("roadmap__team", "owner")[:2]
        )
        for index, item in enumerate(shipped):
            if Contribution.objects.filter(roadmap_item=item).exists():
                continue
            owner = item.owner or item.roadmap.team.lead
            expected = (
                Decimal("0.8") if metric.direction == Metric.Direction.UP else Decimal("-0.4")
            )
            # The first item shipped 100 days ago (both revisits due), the second 40 days ago.
            shipped_on = today - dt.timedelta(days=100 if index == 0 else 40)
            contribution = services.contribution_create(
                actor=item.roadmap.team.lead,
                metric=metric,
                roadmap_item=item,
                expected_change=expected,
                expected_by=today + dt.timedelta(days=30),
                note="Internal: the estimate from the pricing test.",
                shipped_on=shipped_on,
            )
            revisits = services.revisits_schedule(
                contribution=contribution, shipped_on=shipped_on, owner=owner
            )
            if index == 0:
                services.revisit_record(
                    revisit=revisits[0],
                    actor=owner,
                    outcome="moved",
                    observed_change=expected / 2,
                    impact_statement=f"{metric.name} {expected / 2:+} {metric.unit} since {item} shipped",
                )


COALITIONS = [
    (
        "Trial growth coalition",
        "Sales, Marketing and Product own self-serve **trial-to-paid** together: one backlog of "
        "experiments, one number.",
        Coalition.Status.ACTIVE,
        "priya",
        ["priya", "nora", "stakeholder", "member", "grace"],
        ["Trial-to-paid conversion", "Churn in the first 90 days"],
    ),
    (
        "Onboarding and early churn",
        "Customer Success, Product and Marketing meet on the first 90 days of a customer.",
        Coalition.Status.FORMING,
        "lead",
        ["lead", "carla", "tom"],
        ["Churn in the first 90 days"],
    ),
]


def _coalitions(metrics: dict[str, Metric], today: dt.date) -> None:
    people = {u.username: u for u in User.objects.select_related("department")}
    for name, charter, status, lead, members, shared in COALITIONS:
        if Coalition.objects.filter(name=name).exists():
            continue
        coalition = services.coalition_create(
            actor=people[lead],
            name=name,
            charter=charter,
            status=status,
            lead=people[lead],
            review_on=today + dt.timedelta(days=180),
            meeting_interval_days=14,
            members=[people[m] for m in members],
            metrics=[metrics[m] for m in shared],
        )
        if status == Coalition.Status.ACTIVE:
            services.coalition_meeting_record(
                coalition=coalition,
                actor=people[lead],
                held_on=today - dt.timedelta(days=7),
                decisions="Run the annual-plan nudge on day 10 of the trial.",
                notes="Sales saw more trial questions about pricing.",
            )


def seed(stdout) -> None:
    today = timezone.localdate()
    if not Objective.objects.filter(title=METRICS[0][5]).exists():
        stdout.write("  outcomes: skipped (no objectives)")
        return
    metrics = _metrics(today)
    _measurements(metrics, today)
    _contributions(metrics, today)
    _coalitions(metrics, today)
    stdout.write(
        f"  metrics: {Metric.objects.count()}, measurements: {Measurement.objects.count()}, "
        f"coalitions: {Coalition.objects.count()}"
    )
