"""Assessment and scoring-model tables (imported by intake.models)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from prodops.core import limits


class Assessment(models.Model):
    """One member's judgement of a request: feasibility, effort, impact, reach, confidence."""

    class Confidence(models.IntegerChoices):
        LOW = 50, "50 %"
        MEDIUM = 80, "80 %"
        HIGH = 100, "100 %"

    request = models.ForeignKey(
        "intake.Request", on_delete=models.CASCADE, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    feasibility = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1–5; 5 = doable with today's tools, skills and data.",
    )
    effort_days = models.DecimalField(
        "effort (person-days)",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1–5 on the linked objective.",
    )
    reach = models.PositiveIntegerField(
        null=True, blank=True, help_text="People or accounts affected."
    )
    confidence = models.PositiveSmallIntegerField(
        choices=Confidence.choices, default=Confidence.MEDIUM
    )
    rationale = models.TextField(blank=True, max_length=limits.REASON)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "assessor"], name="one_assessment_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(feasibility__gte=1, feasibility__lte=5), name="feasibility_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="impact_1_5"
            ),
            models.CheckConstraint(condition=models.Q(effort_days__gt=0), name="effort_positive"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Assessment of #{self.request_id} by {self.assessor_id}"


class AssessmentRevision(models.Model):
    """The values an assessment held before an edit (assessments keep their history)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of assessment {self.assessment_id}"


class ScoringModel(models.Model):
    """The workspace's active scoring model and its parameters (a single row)."""

    class Kind(models.TextChoices):
        WEIGHTED = "weighted", "Weighted (impact, feasibility, cost)"
        RICE = "rice", "RICE"
        ICE = "ice", "ICE"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WEIGHTED)
    impact_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("3"))
    feasibility_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("2"))
    cost_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1"))
    alignment_factor = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.70"),
        help_text="Multiplier for requests not linked to an active objective (0–1).",
    )
    # Upper edges (person-days) of cost bands 1–4; anything above the last edge is band 5.
    cost_band_edges = ArrayField(
        models.DecimalField(max_digits=6, decimal_places=1),
        size=4,
        default=list,
        help_text="Four increasing upper edges in person-days for cost bands 1–4.",
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "scoring model"

    def __str__(self) -> str:
        return self.get_kind_display()


class RequestScore(models.Model):
    """The mean and spread of a request's assessments, kept by the scoring service.

    Holding the aggregates in a table lets the score of every request be recomputed — and the
    backlog re-ranked — with one SQL statement when the lead changes the scoring model."""

    request = models.OneToOneField(
        "intake.Request", primary_key=True, on_delete=models.CASCADE, related_name="score_record"
    )
    assessment_count = models.PositiveIntegerField(default=0)
    mean_impact = models.DecimalField(max_digits=7, decimal_places=4)
    mean_feasibility = models.DecimalField(max_digits=7, decimal_places=4)
    mean_effort = models.DecimalField("mean effort (person-days)", max_digits=10, decimal_places=4)
    mean_confidence = models.DecimalField(max_digits=7, decimal_places=4)
    mean_reach = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    impact_min = models.PositiveSmallIntegerField()
    impact_max = models.PositiveSmallIntegerField()
    feasibility_min = models.PositiveSmallIntegerField()
    feasibility_max = models.PositiveSmallIntegerField()
    effort_min = models.DecimalField(max_digits=6, decimal_places=1)
    effort_max = models.DecimalField(max_digits=6, decimal_places=1)
    confidence_min = models.PositiveSmallIntegerField()
    confidence_max = models.PositiveSmallIntegerField()
    reach_min = models.PositiveIntegerField(null=True, blank=True)
    reach_max = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "request score"

    def __str__(self) -> str:
        return f"Score inputs of #{self.request_id}"
