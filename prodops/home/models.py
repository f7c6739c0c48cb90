from django.conf import settings
from django.db import models


class RoadmapVisit(models.Model):
    """When a person last looked at the stakeholder roadmap, so home can list what changed
    on it since."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadmap_visit"
    )
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw the roadmap at {self.seen_at:%Y-%m-%d %H:%M}"
