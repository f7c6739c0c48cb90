"""Settings for the HTTP benchmark (bench/http_load.py): production, served over plain HTTP on
loopback, with a hello-world view mounted beside the app (bench/http_urls.py) as the yardstick.

Only the HTTP benchmark loads this module; the hello-world view exists nowhere else."""

from prodops.settings.production import *  # noqa: F403

# The benchmark talks plain HTTP to 127.0.0.1: no redirect to HTTPS, no HSTS header. Cookies
# marked Secure are still sent by the load tool, which copies the session cookie by hand.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
ROOT_URLCONF = "http_urls"
# Every request would print a line; the load tool's numbers are what count.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
