from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-app notification for one person; emailed too when they want email.

    `dedupe_key` makes a delivery happen at most once per recipient: a second insert with the
    same key and recipient is ignored by the unique constraint.
    """

    class Kind(models.TextChoices):
        STATUS_CHANGE = "status_change", "Status change"
        COMMENT = "comment", "Comment"
        MENTION = "mention", "Mention"
        REVIEW_DUE = "review_due", "Review due"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        BUFFER_ALERT = "buffer_alert", "Buffer alert"
        ROADMAP_CHANGED = "roadmap_changed", "Roadmap changed"
        GENERAL = "general", "General"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # NULL (not "") means "no key", so the partial unique constraint ignores keyless rows.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="one_notification_per_key_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


class NotificationEmail(models.Model):
    """The email of one notification, owed to its recipient: one row per email, created with
    the notification when the recipient wants email.

    Its state makes the email exactly-once even when a queued send is lost: `sent_at` is
    stamped under a row lock in the transaction that sends, `attempts` counts every claimed
    send (a crash included), and `failed_at` with `last_error` records giving up. The primary
    key is the notification's id, so a queued send names either."""

    notification = models.OneToOneField(
        Notification, primary_key=True, on_delete=models.CASCADE, related_name="email"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notification_email_unsent",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Email of notification {self.notification_id}"
