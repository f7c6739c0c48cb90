"""Outgoing webhooks: endpoints admins register, the events sent to them, and the log of
every delivery attempt. Messages are signed as the Standard Webhooks specification says."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from .events import EVENT_TYPES


class Endpoint(models.Model):
    """Where events are sent, which ones, and the secrets that sign them. A rotated secret
    stays valid beside the new one until `previous_secret_expires_at`, so receivers can
    switch without losing a message."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = ArrayField(
        models.CharField(max_length=60, choices=[(e, e) for e in EVENT_TYPES]),
        help_text="The event types sent to this endpoint.",
    )
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failed attempt since the last success."
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["active"])]

    def __str__(self) -> str:
        return self.description or self.url


class Event(models.Model):
    """One thing that happened, in the product's words; its `message_id` is the
    `webhook-id` every endpoint receives for it, on every attempt, so receivers can drop
    a message they already handled."""

    message_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class Delivery(models.Model):
    """One event owed to one endpoint: exactly one row per pair, however often the sending
    code runs. Claimed by the rule of ``prodops.core.claims``."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "delivered"
        if self.failed_at:
            return "failed"
        return "pending"


class Attempt(models.Model):
    """The delivery log: one HTTP attempt, what was answered and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
