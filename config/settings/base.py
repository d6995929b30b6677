"""Settings read from the environment; defaults give a working SQLite install under var/."""

import ipaddress
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("AMENDS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Take SECRET_KEY from the environment, else generate one on first start and keep it."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "amends.accounts.apps.AdminConfig",  # django.contrib.admin behind our login page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "amends.audit",
    "amends.core",
    "amends.accounts",
    "amends.customers",
    "amends.search",
    "amends.complaints",
    # Layer by layer (docs/architecture.md): receivers of the lifecycle signals run in this order,
    # so a card's clocks are retimed before its duplicate search runs, as it always was.
    "amends.deadlines",
    "amends.duplicates",
    "amends.notifications",
    "amends.intake",
    "amends.imports",
    "amends.triage",
    "amends.reports",
    "amends.privacy",
    "amends.answers",
    "amends.capa",
    "amends.surveys",
    "amends.analytics",
    "amends.api",
    "amends.jobs",
    "amends.monitoring",
    "amends.demo",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: answers /health/, /ready/ and /metrics before the host check, and times the rest.
    "amends.monitoring.middleware.MonitoringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amends.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "amends.core.middleware.AccessDeniedMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the login attempts the views above it refuse.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "amends" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amends.notifications.context_processors.unread_count",
            ],
        },
    },
]


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'amends.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "amends.core.sqlite"
        # Opening a connection costs as much as a registration, and the last one closed checkpoints.
        config["CONN_MAX_AGE"] = None
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock when a transaction starts, so concurrent
            # writers queue instead of failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                # Savepoints' statement journals in memory, not a temporary file per transaction;
                # pages read through a mapping, not a system call each.
                " PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;"
                # Checkpoints are run by the backend after a writer leaves (amends.core.sqlite).
                " PRAGMA wal_autocheckpoint=0;"
            ),
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "analytics:home"  # a manager lands on the dashboard, others on the list
LOGOUT_REDIRECT_URL = "login"

# Argon2 for new and changed passwords; a hash of an older kind still checks, and is rewritten as
# Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# The login lockout's backend first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English")), ("hy", _("Armenian"))]
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "amends" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"


