"""Customer outreach: the accounts and contacts the company talks to, the plans teams make to
reach them, and every touch, so one contact budget can hold across all teams."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from prodops.core import limits


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    VIDEO = "video", "Video call"
    IN_APP = "in_app", "In-app message"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


class Account(models.Model):
    """A customer company. An open escalation or a renewal close by puts all its contacts in
    a blackout (outreach.budget)."""

    class Segment(models.TextChoices):
        ENTERPRISE = "enterprise", "Enterprise"
        MID_MARKET = "mid_market", "Mid-market"
        SMB = "smb", "Small business"

    class Health(models.TextChoices):
        GOOD = "good", "Healthy"
        AT_RISK = "at_risk", "At risk"
        POOR = "poor", "Poor"

    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.MID_MARKET)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    renewal_date = models.DateField(null=True, blank=True)
    health = models.CharField(max_length=20, choices=Health.choices, default=Health.GOOD)
    open_escalation = models.BooleanField(default=False)
    # The price plans the account is on: a price change in flight for one of them puts the
    # account in a blackout (outreach.blackouts).
    price_plans = models.ManyToManyField(
        "pricing.Plan", blank=True, related_name="customer_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="outreach_account_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:account", args=[self.pk])


class Contact(models.Model):
    """A person at an account. Erased on request: name, email and role are blanked and
    `erased_at` set; their touches stay, anonymous."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    opted_out = models.BooleanField(default=False)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="outreach_contact_email_unique",
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return f"Erased contact #{self.pk}"
        return self.name or self.email or f"Contact #{self.pk}"


class OutreachPlan(models.Model):
    """A team's plan to reach some accounts or contacts for one purpose, and what it serves."""

    class Purpose(models.TextChoices):
        RESEARCH = "research_interview", "Research interview"
        BETA = "beta_invite", "Beta invite"
        SURVEY = "survey", "Survey"
        PRICING = "pricing_notice", "Pricing notice"
        ANNOUNCEMENT = "announcement", "Announcement"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="outreach_plans"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    starts_on = models.DateField()
    ends_on = models.DateField()
    accounts = models.ManyToManyField(Account, blank=True, related_name="plans")
    contacts = models.ManyToManyField(Contact, blank=True, related_name="plans")
    request = models.ForeignKey(
        "intake.Request",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_plans",
    )
    roadmap_item = models.ForeignKey(
        "roadmap.RoadmapItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_plans",
    )
    serves = models.CharField(
        max_length=300,
        blank=True,
        help_text="What this outreach serves, in a sentence (a price change, a metric…).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:plan", args=[self.pk])


class Touch(models.Model):
    """One contact with one person on one day. Kept for good: past a limit it also keeps the
    lead who allowed it and why."""

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NO_ANSWER = "no_answer", "No answer"
        DECLINED = "declined", "Declined"
        SCHEDULED = "scheduled", "Meeting scheduled"
        COMPLETED = "completed", "Completed"

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="touches")
    # The contact's account when touched, so the account's cap and timeline need no join.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="touches")
    plan = models.ForeignKey(
        OutreachPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    on = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.REACHED)
    notes = models.TextField(blank=True, max_length=limits.NOTES)
    override_reason = models.CharField(max_length=500, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["contact", "on"], name="outreach_touch_contact_on"),
            models.Index(fields=["account", "on"], name="outreach_touch_account_on"),
            models.Index(fields=["plan", "on"], name="outreach_touch_plan_on"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} on {self.on}"


class RequestAccount(models.Model):
    """A customer account a request is about (kept here, so intake needs no outreach).
    Stakeholders who may read the request see the account's name, and nothing else of it."""

    request = models.ForeignKey(
        "intake.Request", on_delete=models.CASCADE, related_name="account_links"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="request_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "account"], name="outreach_request_account")
        ]

    def __str__(self) -> str:
        return f"#{self.request_id} · {self.account}"
