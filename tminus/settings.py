"""Django settings for T-Minus. Every value comes from the environment; see docs/settings.md."""

from datetime import timedelta
from pathlib import Path

from tminus.conf import (
    database_from_url,
    database_pool,
    env_bool,
    env_hosts_and_ranges,
    env_int,
    env_list,
    env_path,
    env_str,
    secret_key_for,
    sqlite_database,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("TMINUS_DATA_DIR", "./tminus-data")

DEBUG = env_bool("TMINUS_DEBUG", False)
SECRET_KEY = secret_key_for(DATA_DIR)
# Whether the key is the operator's (TMINUS_SECRET_KEY) rather than the data directory's file;
# backups carry only the file (tminus/core/backup.py).
SECRET_KEY_FROM_ENVIRONMENT = bool(env_str("TMINUS_SECRET_KEY", None))
ALLOWED_HOSTS = env_list("TMINUS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("TMINUS_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = env_str("TMINUS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
TIME_ZONE = env_str("TMINUS_TIME_ZONE", "UTC")
SECURE_COOKIES = env_bool("TMINUS_SECURE_COOKIES", False)
LOG_LEVEL = env_str("TMINUS_LOG_LEVEL", "INFO").upper()
# Seconds `tminus serve` gives open requests to finish when asked to stop (streams end at once).
SERVE_GRACEFUL_SECONDS = env_int("TMINUS_SERVE_GRACEFUL_SECONDS", 5, minimum=1)
WORKER_POLL_SECONDS = env_int("TMINUS_WORKER_POLL_SECONDS", 2, minimum=1)
WORKER_LEASE_SECONDS = env_int("TMINUS_WORKER_LEASE_SECONDS", 300, minimum=5)
# A worker survives failed rounds, waiting 1, 2, 4 … seconds up to this before the next try.
WORKER_BACKOFF_MAX_SECONDS = env_int("TMINUS_WORKER_BACKOFF_MAX_SECONDS", 10, minimum=1)
# A worker whose last good round is older than this is stale (/healthz, the admins' banner).
WORKER_STALE_SECONDS = env_int("TMINUS_WORKER_STALE_SECONDS", 60, minimum=5)
# Whether /healthz fails (503) when no worker is alive; off for a web tier run without workers.
HEALTH_REQUIRES_WORKER = env_bool("TMINUS_HEALTH_REQUIRES_WORKER", True)

# Mail goes out over a real SMTP connection.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("TMINUS_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("TMINUS_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("TMINUS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("TMINUS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TMINUS_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("TMINUS_SMTP_SSL", False)
EMAIL_TIMEOUT = env_int("TMINUS_SMTP_TIMEOUT", 15, minimum=1)
DEFAULT_FROM_EMAIL = env_str("TMINUS_MAIL_FROM", "T-Minus <tminus@localhost>")

_database_url = env_str("DATABASE_URL", "")
# PostgreSQL: each process (web or worker) keeps at most TMINUS_DB_POOL_MAX connections
# (docs/operations.md#sizing says how to size it against max_connections).
_database_pool = database_pool(
    min_size=env_int("TMINUS_DB_POOL_MIN", 2, minimum=0),
    max_size=env_int("TMINUS_DB_POOL_MAX", 10, minimum=1),
    timeout=env_int("TMINUS_DB_POOL_TIMEOUT", 10, minimum=1),
)
DATABASES = {
    "default": database_from_url(_database_url, pool=_database_pool)
    if _database_url
    else sqlite_database(DATA_DIR / "tminus.sqlite3")
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "csp",
    "django_htmx",
    "tminus.core",
    "tminus.accounts",
    "tminus.audit",
    "tminus.worker",
    "tminus.releases",
    "tminus.people",
    "tminus.readiness",
    "tminus.runbooks",
    "tminus.comms",
    "tminus.flags",
    "tminus.metrics",
    "tminus.rollouts",
    "tminus.outcomes",
    "tminus.roadmap",
    "tminus.reports",
    "tminus.plans",
    "tminus.testing",
    "tminus.environments",
    "tminus.meetings",
    "tminus.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: views answer an htmx request with the fragment it swaps in.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout found during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tminus.urls"
ASGI_APPLICATION = "tminus.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tminus.core.context.navigation",
                "tminus.worker.context.worker_banner",
            ],
        },
    }
]

