"""Writes for metrics, measurements and measurement imports."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.accounts.scope import require_team_scope
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, ValidationFailed
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure

from ..models import ImportBatch, Measurement, MeasurementChange, Metric

METRIC_FIELDS = (
    "name",
    "unit",
    "direction",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "guardrail",
    "objective",
    "team",
    "owner",
    "source_note",
    "cadence",
)
# Values are stored with 16 digits, 4 after the point.
VALUE_MAX = Decimal("999999999999.9999")
IMPORT_MAX_ROWS = 5000
CHECKIN_DAYS = {Metric.Cadence.WEEKLY: 7, Metric.Cadence.MONTHLY: 30}


def metric_checkin_due(*, metric: Metric, latest_on: dt.date | None) -> dt.date:
    """A metric's next check-in is one cadence interval (7 days weekly, 30 monthly) after its
    latest measurement, or after its baseline date while it has none."""
    return (latest_on or metric.baseline_on) + dt.timedelta(days=CHECKIN_DAYS[metric.cadence])


def _checkin_sync(metric: Metric) -> None:
    """Keep the metric's check-in cadence in step: its owner is reminded through the review
    sweep (one delivery row per metric, due date and recipient, so exactly once), and the due
    date moves on whenever a measurement is recorded (a reminder for a date already passed by
    a measurement is skipped at send time)."""
    latest_on = (
        Measurement.objects.filter(metric=metric)
        .order_by("-measured_on")
        .values_list("measured_on", flat=True)
        .first()
    )
    due = metric_checkin_due(metric=metric, latest_on=latest_on)
    cadence = cadence_ensure(
        kind=Cadence.Kind.METRIC_CHECKIN,
        target=metric,
        title=f"Check in: measure {metric.name}",
        owner=metric.owner,
        url=reverse("outcomes:metric", args=[metric.pk]),
        interval_days=CHECKIN_DAYS[metric.cadence],
        first_due_on=due,
    )
    Cadence.objects.filter(pk=cadence.pk).update(
        next_due_on=due,
        active=metric.archived_at is None,
        owner=metric.owner,
        interval_days=CHECKIN_DAYS[metric.cadence],
        title=f"Check in: measure {metric.name}"[:200],
    )


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed("Give a number, like 12.5.", field=field) from None
    if not number.is_finite() or abs(number) > VALUE_MAX:
        raise ValidationFailed(f"Give a number between −{VALUE_MAX} and {VALUE_MAX}.", field=field)
    return number.quantize(Decimal("0.0001"))


def metric_target_errors(metric: Metric) -> dict[str, str]:
    """A target lies after its baseline in time, and on the good side of the baseline: above
    it when up is good, below it when down is good."""
    errors: dict[str, str] = {}
    if metric.baseline_on and metric.target_on and metric.target_on <= metric.baseline_on:
        errors["target_on"] = "The target date must come after the baseline date."
    if metric.baseline_value is not None and metric.target_value is not None:
        up = metric.direction == Metric.Direction.UP
        if up and metric.target_value <= metric.baseline_value:
            errors["target_value"] = "Up is good: the target must be above the baseline."
        if not up and metric.target_value >= metric.baseline_value:
            errors["target_value"] = "Down is good: the target must be below the baseline."
    if metric.guardrail_id and metric.pk and metric.guardrail_id == metric.pk:
        errors["guardrail"] = "A metric cannot be its own guardrail."
    return errors


def _validate(metric: Metric) -> None:
    if not (metric.name or "").strip():
        raise ValidationFailed("Give the metric a name.", field="name")
    if not (metric.unit or "").strip():
        raise ValidationFailed("Give the unit, like % or signups.", field="unit")
    for name in ("baseline_value", "target_value"):
        setattr(metric, name, _decimal(getattr(metric, name), name))
    for name in ("baseline_on", "target_on"):
        if getattr(metric, name) is None:
            raise ValidationFailed("Give the date.", field=name)
    if metric.objective_id is None:
        raise ValidationFailed("Choose the objective the metric measures.", field="objective")
    errors = metric_target_errors(metric)
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=field)


@transaction.atomic
def metric_create(*, actor, **fields) -> Metric:
    """A lead (of the metric's team, when it has one) creates a metric."""
    metric = Metric(**{k: v for k, v in fields.items() if k in METRIC_FIELDS})
    require_team_scope(actor, metric.team, minimum=Role.LEAD, what="create metrics")
    _validate(metric)
    metric.save()
    _checkin_sync(metric)
    activity_record(actor=actor, target=metric, verb="created")
    return metric


@transaction.atomic
def metric_update(
    *, metric: Metric, actor, expected_version: int | None = None, **fields
) -> Metric:
    """A lead of the metric's team changes it, targets included; a stale version is refused."""
    locked = Metric.objects.select_for_update().get(pk=metric.pk)
    require_team_scope(actor, locked.team, minimum=Role.LEAD, what="change this metric")
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    changes = {}
    for name, value in fields.items():
        if name not in METRIC_FIELDS:
            continue
        if name in ("baseline_value", "target_value") and value is not None:
            value = _decimal(value, name)
        old = getattr(locked, name)
        if old != value:
            changes[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(locked, name, value)
    if "team" in changes:
        require_team_scope(actor, locked.team, minimum=Role.LEAD, what="move a metric to this team")
    _validate(locked)
    if changes:
        locked.version += 1
        locked.save()
        _checkin_sync(locked)
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    metric.version = locked.version
    return locked


def metric_in_use(metric: Metric) -> bool:
    """A metric is in use once it has a measurement or contributing work: then it is archived,
    not deleted, so its history and the revisits that feed calibration stay."""
    return metric.measurements.exists() or metric.contributions.exists()


@transaction.atomic
def metric_archive(
    *, metric: Metric, actor, archived: bool = True, expected_version: int | None = None
) -> Metric:
    """A lead of the metric's team archives it (or restores it, `archived=False`): an archived
    metric keeps its measurements, contributions and revisits, leaves the metric lists and the
    objective roll-up, and its check-in reminder stops."""
    locked = Metric.objects.select_for_update().get(pk=metric.pk)
    what = "archive this metric" if archived else "restore this metric"
    require_team_scope(actor, locked.team, minimum=Role.LEAD, what=what)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if (locked.archived_at is not None) != archived:
        locked.archived_at = timezone.now() if archived else None
        locked.version += 1
        locked.save(update_fields=["archived_at", "version", "updated_at"])
        _checkin_sync(locked)
        activity_record(actor=actor, target=locked, verb="archived" if archived else "restored")
    metric.version, metric.archived_at = locked.version, locked.archived_at
    return locked


@transaction.atomic
def metric_delete(*, metric: Metric, actor) -> None:
    """A lead of the metric's team deletes a metric nobody has used yet (metric_in_use); one
    in use is refused, pointing to archiving. Its check-in reminder goes with it; metrics it
    guarded lose their guardrail."""
    locked = Metric.objects.select_for_update().get(pk=metric.pk)
    require_team_scope(actor, locked.team, minimum=Role.LEAD, what="delete this metric")
    if metric_in_use(locked):
        raise ValidationFailed(
            "This metric has measurements or contributing work: archive it instead, so its "
            "history stays.",
            field="archived",
        )
    Cadence.objects.filter(
        target_type=ContentType.objects.get_for_model(Metric), target_id=locked.pk
    ).delete()
    activity_record(actor=actor, target=locked, verb="deleted", summary=locked.name)
    locked.delete()


def _check_date(day, *, today: dt.date, field: str = "measured_on") -> dt.date:
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise ValidationFailed("Give the date as YYYY-MM-DD.", field=field) from None
    if not isinstance(day, dt.date):
        raise ValidationFailed("Give the date as YYYY-MM-DD.", field=field)
    if day > today:
        raise ValidationFailed("A measurement cannot be dated in the future.", field=field)
    return day


def _put(
    *, metric: Metric, measured_on: dt.date, value: Decimal, note: str, actor, batch=None
) -> tuple[Measurement, bool]:
    """Insert or replace the metric's measurement for the date, keeping the replaced value."""
    existing = (
        Measurement.objects.select_for_update()
        .filter(metric=metric, measured_on=measured_on)
        .first()
    )
    if existing is None:
        created = Measurement.objects.create(
            metric=metric,
            measured_on=measured_on,
            value=value,
            note=note,
            recorded_by=actor,
            batch=batch,
        )
        return created, True
    MeasurementChange.objects.create(
        measurement=existing,
        old_value=existing.value,
        old_note=existing.note,
        old_batch=existing.batch,
        new_value=value,
        batch=batch,
        changed_by=actor,
    )
    existing.value, existing.note, existing.recorded_by, existing.batch = value, note, actor, batch
    existing.save(update_fields=["value", "note", "recorded_by", "batch", "updated_at"])
    return existing, False


@transaction.atomic
def measurements_record(
    *, metric: Metric, actor, entries: list[dict], today: dt.date | None = None
) -> list[Measurement]:
    """Members of the metric's team (and leads, admins) record measurements: one per date; a
    second one for a date replaces the first, whose value stays in the history. All entries
    are saved or none: the first bad one is refused naming its field (and index when several)."""
    require_team_scope(actor, metric.team, minimum=Role.MEMBER, what="record measurements")
    today = today or timezone.localdate()
    seen: set[dt.date] = set()
    cleaned = []
    for index, entry in enumerate(entries):
        prefix = f"{index}." if len(entries) > 1 else ""
        try:
            day = _check_date(entry.get("measured_on"), today=today)
            if entry.get("value") in (None, ""):
                raise ValidationFailed("Give the value.", field="value")
            value = _decimal(entry.get("value"), "value")
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=f"{prefix}{error.field}") from None
        if day in seen:
            raise ValidationFailed("The same date is given twice.", field=f"{prefix}measured_on")
        seen.add(day)
        cleaned.append((day, value, (entry.get("note") or "").strip()[:500]))
    Metric.objects.select_for_update().filter(pk=metric.pk).first()
    saved = [
        _put(metric=metric, measured_on=day, value=value, note=note, actor=actor)[0]
        for day, value, note in cleaned
    ]
    _checkin_sync(metric)
    return saved


NEW = "new"
REPLACES = "replaces"
ERROR = "error"


@dataclass
class ImportRow:
    """One line of an import and its fate: new, replaces (the old value), or error (why)."""

    line: int
    fate: str
    measured_on: dt.date | None = None
    value: Decimal | None = None
    note: str = ""
    old_value: Decimal | None = None
    reason: str = ""


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.fate == ERROR]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, fate: str) -> int:
        return sum(1 for r in self.rows if r.fate == fate)

    @property
    def new_count(self) -> int:
        return self.count(NEW)

    @property
    def replaces_count(self) -> int:
        return self.count(REPLACES)

    @property
    def error_count(self) -> int:
        return self.count(ERROR)


