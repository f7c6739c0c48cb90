from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


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
    """Written by the smoke task so a test (or an operator) can see a worker ran."""

    marker = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.marker