# Sign-in lockout (django-axes): repeated failures lock the username at that address, and the
# address as a whole, for a cool-off (docs/settings.md). API tokens do not pass through here.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("TMINUS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TMINUS_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# A successful sign-in forgives that person's own failures only (tminus.accounts.lockouts), not
# those of everyone else at the address, as axes' own reset would.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "tminus.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tminus.accounts.lockouts.client_ip"
TRUSTED_PROXIES = env_int("TMINUS_TRUSTED_PROXIES", 0, minimum=0)
AXES_VERBOSE = False
# Unlocking goes through login_lockout_clear (audited), not axes' admin pages.
AXES_ENABLE_ADMIN = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
# Static files ship inside the package; WhiteNoise serves them from the app folders directly,
# so a pip install needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only, once cookies are: browsers then refuse plain HTTP to this host for a year.
_hsts_seconds = env_int("TMINUS_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_SECONDS = _hsts_seconds if SECURE_COOKIES else 0
# Behind TLS-terminating proxies, their X-Forwarded-Proto says whether the request was HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

# Content-Security-Policy on every response (django-csp): scripts and styles only from T-Minus'
# own static files, never inline; nothing loaded from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Outbound calls to URLs people saved (webhooks, KPI sources, Prometheus): internal addresses
# are refused unless listed here (tminus/core/outbound.py).
OUTBOUND_ALLOW = env_hosts_and_ranges("TMINUS_OUTBOUND_ALLOW", "")

# Outcomes: KPI check-ins and their Prometheus source (docs/outcomes.md).
PROMETHEUS_URL = env_str("TMINUS_PROMETHEUS_URL", "").rstrip("/")
PROMETHEUS_TIMEOUT_SECONDS = env_int("TMINUS_PROMETHEUS_TIMEOUT", 5, minimum=1)
KPI_CHECKIN_SCHEDULE = env_str("TMINUS_KPI_CHECKIN_SCHEDULE", "daily:7,weekly:4")
KPI_CHECKIN_POLL_SECONDS = env_int("TMINUS_KPI_CHECKIN_POLL_SECONDS", 300, minimum=10)

# Communication plan: sending, retries and checklist reminders (docs/communication.md).
COMMS_MAX_ATTEMPTS = env_int("TMINUS_COMMS_MAX_ATTEMPTS", 5, minimum=1)
COMMS_RETRY_SECONDS = env_int("TMINUS_COMMS_RETRY_SECONDS", 60, minimum=1)
COMMS_MISSED_AFTER_HOURS = env_int("TMINUS_COMMS_MISSED_AFTER_HOURS", 24, minimum=1)
COMMS_WEBHOOK_TIMEOUT = env_int("TMINUS_WEBHOOK_TIMEOUT", 10, minimum=1)
REMINDER_DAYS_BEFORE = env_int("TMINUS_REMINDER_DAYS_BEFORE", 2, minimum=0)

# Testing and UAT: JUnit uploads (docs/testing-and-training.md).
JUNIT_MAX_BYTES = env_int("TMINUS_JUNIT_MAX_BYTES", 20_000_000, minimum=1000)

# Feature flags: client API caches and the frontend API's browsers (docs/flags.md).
FLAGS_CACHE_SECONDS = env_int("TMINUS_FLAGS_CACHE_SECONDS", 1, minimum=0)
FLAGS_FRONTEND_ORIGINS = env_list("TMINUS_FLAGS_FRONTEND_ORIGINS", "*")
FLAGS_FRONTEND_ALL = env_bool("TMINUS_FLAGS_FRONTEND_ALL", False)
FLAGS_EVENT_RETENTION_DAYS = env_int("TMINUS_FLAGS_EVENT_RETENTION_DAYS", 7, minimum=1)
FLAGS_IMPORT_MAX_BYTES = env_int("TMINUS_FLAGS_IMPORT_MAX_BYTES", 10_000_000, minimum=1000)

# Metrics: events older than this are refused (late data would rewrite closed stage results).
EVENTS_MAX_AGE_HOURS = env_int("TMINUS_EVENTS_MAX_AGE_HOURS", 168, minimum=1)

# Deployment day: how often the live run page asks for the run's state.
RUN_POLL_SECONDS = env_int("TMINUS_RUN_POLL_SECONDS", 5, minimum=1)

# Staged rollouts: the worker's checks, post-launch check-ins, flag clean-up (docs/rollouts.md).
ROLLOUT_CHECK_SECONDS = env_int("TMINUS_ROLLOUT_CHECK_SECONDS", 3, minimum=1)
ROLLOUT_CHECKIN_DAYS = env_list("TMINUS_ROLLOUT_CHECKIN_DAYS", "7,30")
ROLLOUT_CLEANUP_AFTER_DAYS = env_int("TMINUS_ROLLOUT_CLEANUP_AFTER_DAYS", 14, minimum=1)
ROLLOUT_CLEANUP_DUE_DAYS = env_int("TMINUS_ROLLOUT_CLEANUP_DUE_DAYS", 14, minimum=1)
ROLLOUT_PAGE_POLL_SECONDS = env_int("TMINUS_ROLLOUT_PAGE_POLL_SECONDS", 5, minimum=1)
