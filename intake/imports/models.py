from django.conf import settings
from django.db import models


class RequestImport(models.Model):
    """One uploaded spreadsheet export and what became of it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded: map the columns"
        PREVIEWING = "previewing", "Checking rows"
        PREVIEWED = "previewed", "Checked: ready to import"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    # The file as uploaded (services.MAX_BYTES caps it in bytes; this in characters).
    content = models.TextField(max_length=50 * 1024 * 1024)
    columns = models.JSONField(default=list, help_text="The file's header row.")
    mapping = models.JSONField(default=dict, help_text="Request field → column of the file.")
    include_duplicates = models.BooleanField(
        default=False, help_text="Import likely duplicates too instead of skipping them."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    imported_count = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename or f"Import {self.pk}"

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def working(self) -> bool:
        return self.status in (self.Status.PREVIEWING, self.Status.IMPORTING)


class RequestImportRow(models.Model):
    """One line of the file: its values as mapped, and its fate."""

    class Fate(models.TextChoices):
        NEW = "new", "New"
        DUPLICATE = "duplicate", "Likely duplicate"
        ERROR = "error", "Error"

    batch = models.ForeignKey(RequestImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="Line number in the file (the header is 1).")
    values = models.JSONField(default=dict)
    fate = models.CharField(max_length=10, choices=Fate.choices)
    message = models.CharField(max_length=300, blank=True)
    duplicate_of = models.ForeignKey(
        "intake.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of_line = models.PositiveIntegerField(null=True, blank=True)
    request = models.ForeignKey(
        "intake.Request",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_rows",
        help_text="The request this line became.",
    )

    class Meta:
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="one_import_row_per_line")
        ]
        indexes = [models.Index(fields=["batch", "fate", "line"])]

    def __str__(self) -> str:
        return f"line {self.line}: {self.fate}"
