"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path

import environ

from prodops.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DATA_DIR = Path(env.str("PRODOPS_DATA_DIR", default=str(BASE_DIR / ".devdata")))

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "prodops.accounts",
    "prodops.core",
    "prodops.activity",
    "prodops.notifications",
    "prodops.reviews",
    "prodops.home",
    "prodops.webhooks",
    "intake",
    "roadmap",
    "outcomes",
    "docs_hub",
    "pricing",
    "packs",
    "outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prodops.core.middleware.RejectNulInQueryMiddleware",
    "prodops.core.middleware.HtmxMessagesMiddleware",
    "prodops.core.middleware.ApiDatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "prodops.urls"
WSGI_APPLICATION = "prodops.wsgi.application"
ASGI_APPLICATION = "prodops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prodops.core.context_processors.navigation",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "prodops.core.templatetags.prodops_tags",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/prodops")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lockout (prodops.accounts.signin): failures per username / per client address
# before further attempts are refused, for this many minutes after the last failure.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# API tokens work this many hours after they are issued (prodops.accounts.tokens).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 30)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Hot pages and API lists are served from the cache while nothing they read has changed
# (prodops.core.response_cache): off here, on in production. Entries live at most this many
# seconds (and never past the minute they were made in); RESPONSE_CACHE_VERSION names the release (by default a digest of the code and settings).
RESPONSE_CACHE = env.bool("RESPONSE_CACHE", default=False)
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=60)
RESPONSE_CACHE_VERSION = env.str("RESPONSE_CACHE_VERSION", default="")
# Django's database sessions, reading the snapshot for the response cache as they load.
SESSION_ENGINE = "prodops.core.sessions"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="prodops <noreply@prodops.local>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A mail server that stops answering fails the send (recorded, retried by the sweep) instead
# of holding the email's row and a worker until the task's time limit.
EMAIL_TIMEOUT = 30
# A notification email not sent this long after it was queued (or last tried) is queued
# again by the periodic sweep; after EMAIL_MAX_ATTEMPTS tries it is recorded as failed.
# Outgoing webhooks go only to public addresses, except to the hosts named here.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
# An endpoint whose every attempt failed for this many days is switched off.
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=5)
EMAIL_RETRY_AFTER_MINUTES = env.int("EMAIL_RETRY_AFTER_MINUTES", default=10)
# The contact budget every team shares (outreach.budget.preflight).
OUTREACH_CONTACT_MAX_TOUCHES = env.int("OUTREACH_CONTACT_MAX_TOUCHES", default=2)
OUTREACH_CONTACT_WINDOW_DAYS = env.int("OUTREACH_CONTACT_WINDOW_DAYS", default=30)
OUTREACH_COOLDOWN_DAYS = env.int("OUTREACH_COOLDOWN_DAYS", default=14)
OUTREACH_ACCOUNT_MAX_TOUCHES = env.int("OUTREACH_ACCOUNT_MAX_TOUCHES", default=6)
OUTREACH_ACCOUNT_WINDOW_DAYS = env.int("OUTREACH_ACCOUNT_WINDOW_DAYS", default=30)
OUTREACH_RENEWAL_BLACKOUT_DAYS = env.int("OUTREACH_RENEWAL_BLACKOUT_DAYS", default=30)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)

# Celery: one place for broker, serialization, limits and the periodic schedule.
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # With late acks a message stays unacknowledged while its task runs; Redis hands it out
    # again when that lasts longer than this, which is how a task of a worker that died
    # comes back. No task is queued with a countdown or ETA, so three hard time limits
    # is ample for a live worker and brings a lost task back in 15 minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * CELERY_TASK_TIME_LIMIT}
else:
    # A folder-backed broker needs no server, so `make run` works on a bare machine.
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # kombu does not create its folders; a worker on a new data folder would crash without them.
    for _name in ("queue", "processed", "control"):
        (_broker_dir / _name).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Every task is idempotent (sends are claimed exactly once by their rows, sweeps and the
# heartbeat may run twice), so a task is acknowledged only after it ran, is given back when
# its worker process dies, and is stopped and given back when the broker connection drops
# (Celery 6's default) rather than finishing beside its own redelivery.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic schedule lives in one place: prodops/schedule.py.
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 with `WWW-Authenticate`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "prodops.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies are JSON objects (an endpoint that takes CSV says so itself). Form encoding has no
    # null, so a form's empty `objective=` would have to mean one; JSON says what it means.
    "DEFAULT_PARSER_CLASSES": ["prodops.core.parsers.ObjectJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "prodops.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "prodops.core.schema.ProdopsAutoSchema",
    "EXCEPTION_HANDLER": "prodops.core.api_errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "prodops API",
    "DESCRIPTION": "Requests, scoring, roadmaps, outcomes, docs and reviews for an ops team.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field: signed-in users only (the docs page sends
    # anonymous visitors to the login page, see prodops/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The interactive docs load Swagger UI from our static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set, so clients see "RequestStatus" rather than a hash.
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "intake.models.RequestStatus",
        "ObjectiveStatusEnum": "outcomes.models.Objective.Status",
        "ScoringModelKindEnum": "intake.assessments.ScoringModel.Kind",
        "ReviewPackStatusEnum": "packs.models.ReviewPack.Status",
        "TouchOutcomeEnum": "outreach.models.Touch.Outcome",
        "RevisitOutcomeEnum": "outcomes.models.Revisit.Outcome",
        "RequestAudienceEnum": "intake.models.Request.Audience",
        "ReadinessCheckKindEnum": "docs_hub.models.ReadinessCheck.Kind",
        "UnplannedCategoryEnum": "roadmap.models.UnplannedEntry.Category",
        "RequestCategoryEnum": "intake.models.Request.Category",
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Quarterly review packs: the lead is reminded this many days before a quarter ends, and a
# deflected request counts as this many hours of handling saved.
PACKS_REMINDER_DAYS_BEFORE_QUARTER_END = env.int(
    "PACKS_REMINDER_DAYS_BEFORE_QUARTER_END", default=14
)
PACKS_DEFLECTION_HANDLING_HOURS = env.float("PACKS_DEFLECTION_HANDLING_HOURS", default=2.0)
# Outcomes: a metric is on track while its progress is at most this far (a share of the whole
# baseline→target distance) behind the straight line from baseline date to target date, at risk
# up to the second figure behind, off track beyond. Revisits: days after shipping.
OUTCOMES_ON_TRACK_TOLERANCE = env.float("OUTCOMES_ON_TRACK_TOLERANCE", default=0.10)
OUTCOMES_AT_RISK_TOLERANCE = env.float("OUTCOMES_AT_RISK_TOLERANCE", default=0.25)
OUTCOMES_REVISIT_DAYS = env.list("OUTCOMES_REVISIT_DAYS", cast=int, default=[30, 90])
