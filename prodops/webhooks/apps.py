from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "prodops.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"
    default_auto_field = "django.db.models.BigAutoField"