def s3_storage(env: Mapping[str, str]) -> dict:
    """The media storage in an S3-compatible bucket (AWS, MinIO, Ceph...), from AMENDS_S3_* variables."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env["AMENDS_S3_BUCKET"],
            "endpoint_url": env.get("AMENDS_S3_ENDPOINT_URL") or None,
            "region_name": env.get("AMENDS_S3_REGION") or None,
            "access_key": env.get("AMENDS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("AMENDS_S3_SECRET_ACCESS_KEY") or None,
            "location": env.get("AMENDS_S3_PREFIX", ""),
            # "path" for MinIO and most self-hosted servers; "virtual" for AWS.
            "addressing_style": env.get("AMENDS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Never replace a stored file: a second file of the same name gets a new name, as on disk.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(env.get("AMENDS_S3_URL_EXPIRE", 300)),
        },
    }


# Media in a bucket when AMENDS_S3_BUCKET is set, shared by every server and worker; files are read back
# through the app, or by a signed link valid AMENDS_S3_URL_EXPIRE seconds.
if os.environ.get("AMENDS_S3_BUCKET"):
    STORAGES["default"] = s3_storage(os.environ)

# Attachments: size limit and the file types accepted on a card.
AMENDS_ATTACHMENT_MAX_BYTES = int(os.environ.get("AMENDS_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
AMENDS_ATTACHMENT_EXTENSIONS = os.environ.get(
    "AMENDS_ATTACHMENT_EXTENSIONS",
    "pdf,png,jpg,jpeg,gif,webp,tif,tiff,txt,csv,doc,docx,xls,xlsx,odt,ods,rtf,eml,msg,zip,mp3,ogg,wav,m4a",
).split(",")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The import screen's largest file (bytes); the upload is refused before it is stored.
AMENDS_IMPORT_MAX_BYTES = int(os.environ.get("AMENDS_IMPORT_MAX_BYTES", 2 * 1024**3))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "amends.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["amends.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "amends.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "amends.api.exceptions.handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Amends API",
    "DESCRIPTION": "Complaint intake and handling: the same rules as the web UI.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets named "channel": the card's intake channel and the answer's delivery channel.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "amends.complaints.choices.Channel",
        "DeliveryChannelEnum": "amends.answers.models.delivery.DeliveryChannel",
        # The CAPA API's states, kinds and statuses, apart from the complaint's.
        "StateEnum": "amends.complaints.choices.State",
        "NonconformityStateEnum": "amends.capa.choices.NonconformityState",
        "NonconformityKindEnum": "amends.capa.choices.NonconformityKind",
        "ActionKindEnum": "amends.capa.choices.ActionKind",
        "ActionStatusEnum": "amends.capa.choices.ActionStatus",
        "ProposalKindEnum": "amends.capa.choices.ProposalKind",
        "ProposalStatusEnum": "amends.capa.choices.ProposalStatus",
        "PeriodKindEnum": "amends.capa.choices.PeriodKind",
        "ClockStatusEnum": "amends.deadlines.choices.ClockStatus",
        # The surveys' kinds, states, sources and bands, apart from the card's and CAPA's.
        "CampaignKindEnum": "amends.surveys.choices.CampaignKind",
        "CampaignStateEnum": "amends.surveys.choices.CampaignState",
        "SourceEnum": "amends.capa.choices.Source",
        "ResponseSourceEnum": "amends.surveys.choices.ResponseSource",
        "StaffSourceEnum": "amends.api.serializers.surveys.STAFF_SOURCE_CHOICES",
        "BandEnum": "amends.surveys.choices.Band",
    },
}

# Where people reach Amends: the start of links in mail, workbooks and API answers (amends/core/links.py).
# Unset, a link made for a request uses the request's host, and one made elsewhere (the worker's
# mail) http://127.0.0.1:8000; `make run` sets it from HOST and PORT.
AMENDS_BASE_URL = os.environ.get("AMENDS_BASE_URL", "")
# The domain of the Message-IDs of the mail Amends sends.
AMENDS_MAIL_DOMAIN = os.environ.get("AMENDS_MAIL_DOMAIN", "amends.localhost")

# Outbound mail: Django's SMTP backend, configured from the environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
# Used with EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `make run` uses by default).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Amends <complaints@amends.localhost>")

# `amends mailgate --url` posts each message to /intake/mailgate/, signed with this secret (the
# endpoint is off while it is empty); messages over the size limit are refused with 413.
AMENDS_MAILGATE_SECRET = os.environ.get("AMENDS_MAILGATE_SECRET", "")
AMENDS_MAILGATE_MAX_BYTES = int(os.environ.get("AMENDS_MAILGATE_MAX_BYTES", 100 * 1024 * 1024))

# Shared by every server worker process, so per-IP rate limits count once across processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
# Several app servers share the cache in a database table instead (made by `amends createcachetable`).
if os.environ.get("AMENDS_CACHE_TABLE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": os.environ["AMENDS_CACHE_TABLE"]}}

# Public web form: submissions per IP ("count/period", "off" to disable), tracking-page messages,
# files per submission, and how many proxies in front of the app set X-Forwarded-For.
AMENDS_WEB_FORM_RATE = os.environ.get("AMENDS_WEB_FORM_RATE", "5/10m")
AMENDS_TRACK_MESSAGE_RATE = os.environ.get("AMENDS_TRACK_MESSAGE_RATE", "20/10m")
# Bytes of files one address may send through the web form and tracking pages together.
AMENDS_PUBLIC_UPLOAD_QUOTA = os.environ.get("AMENDS_PUBLIC_UPLOAD_QUOTA", "200MB/1d")
AMENDS_WEB_FORM_MAX_FILES = int(os.environ.get("AMENDS_WEB_FORM_MAX_FILES", 10))
AMENDS_TRUSTED_PROXIES = int(os.environ.get("AMENDS_TRUSTED_PROXIES", 0))

# Near-duplicates: how far back to look, and the text similarity (0-1) that makes a candidate.
AMENDS_DUPLICATE_WINDOW_DAYS = int(os.environ.get("AMENDS_DUPLICATE_WINDOW_DAYS", 30))
AMENDS_DUPLICATE_THRESHOLD = float(os.environ.get("AMENDS_DUPLICATE_THRESHOLD", 0.65))
# The same contact's same text within this many hours is linked without asking; 0 turns it off.
AMENDS_DUPLICATE_AUTO_LINK_HOURS = int(os.environ.get("AMENDS_DUPLICATE_AUTO_LINK_HOURS", 24))
# Reopen an answered or closed card by itself when the customer writes within this many days of
# the answer; 0: never, the responsible person decides (README, "After the answer").
AMENDS_REOPEN_WITHIN_DAYS = int(os.environ.get("AMENDS_REOPEN_WITHIN_DAYS", 0))
# A messenger chat's message continues its card closed within this many days (flagged as a message
# after the answer); later, or on a duplicate or withdrawn card, it is a new complaint.
AMENDS_CHAT_FOLLOWS_CLOSED_DAYS = int(os.environ.get("AMENDS_CHAT_FOLLOWS_CLOSED_DAYS", 30))
# The currency compensation values, limits and the goods' prices are kept in (ISO 4217 code).
AMENDS_CURRENCY = os.environ.get("AMENDS_CURRENCY", "RUB")

# Sessions: how long a login lasts (seconds, two weeks by default), and whether it ends with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 14 * 24 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = _env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE")
SESSION_COOKIE_HTTPONLY = True

# HTTPS=1 where the site is served over TLS: secure cookies, redirects to https and HSTS.
# Behind a TLS-terminating proxy (AMENDS_TRUSTED_PROXIES > 0) its X-Forwarded-Proto says the scheme.
HTTPS = _env_bool("HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", HTTPS)
SECURE_SSL_REDIRECT = HTTPS
if AMENDS_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", HTTPS)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts, styles, fonts and frames from this site only, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI draws its icons as data: URIs.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or from one
# address, further logins are refused for AXES_COOLOFF_MINUTES (answer 429); `amends axes_reset` lifts it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# No start-up banner: `amends mailgate` runs under an MTA, which may mail back whatever it prints.
AXES_VERBOSE = False
# The client address as the web form's rate limit finds it (AMENDS_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "amends.core.addresses.client_address"
# Two-factor codes: the issuer the authenticator app shows beside the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Amends")

# AMENDS_LOG_FORMAT=json: one JSON object a line (time, level, logger, message, and a record's extras).
AMENDS_LOG_FORMAT = os.environ.get("AMENDS_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "amends.core.logs.RefusalWithoutTraceback"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "process": "pid"},
            "timestamp": "time",  # ISO 8601 in UTC, whatever TIME_ZONE says
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             **({"formatter": "json"} if AMENDS_LOG_FORMAT == "json" else {})}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # A 403 is a warning of one line; only 5xx are errors with a traceback.
        "django.request": {"filters": ["refusal_without_traceback"]},
        "django.db.backends": {"level": "INFO"},
        # urllib3's DEBUG lines carry request paths, and Telegram's carry the bot token.
        "urllib3": {"level": "INFO"},
        # WeasyPrint says each step of every PDF and each screen-only CSS rule it skips; a resource it
        # could not load is still an error.
        "weasyprint": {"level": "ERROR"},
    },
}

# Background work: a queue in the database itself, run by `amends worker` (no extra service); "long"
# holds the long jobs, which the worker runs in a second process (amends/core/queues.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "long"]}}
# Periodic jobs this installation does not run, e.g. "mail_poll,weekly_summary" (names in amends/jobs/schedule.py).
AMENDS_JOBS_DISABLED = [name.strip() for name in os.environ.get("AMENDS_JOBS_DISABLED", "").split(",") if name.strip()]
# Seconds after which a stored API or web-form submission claimed by a worker that never committed
# its card (killed, or the machine stopped) is taken over by another worker pass.
AMENDS_INBOUND_CLAIM_TIMEOUT = float(os.environ.get("AMENDS_INBOUND_CLAIM_TIMEOUT", 120))
# Stored submissions the worker registers in one transaction.
AMENDS_INTAKE_BATCH = int(os.environ.get("AMENDS_INTAKE_BATCH", 100))
# Seconds a job (or a batch of stored submissions) may run before the worker interrupts it and records
# why; below the 15 minutes after which a job left running is taken for a dead worker's.
AMENDS_JOB_TIME_BUDGET = int(os.environ.get("AMENDS_JOB_TIME_BUDGET", "600"))

# How long an Idempotency-Key's first answer is replayed; the worker purges older ones hourly.
AMENDS_IDEMPOTENCY_KEEP_HOURS = int(os.environ.get("AMENDS_IDEMPOTENCY_KEEP_HOURS", 24))
# Token requests per client address and per username ("10/min", "5/10m", or "off").
AMENDS_API_TOKEN_RATE = os.environ.get("AMENDS_API_TOKEN_RATE", "10/min")

# Prometheus metrics (/metrics): a scraper sends "Authorization: Bearer <AMENDS_METRICS_TOKEN>", or comes
# from one of the networks of AMENDS_METRICS_ALLOW (comma-separated; loopback by default).
AMENDS_METRICS_TOKEN = os.environ.get("AMENDS_METRICS_TOKEN", "")
AMENDS_METRICS_ALLOW = [ipaddress.ip_network(net.strip(), strict=False) for net in
                        os.environ.get("AMENDS_METRICS_ALLOW", "127.0.0.0/8,::1/128").split(",") if net.strip()]

# Personal data: closed cards are anonymised this many years after they were closed (0 turns the
# policy off), and the fonts the PDF export embeds (Debian's fonts-dejavu-core: Cyrillic, Armenian).
AMENDS_RETENTION_YEARS = int(os.environ.get("AMENDS_RETENTION_YEARS", 5))
AMENDS_PDF_FONT_DIR = os.environ.get("AMENDS_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
# How many best matches of a search the card list and the API show (docs/search.md).
AMENDS_SEARCH_RESULTS = int(os.environ.get("AMENDS_SEARCH_RESULTS", 1000))
