import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from outcomes import progress, selectors
from outcomes.models import Metric, Objective
from tests.factories import DepartmentFactory, ObjectiveFactory

from .conftest import BASELINE_ON, TARGET_ON, measure

D = Decimal


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "expected"),
    [
        (D(10), D(20), D(15), D("0.5")),  # up is good, half way
        (D(10), D(20), D(20), D(1)),  # at target
        (D(10), D(20), D(25), D("1.5")),  # beyond target: shown as it is
        (D(10), D(20), D(8), D("-0.2")),  # worse than baseline
        (D(10), D(5), D(8), D("0.4")),  # down is good: a fall is progress
        (D(10), D(5), D(5), D(1)),  # down, at target
        (D(10), D(5), D(3), D("1.4")),  # down, beyond target
        (D(10), D(5), D(12), D("-0.4")),  # down, went up: negative
    ],
)
def test_progress_both_directions(baseline, target, latest, expected):
    assert progress.metric_progress(baseline=baseline, target=target, latest=latest) == expected


def test_no_measurement_no_progress():
    assert progress.metric_progress(baseline=D(1), target=D(2), latest=None) is None
    assert (
        progress.metric_status(
            progress=None, baseline_on=BASELINE_ON, target_on=TARGET_ON, today=TARGET_ON
        )
        == progress.NO_DATA
    )
    assert progress.as_percent(None) == "—"
    assert progress.as_percent(D("1.5")) == "150 %"
    assert progress.as_percent(D("-0.2")) == "-20 %"


@override_settings(OUTCOMES_ON_TRACK_TOLERANCE=0.10, OUTCOMES_AT_RISK_TOLERANCE=0.25)
@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (D("0.50"), progress.ON_TRACK),  # on the line
        (D("0.40"), progress.ON_TRACK),  # 10 points behind: the edge of on track
        (D("0.39"), progress.AT_RISK),
        (D("0.25"), progress.AT_RISK),  # 25 behind: the edge of at risk
        (D("0.24"), progress.OFF_TRACK),
        (D("0.90"), progress.ON_TRACK),  # ahead
    ],
)
def test_status_against_straight_line(share, expected):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 1) + dt.timedelta(days=200)
    middle = start + dt.timedelta(days=100)
    assert (
        progress.metric_status(progress=share, baseline_on=start, target_on=end, today=middle)
        == expected
    )


def test_status_thresholds_are_settings():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 1) + dt.timedelta(days=200)
    middle = start + dt.timedelta(days=100)
    with override_settings(OUTCOMES_ON_TRACK_TOLERANCE=0.3, OUTCOMES_AT_RISK_TOLERANCE=0.4):
        assert (
            progress.metric_status(
                progress=D("0.25"), baseline_on=start, target_on=end, today=middle
            )
            == progress.ON_TRACK
        )


def test_expected_progress_is_held_to_the_period():
    assert progress.expected_progress(
        baseline_on=BASELINE_ON, target_on=TARGET_ON, today=dt.date(2025, 6, 1)
    ) == D(0)
    assert progress.expected_progress(
        baseline_on=BASELINE_ON, target_on=TARGET_ON, today=dt.date(2027, 6, 1)
    ) == D(1)


@pytest.mark.django_db
def test_figures_use_the_latest_measurement_both_directions(make_metric):
    up = make_metric(name="Up")
    down = make_metric(
        name="Down", direction=Metric.Direction.DOWN, baseline_value=D(40), target_value=D(20)
    )
    measure(up, dt.date(2026, 3, 1), 30)
    measure(up, dt.date(2026, 2, 1), 12)  # older: not the latest
    measure(down, dt.date(2026, 3, 1), 30)
    rows = {m.name: m for m in selectors.metric_list()}
    today = dt.date(2026, 12, 31)
    assert selectors.metric_figures(rows["Up"], today=today).progress == D(2)
    assert selectors.metric_figures(rows["Up"], today=today).percent == "200 %"
    assert selectors.metric_figures(rows["Down"], today=today).progress == D("0.5")
    assert selectors.metric_figures(rows["Down"], today=today).status == progress.OFF_TRACK


@pytest.mark.django_db
def test_objective_health_rolls_up_department_to_business(make_metric, objective):
    department_objective = ObjectiveFactory(
        level=Objective.Level.DEPARTMENT,
        parent=objective,
        department=DepartmentFactory(),
        period="2026",
    )
    other_business = ObjectiveFactory(title="Other")
    own = make_metric(name="Own")  # on the business objective: progress 1
    measure(own, dt.date(2026, 2, 1), 20)
    child = make_metric(name="Child", objective=department_objective)  # progress 0.5
    measure(child, dt.date(2026, 2, 1), 15)
    make_metric(name="Unmeasured", objective=department_objective)  # no progress: left out
    health = selectors.objective_health_map([objective, department_objective, other_business])
    assert health[department_objective.pk] == D("0.5")
    assert health[objective.pk] == D("0.75")
    assert health[other_business.pk] is None