def measurements_import_preview(
    *, metric: Metric, text: str, today: dt.date | None = None
) -> ImportPreview:
    """Read a CSV of `date,value[,note]` (an optional header line starting with "date") and
    say what each line would do, by line number: new, replaces (the value it replaces), or
    error and why (a bad date or number, a future date, a date given twice). Writes nothing."""
    today = today or timezone.localdate()
    existing = dict(Measurement.objects.filter(metric=metric).values_list("measured_on", "value"))
    rows: list[ImportRow] = []
    seen: dict[dt.date, int] = {}
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        if number == 1 and record[0].strip().lower() == "date":
            continue
        if len(rows) >= IMPORT_MAX_ROWS:
            rows.append(
                ImportRow(line=number, fate=ERROR, reason=f"More than {IMPORT_MAX_ROWS} rows.")
            )
            break
        row = ImportRow(line=number, fate=NEW)
        if len(record) < 2 or len(record) > 3:
            row.fate, row.reason = ERROR, "Give date,value or date,value,note."
            rows.append(row)
            continue
        try:
            row.measured_on = _check_date(record[0], today=today)
            row.value = _decimal(record[1], "value")
        except ValidationFailed as error:
            row.fate, row.reason = ERROR, error.message
            rows.append(row)
            continue
        row.note = record[2].strip()[:500] if len(record) == 3 else ""
        if row.measured_on in seen:
            row.fate = ERROR
            row.reason = f"{row.measured_on} is already on line {seen[row.measured_on]}."
        else:
            seen[row.measured_on] = number
            if row.measured_on in existing:
                row.fate, row.old_value = REPLACES, existing[row.measured_on]
        rows.append(row)
    return ImportPreview(rows=rows)


