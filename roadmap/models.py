"""Roadmaps per team and quarter, their items, buffer use, snapshots and share links."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from prodops.core import limits

DEFAULT_BUFFER_PERCENT = Decimal("25")


class Roadmap(models.Model):
    """A team's plan for one quarter, with a buffer kept free for unplanned work."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="roadmaps")
    period = models.CharField(max_length=7, help_text="A quarter like 2027-Q1.")
    period_start = models.DateField()
    period_end = models.DateField()
    buffer_percent = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=DEFAULT_BUFFER_PERCENT,
        validators=[MinValueValidator(20), MaxValueValidator(30)],
        help_text="Share of capacity kept for unplanned work (20–30 %).",
    )
    notes = models.TextField(
        blank=True,
        max_length=limits.NOTES,
        help_text="Internal notes; never shown to stakeholders.",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RoadmapWatcher", related_name="watched_roadmaps"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "period"], name="one_roadmap_per_team_period"),
            models.CheckConstraint(
                condition=models.Q(buffer_percent__gte=20, buffer_percent__lte=30),
                name="roadmap_buffer_20_30",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("roadmap:board", args=[self.pk])


class CapacityOverride(models.Model):
    """A member's capacity for this roadmap's quarter, replacing capacity × allocation."""

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="capacity_overrides"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    capacity_days = models.DecimalField(
        max_digits=6, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(92)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "user"], name="one_override_per_member"),
            models.CheckConstraint(
                condition=models.Q(capacity_days__gte=0), name="override_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.capacity_days} d on {self.roadmap}"


class Lane(models.TextChoices):
    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class RoadmapItem(models.Model):
    """Planned work: one or more accepted requests, an estimate, and the objective it serves."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        SHIPPED = "shipped", "Shipped"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal"
        SHARED = "shared", "Shared with stakeholders"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200, help_text="The team's own name for the work.")
    public_title = models.CharField(
        "stakeholder-facing title", max_length=200, blank=True, help_text="Shown when shared."
    )
    public_summary = models.TextField(
        "stakeholder-facing summary", blank=True, max_length=limits.REASON
    )
    internal_notes = models.TextField(blank=True, max_length=limits.NOTES)
    estimate_days = models.DecimalField(
        "estimate (person-days)",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    objective = models.ForeignKey(
        "outcomes.Objective", on_delete=models.PROTECT, related_name="roadmap_items"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_items_owned",
    )
    lane = models.CharField(max_length=10, choices=Lane.choices, default=Lane.NEXT)
    start_month = models.DateField(null=True, blank=True, help_text="First day of a month.")
    end_month = models.DateField(null=True, blank=True, help_text="First day of a month.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    requests = models.ManyToManyField(
        "intake.Request", through="ItemRequest", related_name="roadmap_items"
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimate_days__gt=0), name="item_estimate_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(start_month__isnull=True, end_month__isnull=True)
                | models.Q(
                    start_month__isnull=False,
                    end_month__isnull=False,
                    start_month__lte=models.F("end_month"),
                ),
                name="item_month_span_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(visibility="shared") | ~models.Q(public_title=""),
                name="shared_item_has_public_title",
            ),
        ]
        indexes = [models.Index(fields=["roadmap", "lane", "position"])]

    def __str__(self) -> str:
        return self.title


class ItemRequest(models.Model):
    """A request grouped into a roadmap item; a request sits on at most one item."""

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="item_requests")
    request = models.OneToOneField(
        "intake.Request", on_delete=models.PROTECT, related_name="roadmap_link"
    )

    def __str__(self) -> str:
        return f"#{self.request_id} on item {self.item_id}"


class ItemPeriodMove(models.Model):
    """An item moved from one quarter's roadmap to another of the same team. Snapshots are per
    roadmap, so this is what lets "what changed" call the item moved rather than removed from
    one roadmap and added to the other."""

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="period_moves")
    from_roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+")
    to_roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="+")
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["moved_at", "id"]

    def __str__(self) -> str:
        return f"Item {self.item_id}: roadmap {self.from_roadmap_id} → {self.to_roadmap_id}"


class Overcommit(models.Model):
    """A lead's recorded decision to plan beyond plannable capacity, with the numbers."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="overcommits")
    item = models.ForeignKey(
        RoadmapItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="overcommits"
    )
    reason = models.TextField(max_length=limits.REASON)
    planned_days = models.DecimalField(max_digits=7, decimal_places=1)
    plannable_days = models.DecimalField(max_digits=7, decimal_places=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Over-commit on {self.roadmap}: {self.planned_days} > {self.plannable_days}"


class UnplannedEntry(models.Model):
    """Work nobody planned that the team took on; it consumes the buffer. Its category says
    what kind of interruption it was, so a quarter's buffer can be read by kind as well as by
    who asked."""

    class Category(models.TextChoices):
        SUPPORT_ESCALATION = "support_escalation", "Support escalation"
        BUG = "bug", "Bug"
        COMPLIANCE = "compliance", "Compliance"
        AD_HOC_REQUEST = "ad_hoc_request", "Ad-hoc request"
        OTHER = "other", "Other"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="unplanned")
    day = models.DateField()
    days = models.DecimalField(
        "person-days",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    what = models.CharField(max_length=300)
    requested_by = models.CharField("who asked", max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name_plural = "unplanned entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gt=0), name="unplanned_days_positive")
        ]

    def __str__(self) -> str:
        return f"{self.days} d: {self.what}"


class Snapshot(models.Model):
    """The roadmap as it stood at a moment (always taken at a review), for "what changed"."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="snapshots")
    review = models.OneToOneField(
        "reviews.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshot"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict)
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"Snapshot of {self.roadmap} at {self.taken_at:%Y-%m-%d %H:%M}"


class ShareLink(models.Model):
    """A revocable, optionally expiring link that shows the shared roadmap to anyone."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="share_links")
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
        return self.label or f"Share link {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("roadmap_share:view", args=[self.token])


class RoadmapWatcher(models.Model):
    """A person told what changed after each review of the roadmap."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="watcher_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "user"], name="one_roadmap_watch")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.roadmap_id}"
