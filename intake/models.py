from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Lower

from prodops.core import limits


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    NEEDS_INFO = "needs_info", "Needs info"
    TRIAGED = "triaged", "Triaged"
    SCORED = "scored", "Scored"
    ACCEPTED = "accepted", "Accepted"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    MEASURED = "measured", "Measured"
    DECLINED = "declined", "Declined"
    DUPLICATE = "duplicate", "Duplicate"
    DEFLECTED = "deflected", "Deflected"
    PARKED = "parked", "Parked"


class Request(models.Model):
    """Something a stakeholder asks the ops team for; it moves through the lifecycle in
    intake.lifecycle."""

    class Audience(models.TextChoices):
        INTERNAL = "internal", "Internal stakeholders"
        EXTERNAL = "external", "External customers"
        BOTH = "both", "Both"

    class Category(models.TextChoices):
        NEW_CAPABILITY = "new_capability", "New capability"
        CHANGE = "change", "Change"
        FIX = "fix", "Fix"
        DATA_REPORTING = "data_reporting", "Data & reporting"
        ENABLEMENT_DOCS = "enablement_docs", "Enablement & docs"
        PRICING = "pricing", "Pricing"
        OTHER = "other", "Other"

    class Source(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        IMPORT = "import", "Import"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=limits.MARKDOWN, help_text="Markdown.")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_made"
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    audience = models.CharField(
        "for whom", max_length=20, choices=Audience.choices, default=Audience.INTERNAL
    )
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    desired_date = models.DateField(null=True, blank=True)
    objective = models.ForeignKey(
        "outcomes.Objective",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB)
    visible_to_stakeholders = models.BooleanField(
        default=True, help_text="Other stakeholders may see and vote on this request."
    )
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests_assigned",
    )
    # The ops team the request belongs to: suggested by the routing rules, set or changed at
    # triage (intake.services.request_set_team), required past triage (lifecycle.TEAM_REQUIRED).
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_requests"
    )
    status_reason = models.TextField(
        blank=True, max_length=limits.REASON, help_text="Reason given with the last status change."
    )
    revisit_on = models.DateField(
        null=True, blank=True, help_text="When a parked request is looked at again."
    )
    first_triaged_at = models.DateTimeField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(default=0, db_index=True)
    # Votes counted elsewhere before the request was imported (no person to tie them to);
    # vote_count includes them.
    imported_votes = models.PositiveIntegerField(default=0)
    # Kept up to date by the scoring service so the backlog can sort in the database.
    score = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Nearest-first similar-title search (intake.selectors.request_similar).
            GistIndex(
                fields=["title"], name="request_title_trgm_gist", opclasses=["gist_trgm_ops"]
            ),
            # Titles within a typo of the query (prodops.search.similar): GIN answers `%>`
            # in well under a millisecond where the GiST above reads tens of thousands of
            # titles. On lower(title) so the planner cannot pick the GiST for it instead.
            GinIndex(OpClass(Lower("title"), name="gin_trgm_ops"), name="request_title_trgm_gin"),
            GinIndex(
                SearchVector("title", weight="A", config="english")
                + SearchVector("description", weight="B", config="english"),
                name="request_search",
            ),
            models.Index(fields=["status", "-created_at"], name="request_status_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def time_to_triage(self):
        """Submitted → first triage decision, or None while untriaged."""
        if self.first_triaged_at is None:
            return None
        return self.first_triaged_at - self.created_at


class StatusChange(models.Model):
    """One move through the lifecycle, with who made it and why."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    reason = models.TextField(blank=True, max_length=limits.REASON)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Vote(models.Model):
    """A +1 from one person, with an optional note on why it matters."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    note = models.CharField("why it matters", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    moved_from = models.ForeignKey(
        Request,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The request the vote was first cast on, when a merge moved it here.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "voter"], name="one_vote_per_person")
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"+1 by {self.voter_id} on #{self.request_id}"


class Watcher(models.Model):
    """A person told about changes to a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watching"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="one_watch_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches #{self.request_id}"


class Comment(models.Model):
    """A comment (Markdown) on a request; internal notes are never shown to stakeholders."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=limits.COMMENT)
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    moved_from = models.ForeignKey(
        Request,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The request the comment was first written on, when a merge moved it here.",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on #{self.request_id}"


class RoutingRule(models.Model):
    """A lead's rule: requests of this category and/or department go to this team. The most
    specific matching rule wins (see intake.routing.rules.routing_suggest)."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.CharField(
        max_length=30,
        choices=Request.Category.choices,
        blank=True,
        help_text="Empty matches every category.",
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text="Empty matches every department.",
    )
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Among equally specific rules, the lower number wins."
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category="") | models.Q(department__isnull=False),
                name="routing_rule_matches_something",
            ),
            # One rule per match, so which rule wins is never a tie between identical rules.
            models.UniqueConstraint(
                fields=["category", "department"],
                name="one_routing_rule_per_match",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_category_display() if self.category else "", str(self.department or "")]
        return " + ".join(p for p in parts if p) + f" → {self.team}"


from .assessments import Assessment, AssessmentRevision, ScoringModel  # noqa: E402
from .imports.models import RequestImport, RequestImportRow  # noqa: E402

__all__ = [
    "Assessment",
    "AssessmentRevision",
    "Comment",
    "Request",
    "RequestImport",
    "RequestImportRow",
    "RequestStatus",
    "RoutingRule",
    "ScoringModel",
    "StatusChange",
    "Vote",
    "Watcher",
]
