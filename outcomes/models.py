from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from prodops.core import limits


class Objective(models.Model):
    """A business objective, or a department objective that rolls up to a business objective."""

    class Level(models.TextChoices):
        BUSINESS = "business", "Business"
        DEPARTMENT = "department", "Department"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        DROPPED = "dropped", "Dropped"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=limits.MARKDOWN)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BUSINESS)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The business objective a department objective rolls up to.",
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )
    period = models.CharField(max_length=7, help_text="A quarter like 2027-Q1 or a year like 2027.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "period", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="business", parent__isnull=True)
                | models.Q(level="department", parent__isnull=False, department__isnull=False),
                name="objective_rollup",
                violation_error_message="A department objective needs a department and a business objective to roll up to; a business objective has no parent.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from .services import objective_rollup_errors

        errors = objective_rollup_errors(self)
        if errors:
            raise ValidationError(errors)


class Metric(models.Model):
    """A number the team moves: where it started (baseline), where it should be by when
    (target), which way is good, and how often it is measured."""

    class Direction(models.TextChoices):
        UP = "up", "Up is good"
        DOWN = "down", "Down is good"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, help_text="What a value counts: %, €, days, signups.")
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4)
    baseline_on = models.DateField("baseline date")
    target_value = models.DecimalField(max_digits=16, decimal_places=4)
    target_on = models.DateField("target date")
    guardrail = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guarded",
        help_text="A metric that must not get worse while this one moves.",
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="metrics")
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="metrics",
        help_text="The team that measures it; its members record measurements.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_metrics",
    )
    source_note = models.TextField(
        blank=True, max_length=limits.NOTES, help_text="Where the number comes from (internal)."
    )
    cadence = models.CharField(
        "measurement cadence", max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Archived metrics keep their measurements and revisits but leave the lists, "
        "the roll-up and the check-in reminders.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_on__gt=models.F("baseline_on")),
                name="metric_target_after_baseline",
            ),
            models.CheckConstraint(
                condition=~models.Q(target_value=models.F("baseline_value")),
                name="metric_target_differs_from_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class ImportBatch(models.Model):
    """One committed CSV import of measurements: undone as a whole."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.row_count} rows into {self.metric}"


class Measurement(models.Model):
    """The metric's value on one date; one per metric and date (a second one replaces it,
    the replaced value kept as a MeasurementChange)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField("date")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "measured_on"], name="one_measurement_per_metric_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.value} on {self.measured_on}"


class MeasurementChange(models.Model):
    """History: a measurement's value and note before a later one for the same date replaced
    it (by hand, the API or an import batch)."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="changes")
    old_value = models.DecimalField(max_digits=16, decimal_places=4)
    old_note = models.CharField(max_length=500, blank=True)
    old_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_value = models.DecimalField(max_digits=16, decimal_places=4)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="replacements"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.measurement}: {self.old_value} → {self.new_value}"


class Contribution(models.Model):
    """A roadmap item or a request expected to move a metric by some amount by a date."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="contributions")
    roadmap_item = models.ForeignKey(
        "roadmap.RoadmapItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    request = models.ForeignKey(
        "intake.Request",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    expected_change = models.DecimalField(
        max_digits=16, decimal_places=4, help_text="In the metric's unit, signed."
    )
    expected_by = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    shipped_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(roadmap_item__isnull=False, request__isnull=True)
                | models.Q(roadmap_item__isnull=True, request__isnull=False),
                name="contribution_from_item_or_request",
            )
        ]

    def __str__(self) -> str:
        source = self.roadmap_item or self.request
        return f"{source} → {self.metric}"


class Revisit(models.Model):
    """A date after shipping to look again: did the metric move?"""

    class Outcome(models.TextChoices):
        MOVED = "moved", "Moved"
        NOT_MOVED = "not_moved", "Not moved"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="revisits"
    )
    due_on = models.DateField(db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    observed_change = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    impact_statement = models.TextField(blank=True, max_length=limits.REASON)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    # The guardrail check as it stood when the revisit was recorded (see guardrail_check).
    guardrail_at_ship = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    guardrail_latest = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    guardrail_worse = models.BooleanField(
        null=True, blank=True, help_text="Empty when the metric has no guardrail or no data."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "due_on"], name="one_revisit_per_contribution_date"
            )
        ]

    def __str__(self) -> str:
        return f"Revisit of {self.contribution} on {self.due_on}"

    @property
    def team(self):
        """The team a revisit belongs to (cadence scope): the item's roadmap team."""
        contribution = self.contribution
        if contribution.roadmap_item_id:
            return contribution.roadmap_item.roadmap.team
        return contribution.request.team


class Coalition(models.Model):
    """A long-running cross-department group around shared metrics: a charter, members from
    at least two departments, a meeting cadence and a status. Not a project: it has a review
    or end date, not a deadline."""

    class Status(models.TextChoices):
        FORMING = "forming", "Forming"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    charter = models.TextField(max_length=limits.MARKDOWN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FORMING)
    metrics = models.ManyToManyField(Metric, blank=True, related_name="coalitions")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="coalitions")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coalitions_led",
    )
    review_on = models.DateField("review or end date")
    meeting_interval_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days between meetings."
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting_interval_days__gte=1),
                name="coalition_meeting_interval_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CoalitionMeeting(models.Model):
    """One held meeting of a coalition and what it decided."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    notes = models.TextField(blank=True, max_length=limits.MARKDOWN)
    decisions = models.TextField(blank=True, max_length=limits.MARKDOWN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.coalition} on {self.held_on}"
