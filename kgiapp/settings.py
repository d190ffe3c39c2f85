"""Settings read from the environment; absent services fall back to embedded ones.

DATABASE_URL absent -> a SQLite file; REDIS_URL absent -> Celery runs tasks eagerly.
Production hardening lives in kgiapp/settings_production.py.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# The fallback key is for local runs only; production settings refuse it.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    # Optional two-factor sign-in for admins (TOTP devices; teams/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # django-ninja's own Swagger UI files (otherwise /api/v1/docs loads them from a CDN).
    "ninja",
    # Ground floor first; each app imports only from the ones above it in this list.
    "core",
    "teams",
    "metrics",
    "customers",
    "okrs",
    "reviews",
    "notifications",
    "kgiapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A login waiting for its two-factor code reaches only the code page.
    "kgiapp.middleware.TwoFactorMiddleware",
    "core.middleware.ConstraintMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a refused login (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kgiapp.urls"
WSGI_APPLICATION = "kgiapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kgiapp.context_processors.navigation",
            ],
            "builtins": ["kgiapp.templatetags.kgi"],
        },
    }
]

# An empty DATABASE_URL (``DATABASE_URL= make …``, an env file's blank line) means absent.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60, conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the eager Celery path and the web share the file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The pages' fixed reads are prepared statements on PostgreSQL (core.prepared); 0 turns
# that off for a connection pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, first in AUTHENTICATION_BACKENDS below): failures are
# counted per account and per IP address separately; either reaching the limit refuses
# further attempts until the cool-off ends, even with the right password. A successful login
# clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kgiapp.views.errors.login_locked_out"
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entry to trust.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", 0)) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [Path(os.environ.get("KGI_LOCALE_DIR", BASE_DIR / "locale"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kgi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Email: the console by default (make run); set EMAIL_HOST to send through an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kgiapp <noreply@kgiapp.local>")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
NOTIFY_MESSAGE_DOMAIN = os.environ.get("NOTIFY_MESSAGE_DOMAIN", "kgiapp.local")
# A Fernet key for the stored Slack/Teams webhook URLs; derived from SECRET_KEY when unset.
NOTIFY_FERNET_KEY = os.environ.get("NOTIFY_FERNET_KEY", "")
# The address people open kgiapp at; links in emails are built from it, never from the
# request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Single sign-on (OpenID Connect): on when a client id and the provider's endpoints are set.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "") or None
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_TIMEOUT = 10
OIDC_USERNAME_ALGO = "kgiapp.sso.sso_username"
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso/refused/"
AUTHENTICATION_BACKENDS = [
    "core.throttle.LoginThrottleBackend",  # refuses a throttled login before the others
    "django.contrib.auth.backends.ModelBackend",
] + (
    ["kgiapp.sso.InvitationOidcBackend"] if OIDC_ENABLED else [])

# Once the first company exists, may anyone sign up and create a company? (Otherwise
# people join by invitation and instance admins create companies.)
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", default=False)
# The API's interactive docs (/api/v1/docs) for anyone, not only signed-in people.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=False)

# Uploads: the importers enforce their own limits; keep Django's below them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# A measurement import is streamed (metrics.import_stream): a million rows fit in memory
# that does not grow with the file. The 1M-row long file of bench/import_bench.py is 23 MB.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 32 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 1_000_000))

# Content-Security-Policy: no inline script anywhere; charts read JSON from
# <script type="application/json"> and are drawn by static/js files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bars and progress widths are set with style attributes, never <style> blocks.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Sources (metrics.sources): hosts outbound fetches may reach although they resolve to a
# private or loopback address (comma-separated), and the Fernet key for stored credentials
# (derived from SECRET_KEY when unset).
SOURCES_ALLOWED_HOSTS = env_list("SOURCES_ALLOWED_HOSTS")
SOURCES_SECRET_KEY = os.environ.get("SOURCES_SECRET_KEY", "")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 900
CELERY_TASK_TIME_LIMIT = 1200
# A message is redelivered when not acknowledged within this time: just above the longest
# task's hard limit, so a running task is never handed to a second worker, and a killed
# worker's task comes back within 25 minutes (the import reaper resends imports sooner).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
# With the broker down, give up sending after ~1 s instead of ~20 s: the rows wait for the
# reaper (core.queue).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0,
                                    "interval_step": 0.5, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# Task modules autodiscovery (each app's tasks.py) does not find: tasks that live next to
# the service that enqueues them, so the service need not import a module importing it.
CELERY_IMPORTS = ("reviews.reforecast.tasks", "metrics.sources.tasks")
CELERY_BEAT_SCHEDULE = {
    # Every Monday morning each team finds this week's review waiting (idempotent).
    "reviews-open-weekly": {
        "task": "reviews.tasks.open_weekly_reviews",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
    # Import work whose worker died, or that was stored while the broker was down.
    "imports-reap": {
        "task": "metrics.tasks.imports_reap_task",
        "schedule": 60.0,
    },
    # Reforecasts, source runs and notification sends whose worker died, or that were
    # stored while the broker was down (core.recovery holds; each app's recovery.py).
    "reforecast-reap": {
        "task": "reviews.reforecast.tasks.reforecast_reap",
        "schedule": 60.0,
    },
    "sources-reap": {
        "task": "metrics.sources.tasks.sources_reap",
        "schedule": 60.0,
    },
    "roster-reap": {
        "task": "customers.tasks.roster_reap_task",
        "schedule": 60.0,
    },
    "notifications-reap": {
        "task": "notifications.tasks.notifications_reap",
        "schedule": 60.0,
    },
    # The dashboard's count deltas (metrics.facts.counts) folded, so a load sums a few rows.
    "fact-counts-compact": {
        "task": "metrics.tasks.fact_counts_compact",
        "schedule": 600.0,
    },
    # Every night the anomaly detector looks at the latest numbers of every company.
    "anomalies-nightly": {
        "task": "metrics.tasks.anomalies_nightly",
        "schedule": crontab(minute=30, hour=2),
    },
    # On the 1st of each month every company gets its immutable reforecast snapshot.
    # Every five minutes the sources whose schedule came due run (each slot runs once).
    "sources-due": {
        "task": "metrics.sources.tasks.sources_run_due",
        "schedule": crontab(minute="*/5"),
    },
    "reforecast-monthly": {
        "task": "reviews.reforecast.tasks.reforecast_monthly",
        "schedule": crontab(minute=0, hour=4, day_of_month="1"),
    },
    # The idempotency keys of forms posted more than a day ago (teams.idempotency).
    "form-keys-forget": {
        "task": "teams.tasks.form_keys_forget",
        "schedule": crontab(minute=15, hour=3),
    },
    # Reminders, escalations, digests and reports: whatever has come due, then sent.
    "notifications-tick": {
        "task": "notifications.tasks.notifications_tick",
        "schedule": crontab(minute="*/5"),
    },
}

# Cache: what pages compute from a company's data, under its data token (kgiapp.dataversion).
# With Redis, web processes share it ("default") and each keeps a small copy of what it
# read ("local"), which the token in every key keeps correct; without Redis each process
# has only its own.
_LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 500},
}
CACHES = {
    "default": {
        # Redis unreachable → a miss, logged once per 30 s: pages compute from the database.
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "kgiapp",
        "TIMEOUT": 3600,
        # Fail fast when Redis is away.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "local": _LOCAL_CACHE,
} if REDIS_URL else {"default": _LOCAL_CACHE}

# The text assistant: the built-in provider unless an OpenAI-compatible one is set.
ASSIST_BASE_URL = os.environ.get("ASSIST_BASE_URL", "")
ASSIST_API_KEY = os.environ.get("ASSIST_API_KEY", "")
ASSIST_MODEL = os.environ.get("ASSIST_MODEL", "")
ASSIST_TIMEOUT = float(os.environ.get("ASSIST_TIMEOUT", "20"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <body> hx-headers, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Two-factor sign-in: the name authenticator apps show next to the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "kgiapp")