@transaction.atomic
def measurements_import(
    *, metric: Metric, actor, text: str, filename: str = "", today: dt.date | None = None
) -> ImportBatch:
    """Commit an import all or nothing: any line in error refuses the whole file (naming the
    first bad line); otherwise every row is saved in one batch that can be undone."""
    require_team_scope(actor, metric.team, minimum=Role.MEMBER, what="import measurements")
    Metric.objects.select_for_update().filter(pk=metric.pk).first()
    preview = measurements_import_preview(metric=metric, text=text, today=today)
    if not preview.rows:
        raise ValidationFailed("The file has no rows to import.", field="file")
    if preview.errors:
        first = preview.errors[0]
        raise ValidationFailed(
            f"Line {first.line}: {first.reason} Nothing was imported "
            f"({len(preview.errors)} line(s) in error).",
            field="file",
        )
    batch = ImportBatch.objects.create(
        metric=metric, created_by=actor, filename=filename[:200], row_count=len(preview.rows)
    )
    for row in preview.rows:
        _put(
            metric=metric,
            measured_on=row.measured_on,
            value=row.value,
            note=row.note,
            actor=actor,
            batch=batch,
        )
    _checkin_sync(metric)
    activity_record(
        actor=actor, target=metric, verb="measurements_imported", summary=f"{batch.row_count} rows"
    )
    return batch


