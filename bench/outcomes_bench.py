"""A metric page with five years of daily measurements (1,825) and the objectives page with
200 metrics, next to the trivial view. Run alone with `python bench/outcomes_bench.py`, or
with the others via `make bench`.

The chart of the 1,825 measurements is downsampled to at most 500 points (extremes kept);
the objectives page works out each objective's health from all 200 metrics."""

import datetime as dt
from decimal import Decimal

from harness import analyze, baseline, client, measure, report, throwaway_database, timed

DAYS = 1825
METRICS = 200
OBJECTIVES = 20


def build():
    """Objectives (half department objectives rolling up to the other half), 200 metrics with
    a measurement each, and one metric with a measurement every day for five years."""
    from django.contrib.auth.hashers import make_password

    from outcomes.models import Measurement, Metric, Objective
    from prodops.accounts.models import Department, Team, TeamMembership, User
    from prodops.accounts.roles import Role

    password = make_password("pw")
    lead, member = User.objects.bulk_create(
        [
            User(username="bench-lead", password=password, role=Role.LEAD),
            User(username="bench-member", password=password, role=Role.MEMBER),
        ]
    )
    team = Team.objects.create(name="Bench Ops", slug="bench-ops", lead=lead)
    TeamMembership.objects.create(team=team, user=member)
    department = Department.objects.create(name="Bench", slug="bench")
    business = Objective.objects.bulk_create(
        [
            Objective(title=f"Business {n}", level=Objective.Level.BUSINESS, period="2027")
            for n in range(OBJECTIVES // 2)
        ]
    )
    objectives = business + Objective.objects.bulk_create(
        [
            Objective(
                title=f"Department {n}",
                level=Objective.Level.DEPARTMENT,
                parent=parent,
                department=department,
                period="2027",
            )
            for n, parent in enumerate(business)
        ]
    )
    start = dt.date(2021, 1, 1)
    metrics = Metric.objects.bulk_create(
        [
            Metric(
                name=f"Metric {n}",
                unit="%",
                baseline_value=Decimal(10),
                baseline_on=start,
                target_value=Decimal(20),
                target_on=start + dt.timedelta(days=DAYS + 90),
                objective=objectives[n % len(objectives)],
                team=team,
                owner=lead,
            )
            for n in range(METRICS)
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(metric=m, measured_on=start, value=Decimal(10 + n % 10))
            for n, m in enumerate(metrics)
        ]
    )
    daily = metrics[0]
    Measurement.objects.bulk_create(
        [
            Measurement(
                metric=daily,
                measured_on=start + dt.timedelta(days=day),
                value=Decimal(10) + Decimal(day % 97) / 10,
            )
            for day in range(1, DAYS)
        ]
    )
    analyze()
    return member, daily


def main() -> None:
    with throwaway_database():
        (member, daily), seconds = timed(build)
        signed_in = client(member)
        report(
            "outcomes",
            baseline(signed_in),
            [
                (
                    f"metric page, {DAYS} daily measurements",
                    measure(signed_in, f"/outcomes/metrics/{daily.pk}/"),
                ),
                (
                    f"objectives page, {METRICS} metrics",
                    measure(signed_in, "/outcomes/objectives/"),
                ),
                (f"metric list, {METRICS} metrics", measure(signed_in, "/outcomes/metrics/")),
            ],
            note=f"{METRICS} metrics, {DAYS} daily measurements, built in {seconds:.1f} s",
        )


if __name__ == "__main__":
    main()
