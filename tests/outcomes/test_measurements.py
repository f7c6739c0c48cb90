import datetime as dt
from decimal import Decimal

import pytest

from outcomes import services
from outcomes.models import ImportBatch, Measurement, MeasurementChange, Metric
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

TODAY = dt.date(2026, 6, 30)


def values(metric):
    return {
        m.measured_on.isoformat(): (m.value, m.note)
        for m in Measurement.objects.filter(metric=metric)
    }


@pytest.mark.django_db
def test_metric_target_must_be_on_the_good_side(make_metric):
    with pytest.raises(ValidationFailed) as error:
        make_metric(direction=Metric.Direction.DOWN)  # 10 → 20 is up
    assert error.value.field == "target_value"
    with pytest.raises(ValidationFailed) as error:
        make_metric(target_on=dt.date(2025, 1, 1))
    assert error.value.field == "target_on"


@pytest.mark.django_db
def test_metric_update_stale_version_is_refused(metric, users):
    services.metric_update(
        metric=metric, actor=users["lead"], expected_version=1, target_value=Decimal(25)
    )
    with pytest.raises(EditConflict):
        services.metric_update(
            metric=metric, actor=users["lead"], expected_version=1, target_value=Decimal(30)
        )


@pytest.mark.django_db
def test_second_measurement_for_a_date_replaces_and_keeps_history(metric, users):
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-01", "value": "12.5", "note": "first"}],
        today=TODAY,
    )
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-01", "value": "13", "note": "corrected"}],
        today=TODAY,
    )
    assert values(metric) == {"2026-03-01": (Decimal("13"), "corrected")}
    change = MeasurementChange.objects.get()
    assert (change.old_value, change.old_note, change.new_value) == (
        Decimal("12.5"),
        "first",
        Decimal("13"),
    )


@pytest.mark.django_db
def test_a_list_is_all_or_nothing_and_names_the_bad_entry(metric, users):
    with pytest.raises(ValidationFailed) as error:
        services.measurements_record(
            metric=metric,
            actor=users["member"],
            entries=[
                {"measured_on": "2026-03-01", "value": "12"},
                {"measured_on": "2026-03-08", "value": "lots"},
            ],
            today=TODAY,
        )
    assert error.value.field == "1.value"
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_future_dates_are_refused(metric, users):
    with pytest.raises(ValidationFailed) as error:
        services.measurements_record(
            metric=metric,
            actor=users["member"],
            entries=[{"measured_on": "2026-07-01", "value": "1"}],
            today=TODAY,
        )
    assert error.value.field == "measured_on"


@pytest.mark.django_db
def test_only_the_metrics_team_records(metric, users):
    with pytest.raises(NotAllowed):
        services.measurements_record(
            metric=metric,
            actor=users["stakeholder"],
            entries=[{"measured_on": "2026-03-01", "value": "1"}],
            today=TODAY,
        )
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider", role="member")
    with pytest.raises(NotAllowed):
        services.measurements_record(
            metric=metric,
            actor=outsider,
            entries=[{"measured_on": "2026-03-01", "value": "1"}],
            today=TODAY,
        )


GOOD_FILE = "date,value,note\n2026-03-01,11\n2026-03-08,11.5,after launch\n\n2026-03-15,12\n"


@pytest.mark.django_db
def test_preview_says_each_rows_fate_by_line_and_writes_nothing(metric, users):
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-08", "value": "9"}],
        today=TODAY,
    )
    text = (
        "date,value\n"
        "2026-03-01,11\n"
        "2026-03-08,11.5\n"
        "2026-13-01,3\n"
        "2026-03-15,many\n"
        "2026-03-01,12\n"
        "2026-07-01,1\n"
        "2026-03-22\n"
    )
    preview = services.measurements_import_preview(metric=metric, text=text, today=TODAY)
    fates = [(row.line, row.fate) for row in preview.rows]
    assert fates == [
        (2, "new"),
        (3, "replaces"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
    ]
    reasons = {row.line: row.reason for row in preview.rows}
    assert "YYYY-MM-DD" in reasons[4]
    assert "number" in reasons[5]
    assert "line 2" in reasons[6]
    assert "future" in reasons[7]
    assert "date,value" in reasons[8]
    assert preview.rows[1].old_value == Decimal("9")
    assert values(metric) == {"2026-03-08": (Decimal("9"), "")}


@pytest.mark.django_db
def test_import_with_a_bad_row_imports_nothing(metric, users):
    with pytest.raises(ValidationFailed) as error:
        services.measurements_import(
            metric=metric, actor=users["member"], text=GOOD_FILE + "2026-03-22,x\n", today=TODAY
        )
    assert "Line 6" in error.value.message
    assert not Measurement.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_import_then_undo_restores_what_was_there(metric, users):
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-08", "value": "9", "note": "by hand"}],
        today=TODAY,
    )
    batch = services.measurements_import(
        metric=metric, actor=users["member"], text=GOOD_FILE, today=TODAY
    )
    assert batch.row_count == 3
    assert values(metric) == {
        "2026-03-01": (Decimal("11"), ""),
        "2026-03-08": (Decimal("11.5"), "after launch"),
        "2026-03-15": (Decimal("12"), ""),
    }
    services.import_undo(batch=batch, actor=users["member"])
    assert values(metric) == {"2026-03-08": (Decimal("9"), "by hand")}
    with pytest.raises(ValidationFailed):
        services.import_undo(batch=batch, actor=users["member"])


@pytest.mark.django_db
def test_undo_is_refused_when_an_imported_row_changed_since(metric, users):
    batch = services.measurements_import(
        metric=metric, actor=users["member"], text=GOOD_FILE, today=TODAY
    )
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-08", "value": "20"}],
        today=TODAY,
    )
    with pytest.raises(ValidationFailed) as error:
        services.import_undo(batch=batch, actor=users["member"])
    assert "2026-03-08" in error.value.message
    assert values(metric)["2026-03-08"][0] == Decimal("20")


@pytest.mark.django_db(transaction=True)
def test_checkin_reminder_once_per_due_date_and_moves_with_measurements(metric, users):
    from prodops.notifications.models import Notification
    from prodops.reviews.models import Cadence, ReminderDelivery
    from prodops.reviews.services import reviews_sweep

    cadence = Cadence.objects.get(title="Check in: measure Trial-to-paid")
    assert cadence.owner == users["lead"]
    assert cadence.next_due_on == metric.baseline_on + dt.timedelta(days=7)
    for _ in range(3):
        reviews_sweep(today=cadence.next_due_on)
    checkins = Notification.objects.filter(title__contains="Check in: measure Trial-to-paid")
    assert checkins.count() == 1
    services.measurements_record(
        metric=metric,
        actor=users["member"],
        entries=[{"measured_on": "2026-03-01", "value": "12"}],
        today=TODAY,
    )
    cadence.refresh_from_db()
    assert cadence.next_due_on == dt.date(2026, 3, 8)
    reviews_sweep(today=dt.date(2026, 3, 8))
    reviews_sweep(today=dt.date(2026, 3, 9))
    assert checkins.count() == 2
    assert ReminderDelivery.objects.filter(cadence=cadence).count() == 2
