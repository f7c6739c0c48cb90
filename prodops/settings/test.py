"""Test settings: a real PostgreSQL (the embedded one when DATABASE_URL is unset)."""

import os

from prodops.embedded_pg import ensure_database_url

if not os.environ.get("DATABASE_URL"):
    ensure_database_url()

from .base import *  # noqa: F403
from .base import REDIS_URL

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run inline unless a test starts a real worker; the broker stays configured for those.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TEST_REDIS_URL = REDIS_URL
