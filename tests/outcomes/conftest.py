import datetime as dt
from decimal import Decimal

import pytest

from outcomes import services
from outcomes.models import Measurement, Metric
from tests.roadmap.conftest import accepted, objective, plan, roadmap, team  # noqa: F401 - fixtures

BASELINE_ON = dt.date(2026, 1, 1)
TARGET_ON = dt.date(2026, 12, 31)


@pytest.fixture
def make_metric(users, objective, team):  # noqa: F811 - the imported fixtures
    """make_metric(**fields): a metric of `team` for `objective`, up is good, 10 → 20 over 2026."""

    def make(**fields):
        values = {
            "name": "Trial-to-paid",
            "unit": "%",
            "direction": Metric.Direction.UP,
            "baseline_value": Decimal("10"),
            "baseline_on": BASELINE_ON,
            "target_value": Decimal("20"),
            "target_on": TARGET_ON,
            "objective": objective,
            "team": team,
            "owner": users["lead"],
            "source_note": "Internal: from the billing warehouse",
        }
        values.update(fields)
        return services.metric_create(actor=users["lead"], **values)

    return make


@pytest.fixture
def metric(make_metric):
    return make_metric()


def measure(metric, day, value, note=""):
    return Measurement.objects.create(
        metric=metric, measured_on=day, value=Decimal(str(value)), note=note
    )
