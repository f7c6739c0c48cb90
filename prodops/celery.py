"""The Celery app: configured from Django settings (CELERY_ prefix), tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prodops.settings.local")

app = Celery("prodops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
