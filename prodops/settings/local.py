"""Development settings: `make run` and `manage.py` on a developer machine."""

import os

from prodops.embedded_pg import ensure_database_url

if not os.environ.get("DATABASE_URL"):
    ensure_database_url()

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
