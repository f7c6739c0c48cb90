from django.db import transaction

from prodops.core.errors import EditConflict, ValidationFailed
from prodops.core.periods import parse_period
from prodops.core.selectors import workspace_settings

from ..models import Objective

EDITABLE_FIELDS = (
    "title",
    "description",
    "level",
    "parent",
    "department",
    "owner",
    "period",
    "status",
)


def objective_rollup_errors(objective: Objective) -> dict[str, str]:
    """A department objective must name its department and roll up to a business objective;
    a business objective stands alone; and an objective others roll up to stays a business
    objective."""
    errors: dict[str, str] = {}
    if (
        objective.level == Objective.Level.DEPARTMENT
        and objective.pk
        and Objective.objects.filter(parent_id=objective.pk).exists()
    ):
        errors["level"] = (
            "Department objectives roll up to this one; move them first, then change its level."
        )
        return errors
    if objective.level == Objective.Level.DEPARTMENT:
        if objective.department_id is None:
            errors["department"] = "A department objective needs a department."
        if objective.parent_id is None:
            errors["parent"] = "A department objective must roll up to a business objective."
        elif objective.parent.level != Objective.Level.BUSINESS:
            errors["parent"] = "A department objective can only roll up to a business objective."
        elif objective.pk and objective.parent_id == objective.pk:
            errors["parent"] = "An objective cannot roll up to itself."
    elif objective.parent_id is not None:
        errors["parent"] = "A business objective does not roll up to another objective."
    return errors


def _validate(objective: Objective) -> None:
    if not (objective.title or "").strip():
        raise ValidationFailed("Give the objective a title.", field="title")
    period = parse_period(
        objective.period, fiscal_start_month=workspace_settings().fiscal_year_start_month
    )
    objective.period = period.label
    errors = objective_rollup_errors(objective)
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=field)


@transaction.atomic
def objective_create(*, actor, **fields) -> Objective:
    """Create an objective; the roll-up rule is checked before anything is saved."""
    from prodops.activity.services import activity_record

    objective = Objective(**{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    if objective.level == Objective.Level.BUSINESS:
        objective.department = None if objective.department_id is None else objective.department
    _validate(objective)
    objective.save()
    activity_record(actor=actor, target=objective, verb="created")
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, actor, expected_version: int | None = None, **fields
) -> Objective:
    """Update an objective; a stale `expected_version` is refused instead of overwriting."""
    from prodops.activity.services import activity_record

    locked = Objective.objects.select_for_update().get(pk=objective.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    changes = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        old = getattr(locked, name)
        if old != value:
            changes[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(locked, name, value)
    _validate(locked)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
        if "status" in changes:
            # Only active objectives earn full alignment, so every score may move.
            from intake.scoring_services import scores_recompute_all

            scores_recompute_all()
    return locked
