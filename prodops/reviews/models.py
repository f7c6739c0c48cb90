"""Review cadences (what is reviewed, how often, by whom, next due) and reminder deliveries."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from prodops.core import limits

DEFAULT_INTERVAL_DAYS = 14


class Cadence(models.Model):
    """A recurring review of one thing (a team's roadmap, a price plan, a doc, an outcome
    revisit, the quarterly review): how often, who reviews, who is told when it slips, and
    when it is next due. The reviewed object is a generic target so every kind shares the
    same sweep and reminders."""

    class Kind(models.TextChoices):
        ROADMAP = "roadmap", "Roadmap review"
        PRICE_PLAN = "price_plan", "Pricing review"
        DOC = "doc", "Doc review"
        OUTCOME_REVISIT = "outcome_revisit", "Outcome revisit"
        METRIC_CHECKIN = "metric_checkin", "Metric check-in"
        COALITION_MEETING = "coalition_meeting", "Coalition meeting"
        QUARTERLY = "quarterly", "Quarterly review"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    title = models.CharField(max_length=200)
    interval_days = models.PositiveSmallIntegerField(
        default=DEFAULT_INTERVAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="Days between reviews.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadences_owned",
        help_text="Who runs the review and gets the reminder.",
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadences_escalated",
        help_text="The lead told when the review is overdue.",
    )
    url = models.CharField(max_length=300, blank=True, help_text="Where the review happens.")
    next_due_on = models.DateField(db_index=True)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"], name="one_cadence_per_target_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1), name="cadence_interval_positive"
            ),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    """One completed review: which due date it settled, who held it, and the notes."""

    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    completed_on = models.DateField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, max_length=limits.NOTES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cadence} on {self.completed_on}"


class ReminderDelivery(models.Model):
    """One reminder to one person for one due date of one cadence.

    The unique constraint is what makes delivery exactly-once: the sweep inserts with
    ON CONFLICT DO NOTHING, and the send, claimed by the rule of ``prodops.core.claims``,
    stamps `sent_at` under a row lock. `attempts` counts claimed sends (crashes included);
    after REMINDER_MAX_ATTEMPTS the row gets `failed_at` and the sweeps leave it."""

    class Kind(models.TextChoices):
        DUE = "due", "Due"
        OVERDUE = "overdue", "Overdue (escalated)"

    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="deliveries")
    due_on = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Stamped instead of sending when the review was completed before the send ran.
    skipped = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "due_on", "recipient", "kind"],
                name="one_reminder_per_cadence_due_recipient_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="reminder_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.cadence} due {self.due_on}"
