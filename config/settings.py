"""Settings, all read from the environment; the README documents every variable."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from rpl.lib.env import ConfigError, env_bool, env_int, env_list, env_str, secret_key_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RPL_VAR_DIR", str(BASE_DIR / "var")))

RPL_ENV = env_str("RPL_ENV", "development")
if RPL_ENV not in {"development", "production"}:
    raise ConfigError(f"RPL_ENV={RPL_ENV!r}: use development or production")
PRODUCTION = RPL_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigError("SECRET_KEY must be set in production (RPL_ENV=production)")
    SECRET_KEY = secret_key_file(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# How many days before a task's deadline its holder (or its pool) is reminded.
WORKFLOW_REMINDER_DAYS = env_int("WORKFLOW_REMINDER_DAYS", 2)
SITE_NAME = env_str("SITE_NAME", "RPL")
# A task nobody has taken for this many hours is flagged as needing staff (one nobody eligible
# can take is flagged at once); administrators get a digest of cases without progress for
# WORKFLOW_STALL_DAYS days.
WORKFLOW_UNTAKEN_HOURS = env_int("WORKFLOW_UNTAKEN_HOURS", 48)
WORKFLOW_STALL_DAYS = env_int("WORKFLOW_STALL_DAYS", 7)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "rpl.accounts",
    "rpl.audit",
    "credentials",
    "evidence",
    "assessments",
    "workflows",
    "quality",
    "api",
    "webhooks",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "rpl.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Each gunicorn worker keeps its connection; a broken one is replaced before a request.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves requests side by side: WAL lets readers run beside the one writer, and
    # every transaction takes the write lock when it begins (IMMEDIATE), so a second writer waits
    # up to the busy timeout instead of failing midway with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered fragments of public pages and API rate limits. Several servers need one shared cache:
# CACHE_URL=redis://host:6379/1; without it each process keeps its own in memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rpl"}
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
# How many days the link of an invitation to a staff account lets the person choose a password.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# EU wallets (OpenID4VCI): how long a credential offer lasts; whether it asks for the code shown.
WALLET_OFFER_MINUTES = env_int("WALLET_OFFER_MINUTES", 10)
WALLET_OFFER_TX_CODE = env_bool("WALLET_OFFER_TX_CODE", True)
# Europass: a dotted path to the operator's sealer of ELM credentials (an eIDAS seal), or none.
ELM_SEALER = env_str("ELM_SEALER") or None

# django-guardian: no anonymous user row; nothing is ever granted to anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# django-axes: throttle repeated failed log-ins per account and address.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Failures count against the address as log-in finds it (spaces, case and NFKC ignored).
AXES_USERNAME_CALLABLE = "rpl.accounts.identifiers.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True
# Dates and times in European order with the time zone, the same way on every page and e-mail.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))

EVIDENCE_STORAGE_ROOT = Path(env_str("EVIDENCE_STORAGE_ROOT", str(VAR_DIR / "evidence")))
# Issuer private keys are stored encrypted with a key derived from this (or SECRET_KEY).
CREDENTIAL_KEY_ENCRYPTION_KEY = env_str("CREDENTIAL_KEY_ENCRYPTION_KEY")
# The audit chain's events are HMACs and its checkpoints are signed with a key derived from this
# (or from SECRET_KEY when it is not set: check --deploy warns in production). Keep it outside the
# database and never change it: events and checkpoints made with it verify only with it.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY")
# Signed checkpoints of the chain head are appended here (and e-mailed to quality officers).
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE") or str(VAR_DIR / "audit-checkpoints.log")
)

EVIDENCE_MAX_FILE_MB = env_int("EVIDENCE_MAX_FILE_MB", 100)
EVIDENCE_QUOTA_MB = env_int("EVIDENCE_QUOTA_MB", 1024)
# An unfinished chunked upload with no chunk for this many hours is abandoned: the sweep deletes
# it with its partial file, and partial files no upload owns once they are as old.
EVIDENCE_ABANDONED_UPLOAD_HOURS = env_int("EVIDENCE_ABANDONED_UPLOAD_HOURS", 24)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    },
    # Evidence is never served from a public URL: only a permission-checked view streams it.
    "evidence": {
        "BACKEND": env_str(
            "EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": {"location": str(EVIDENCE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RPL <noreply@localhost>")

# Celery: with no broker, jobs run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Jobs survive a killed worker (docs/decisions/0011-jobs-survive-crashes.md): a message is
# acknowledged only once its job has run, a worker process that dies mid-job gives its message
# back, and with Redis a message a dead worker held is delivered again after the visibility
# timeout. Every job is therefore safe to run twice. The timeout must be longer than the longest
# countdown a job waits (retries: at most 10 minutes); a redelivery to a second worker while the
# first still runs is harmless (leases and claims), only wasted work. RabbitMQ gives a dead
# consumer's messages back at once; raise its consumer_timeout (30 min) above the longest job.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A running bulk-issuing job is held by its worker for this long, renewed with every row; when a
# worker dies, another takes the job over once it runs out (credentials.bulk.jobs).
BULK_ISSUE_LEASE_SECONDS = env_int("BULK_ISSUE_LEASE_SECONDS", 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Modules that hold background jobs; a worker imports them at start.
CELERY_IMPORTS = [
    "rpl.accounts.jobs",
    "rpl.audit.jobs",
    "credentials.bulk.jobs",
    "evidence.uploads.jobs",
    "assessments.online_tests.jobs",
    "workflows.jobs",
    "webhooks.jobs",
]
CELERY_BEAT_SCHEDULE = {
    "fire-workflow-timers": {"task": "workflows.jobs.fire_workflow_timers", "schedule": 60.0},
    "send-due-webhooks": {"task": "webhooks.jobs.send_due_webhooks", "schedule": 60.0},
    "send-deadline-reminders": {
        "task": "workflows.jobs.send_deadline_reminders",
        "schedule": 3600.0,
    },
    "send-stall-digest": {"task": "workflows.jobs.send_stall_digest", "schedule": 86400.0},
    "write-audit-checkpoint": {"task": "rpl.audit.jobs.write_checkpoint", "schedule": 86400.0},
}

CELERY_BEAT_SCHEDULE["sweep-abandoned-uploads"] = {
    "task": "evidence.uploads.jobs.sweep_abandoned_uploads",
    "schedule": 3600.0,
}

# Bulk-issuing jobs whose worker died (lease ran out) or whose message was lost: send them again.
CELERY_BEAT_SCHEDULE["reclaim-stale-bulk-jobs"] = {
    "task": "credentials.bulk.jobs.reclaim_stale_jobs",
    "schedule": 60.0,
}

# Security headers. CSP allows only our own scripts and styles: no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Webhooks (rpl.webhooks, docs/webhooks.md) ---
# Webhooks go to public addresses only, in every mode; this allows this machine (loopback) too.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", PRODUCTION)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# Attempts per delivery, the first included; retries wait 1 min, 5 min, 30 min, 2 h, then 12 h.
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 6)

# Meetings and identity checks: identity documents, the sweeper, electronic ID adapters.
RPL_IDENTITY_DOCUMENT_MAX_MB = env_int("RPL_IDENTITY_DOCUMENT_MAX_MB", 10)
RPL_IDENTITY_ADAPTERS = env_list(
    "RPL_IDENTITY_ADAPTERS",
    ["workflows.identity.adapters.oidc.OpenIDConnectAdapter"] if env_str("RPL_OIDC_ISSUER") else [],
)
RPL_OIDC = {
    "KEY": env_str("RPL_OIDC_KEY", "oidc"),
    "LABEL": env_str("RPL_OIDC_LABEL"),
    "ISSUER": env_str("RPL_OIDC_ISSUER"),
    "CLIENT_ID": env_str("RPL_OIDC_CLIENT_ID"),
    "CLIENT_SECRET": env_str("RPL_OIDC_CLIENT_SECRET"),
    # Empty: read from the issuer's /.well-known/openid-configuration.
    "AUTHORIZATION_ENDPOINT": env_str("RPL_OIDC_AUTHORIZATION_ENDPOINT"),
    "TOKEN_ENDPOINT": env_str("RPL_OIDC_TOKEN_ENDPOINT"),
    "JWKS_URI": env_str("RPL_OIDC_JWKS_URI"),
    "TOKEN_AUTH": env_str("RPL_OIDC_TOKEN_AUTH", "client_secret_basic"),
    "SCOPES": env_str("RPL_OIDC_SCOPES", "openid profile"),
    "ACR_VALUES": env_str("RPL_OIDC_ACR_VALUES"),
    "ALGORITHMS": env_list("RPL_OIDC_ALGORITHMS", ["RS256", "PS256", "ES256", "EdDSA"]),
    # Levels of assurance: the claim that carries it, extra "value=low|substantial|high" pairs
    # beside the eIDAS URIs, the level when the claim is missing, and the lowest level accepted.
    "LOA_CLAIM": env_str("RPL_OIDC_LOA_CLAIM", "acr"),
    "LOA_MAP": dict(pair.split("=", 1) for pair in env_list("RPL_OIDC_LOA_MAP", [])),
    "DEFAULT_LOA": env_str("RPL_OIDC_DEFAULT_LOA", "low"),
    "MIN_LOA": env_str("RPL_OIDC_MIN_LOA", "low"),
    "TIMEOUT": env_int("RPL_OIDC_TIMEOUT_SECONDS", 10),
}
CELERY_BEAT_SCHEDULE["sweep-identity-documents"] = {
    "task": "workflows.jobs.sweep_identity_documents",
    "schedule": 3600.0,
}

# REST API (/api/v1/): the rate limit of public operations per client address, like "60/min";
# behind a proxy, API_NUM_PROXIES says how many set X-Forwarded-For (0: use the peer address).
API_PUBLIC_RATE = env_str("API_PUBLIC_RATE", "120/min")
NINJA_NUM_PROXIES = env_int("API_NUM_PROXIES", 0)

# Online tests (assessments): close attempts left open past their time limit, so cases move on.
CELERY_BEAT_SCHEDULE["close-expired-test-attempts"] = {
    "task": "assessments.online_tests.jobs.close_expired_attempts",
    "schedule": 60.0,
}
