from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class WorkspaceSettings(models.Model):
    """Workspace-wide settings; there is exactly one row (see selectors.workspace_settings)."""

    name = models.CharField(max_length=120, default="prodops")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month (1–12) in which the fiscal year, and so Q1, starts.",
    )

    class Meta:
        verbose_name = "workspace settings"
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return self.name


class Heartbeat(models.Model):
    """Written by a worker so a test, an operator or /healthz can see that it ran: once per
    marker by the smoke task, and every minute under one marker by the periodic heartbeat,
    which moves `seen_at` on."""

    marker = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.marker
