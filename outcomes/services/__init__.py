"""Writes of the outcomes app, by concern; re-exported so callers import `outcomes.services`."""

from .coalitions import (
    COALITION_FIELDS,
    coalition_create,
    coalition_meeting_record,
    coalition_member_errors,
    coalition_update,
    coalition_visible,
)
from .metrics import (
    METRIC_FIELDS,
    ImportPreview,
    ImportRow,
    import_undo,
    measurements_import,
    measurements_import_preview,
    measurements_record,
    metric_create,
    metric_target_errors,
    metric_update,
)
from .objectives import EDITABLE_FIELDS, objective_create, objective_rollup_errors, objective_update
from .revisits import (
    contribution_create,
    item_shipped_receiver,
    revisit_days,
    revisit_record,
    revisits_schedule,
)

__all__ = [
    "COALITION_FIELDS",
    "EDITABLE_FIELDS",
    "METRIC_FIELDS",
    "ImportPreview",
    "ImportRow",
    "coalition_create",
    "coalition_meeting_record",
    "coalition_member_errors",
    "coalition_update",
    "coalition_visible",
    "contribution_create",
    "import_undo",
    "item_shipped_receiver",
    "measurements_import",
    "measurements_import_preview",
    "measurements_record",
    "metric_create",
    "metric_target_errors",
    "metric_update",
    "objective_create",
    "objective_rollup_errors",
    "objective_update",
    "revisit_days",
    "revisit_record",
    "revisits_schedule",
]
