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
