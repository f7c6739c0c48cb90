"""Docs (with every saved text kept as a revision), and the deflections they earn at intake."""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from prodops.core import limits

# A doc nobody has verified for this many days shows "needs review" and reminds its owner.
DEFAULT_VERIFY_INTERVAL_DAYS = 90
# A suggested doc opened with no request filed by the same person this long after counts as
# an implicit deflection.
IMPLICIT_DEFLECTION_MINUTES = 30
# What a doc can be linked to: the kind's name in forms and the API → the doc's relation.
LINK_KINDS = {"request": "requests", "roadmap_item": "roadmap_items", "metric": "metrics"}


class Doc(models.Model):
    """A page of team knowledge written in Markdown, for one audience. Only published docs
    are read outside the team; customer docs are also public under /help/."""

    class Audience(models.TextChoices):
        TEAM = "team", "Team"
        STAKEHOLDERS = "stakeholders", "Stakeholders"
        CUSTOMERS = "customers", "Customers"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    body = models.TextField(blank=True, max_length=limits.MARKDOWN, help_text="Markdown.")
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.TEAM)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="docs_owned"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="docs_to_review",
        help_text="Besides a lead, the one person who may publish it.",
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    requests = models.ManyToManyField("intake.Request", blank=True, related_name="docs")
    roadmap_items = models.ManyToManyField("roadmap.RoadmapItem", blank=True, related_name="docs")
    metrics = models.ManyToManyField("outcomes.Metric", blank=True, related_name="docs")
    last_verified_on = models.DateField(null=True, blank=True)
    verify_interval_days = models.PositiveSmallIntegerField(
        default=DEFAULT_VERIFY_INTERVAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Days a verification holds.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="doc_search_vector"),
            # Titles within a typo of a search (prodops.search.engine reads lower(title)).
            GinIndex(OpClass(Lower("title"), name="gin_trgm_ops"), name="doc_lower_title_trgm"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def verify_due_on(self) -> dt.date | None:
        """The day its verification runs out (None when never verified)."""
        if self.last_verified_on is None:
            return None
        return self.last_verified_on + dt.timedelta(days=self.verify_interval_days)

    def needs_review(self, today: dt.date | None = None) -> bool:
        """A published doc needs review when it was never verified or its verification has
        run out (drafts and archived docs are not read as true, so they never expire)."""
        from django.utils import timezone

        if self.status != self.Status.PUBLISHED:
            return False
        today = today or timezone.localdate()
        due = self.verify_due_on
        return due is None or due <= today


class DocRevision(models.Model):
    """The text of a doc as one save left it: who, when, title and body."""

    doc = models.ForeignKey(Doc, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=limits.MARKDOWN)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["doc", "number"], name="one_revision_number_per_doc")
        ]

    def __str__(self) -> str:
        return f"{self.doc} r{self.number}"


class Deflection(models.Model):
    """A need answered by a doc instead of a request. Explicit: the person said "this answers
    it". Implicit deflections are not stored: they are counted from suggestion opens
    (SuggestionOpen) with no request filed after them (see selectors.deflection_report)."""

    doc = models.ForeignKey(Doc, on_delete=models.CASCADE, related_name="deflections")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deflections"
    )
    query = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.doc} answered {self.person}"


class SuggestionOpen(models.Model):
    """Someone opened a doc suggested while they typed a request. With no request filed by
    them within IMPLICIT_DEFLECTION_MINUTES after, it counts as an implicit deflection."""

    doc = models.ForeignKey(Doc, on_delete=models.CASCADE, related_name="suggestion_opens")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} opened {self.doc}"


class SearchMiss(models.Model):
    """A search that found no doc: what people look for and the docs do not answer yet."""

    query = models.CharField(max_length=300)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.query


class ReadinessCheck(models.Model):
    """One line of a roadmap item's release checklist, with an owner and a due date. A doc
    line is done when a published doc for that audience, linked to the item, is verified;
    the others are ticked by hand."""

    class Kind(models.TextChoices):
        DOC_TEAM = "doc_team", "Team doc published and verified"
        DOC_STAKEHOLDERS = "doc_stakeholders", "Stakeholder doc published and verified"
        DOC_CUSTOMERS = "doc_customers", "Customer doc published and verified"
        SALES_BRIEFED = "sales_briefed", "Sales briefed"
        CS_BRIEFED = "cs_briefed", "Customer success briefed"
        SUPPORT_BRIEFED = "support_briefed", "Support briefed"
        TRAINING = "training", "Training held"
        ANNOUNCEMENT = "announcement", "Announcement out"

    DOC_AUDIENCE = {
        Kind.DOC_TEAM: Doc.Audience.TEAM,
        Kind.DOC_STAKEHOLDERS: Doc.Audience.STAKEHOLDERS,
        Kind.DOC_CUSTOMERS: Doc.Audience.CUSTOMERS,
    }

    item = models.ForeignKey(
        "roadmap.RoadmapItem", on_delete=models.CASCADE, related_name="readiness_checks"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readiness_checks",
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["item", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="one_readiness_check_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"


class ReadinessWaiver(models.Model):
    """A lead let an item ship with its checklist open; the reason is kept and shown."""

    item = models.OneToOneField(
        "roadmap.RoadmapItem", on_delete=models.CASCADE, related_name="readiness_waiver"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=limits.REASON)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.item} waived by {self.actor}"
