from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = "Customer outreach"

    def ready(self) -> None:
        # Registers the price-change blackout with the contact budget.
        from . import blackouts  # noqa: F401