@transaction.atomic
def import_undo(*, batch: ImportBatch, actor) -> ImportBatch:
    """Undo an import as a batch: rows it added are removed, values it replaced come back. An
    import whose rows were changed again since is refused (naming the date), so a later
    change is never lost."""
    locked = ImportBatch.objects.select_for_update().select_related("metric").get(pk=batch.pk)
    require_team_scope(actor, locked.metric.team, minimum=Role.MEMBER, what="undo an import")
    if locked.undone_at is not None:
        raise ValidationFailed("This import was already undone.", field="batch")
    touched = list(
        Measurement.objects.select_for_update().filter(metric=locked.metric, batch=locked)
    )
    replaced = {
        change.measurement_id: change for change in MeasurementChange.objects.filter(batch=locked)
    }
    later = (
        MeasurementChange.objects.filter(measurement__metric=locked.metric, old_batch=locked)
        .select_related("measurement")
        .first()
    )
    if later is not None:
        raise ValidationFailed(
            f"The measurement of {later.measurement.measured_on} was changed after this import; "
            "undo is refused so that change is kept.",
            field="batch",
        )
    for measurement in touched:
        change = replaced.get(measurement.pk)
        if change is None:
            measurement.delete()
            continue
        measurement.value, measurement.note, measurement.batch = (
            change.old_value,
            change.old_note,
            change.old_batch,
        )
        measurement.save(update_fields=["value", "note", "batch", "updated_at"])
    _checkin_sync(locked.metric)
    locked.undone_at, locked.undone_by = timezone.now(), actor
    locked.save(update_fields=["undone_at", "undone_by"])
    activity_record(
        actor=actor, target=locked.metric, verb="import_undone", summary=f"{locked.row_count} rows"
    )
    return locked
