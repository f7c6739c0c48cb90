"""Quarterly review packs: per team (or for the whole organisation) and quarter, assembled
from the data by the sections in packs.sections, written up by the lead, frozen when final."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from prodops.core import limits


class ReviewPack(models.Model):
    """One quarter's review for one team, or for the whole organisation (team empty).

    A draft computes its figures live from the data every time it is read; finalizing stores
    them in `figures` (packs.services.pack_finalize), and from then on the pack shows only
    that snapshot, whatever changes in the data afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_packs",
        help_text="Empty for the whole organisation's pack.",
    )
    period = models.CharField(max_length=7, help_text="A quarter like 2027-Q1.")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative = models.TextField(blank=True, max_length=limits.MARKDOWN, help_text="Markdown.")
    decisions = models.TextField(blank=True, max_length=limits.MARKDOWN, help_text="Markdown.")
    internal_notes = models.TextField(
        blank=True,
        max_length=limits.NOTES,
        help_text="For the team only; never shown to stakeholders.",
    )
    figures = models.JSONField(
        null=True, blank=True, help_text="The frozen figures of every section, once final."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "team__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period"], name="one_pack_per_team_quarter", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=~models.Q(status="final") | models.Q(figures__isnull=False),
                name="final_pack_has_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("packs:detail", args=[self.pk])

    @property
    def scope_name(self) -> str:
        return self.team.name if self.team_id else "Whole organisation"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class Commitment(models.Model):
    """What the team commits to for the next quarter. With an accepted request of the team it
    can become an item on next quarter's roadmap in one action (packs.services.commitment_plan)."""

    pack = models.ForeignKey(ReviewPack, on_delete=models.CASCADE, related_name="commitments")
    title = models.CharField(max_length=200)
    request = models.ForeignKey(
        "intake.Request",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The accepted request the commitment plans, if any.",
    )
    item = models.ForeignKey(
        "roadmap.RoadmapItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The roadmap item the commitment became.",
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class PackShareLink(models.Model):
    """A revocable, optionally expiring link that shows the stakeholder version of a pack."""

    pack = models.ForeignKey(ReviewPack, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"Pack share link {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("pack_share:view", args=[self.token])


class QuarterlyReview(models.Model):
    """A team's quarterly review: the thing its QUARTERLY review cadence (prodops.reviews)
    reviews, so the cadence knows its team (reviews.selectors.cadence_team reads `.team`)."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="quarterly_review"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Quarterly review of {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("packs:index") + f"?team={self.team_id}"


class PackReopening(models.Model):
    """A final pack reopened by its lead: the frozen snapshot it had (figures and write-up,
    who finalized it and when) is kept here for good, with who reopened it and why."""

    pack = models.ForeignKey(ReviewPack, on_delete=models.CASCADE, related_name="reopenings")
    figures = models.JSONField(help_text="The figures frozen when the pack was finalized.")
    narrative = models.TextField(blank=True, max_length=limits.MARKDOWN)
    decisions = models.TextField(blank=True, max_length=limits.MARKDOWN)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=limits.REASON)

    class Meta:
        ordering = ["-reopened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pack} reopened on {self.reopened_at:%Y-%m-%d}"
