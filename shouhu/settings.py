"""Django settings for Shouhu.

Everything that differs between a laptop demo and production comes from the
environment (see README.md, "Configuration"). The defaults run the embedded
SQLite demo.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# The local demo (make run, make test …) may use built-in keys; production may not.
DEMO = env_bool("SHOUHU_DEMO", False)

# Mail: printed on the console in the demo and in development, SMTP otherwise (README).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO or DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shouhu@localhost")
# The address links in e-mails start with, e.g. https://shouhu.example.gov.cn
SHOUHU_BASE_URL = os.environ.get("SHOUHU_BASE_URL", "")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Keys for field-level encryption of identity numbers (core/crypto.py): several may be
# given, comma-separated, newest first (values are encrypted under the newest and decrypted
# under any; `manage.py rotate_field_keys` moves every value to the newest). A single
# FIELD_ENCRYPTION_KEY still works. FIELD_LOOKUP_KEY keys the search hash; unset, it is the
# oldest encryption key (README: Keys and backups).
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()
]
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_LOOKUP_KEY = os.environ.get("FIELD_LOOKUP_KEY", "")
if DEBUG or DEMO:
    SECRET_KEY = SECRET_KEY or "insecure-demo-key-set-SECRET_KEY-in-production"
    FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or "insecure-demo-field-key"
elif not (SECRET_KEY and (FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEY)):
    raise ImproperlyConfigured(
        "Set SECRET_KEY and FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEY) in the "
        "environment (see README.md, Configuration), or SHOUHU_DEMO=1 to run the local demo "
        "with built-in keys."
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# Behind a reverse proxy that sets X-Forwarded-For, trust its first address (audit log,
# login lockout). Never set this when clients reach the app directly.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # The admin site asks for the one-time code too (people.twofactor.TwoFactorAdminSite).
    "shouhu.apps.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Two-factor login: time-based codes (authenticator apps) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # One lockout for every login path (login page, API token endpoint, admin).
    "axes",
    # Content Security Policy headers.
    "csp",
    # Background work (issue 17): Django's tasks API (the backport of Django 6's) and its
    # database backend: the queue is a table of the same database, so the embedded default
    # needs no other server, and workers on other machines share PostgreSQL's.
    "django_tasks",
    "django_tasks_db",
    # Shouhu's own apps, from the root of the domain to its leaves.
    "core",
    "areas",
    "people",
    "jobs",
    "children",
    "notifications",
    "care",
    "relief",
    "applications",
    "social",
    "concerns",
    "referrals",
    "rounds",
    "villagefiles",
    "stats",
    "outbox",
    "registry",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files answer here, already compressed (.gz/.br made by collectstatic with
    # CompressedManifestStaticFilesStorage): they never reach the gzip step below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON gzip-compressed when the client accepts it and no proxy does it (a
    # 250 kbit/s village phone, issue 15). Above every middleware that reads or writes the
    # body, so it compresses last (Django's documented order). BREACH: Django 4.2+ pads the
    # gzip output with random bytes ("Heal The Breach"), and the CSRF token is masked anew
    # on every response, so compressing pages that carry secrets is safe enough here.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the one-time code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: ends idle and too-old sessions with a message.
    "core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    # Roles that require two-factor login reach nothing until enrolled and verified.
    "people.twofactor.TwoFactorMiddleware",
    "core.security.NoStoreMiddleware",
    "core.security.DatabaseBusyMiddleware",
    # Last, so that it sees every login attempt's outcome (lockout answers).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shouhu.urls"
WSGI_APPLICATION = "shouhu.wsgi.application"

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
            ],
            # Every page is translated: {% translate %} and its kin need no {% load i18n %}.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

# Django's form renderer with the plain widgets (inputs, selects, radio buttons) written in
# Python rather than through a template per widget and per choice (core/renderers.py).
FORM_RENDERER = "core.renderers.FormRenderer"

# The embedded default is SQLite in WAL mode (readers do not block the writer);
# production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'shouhu.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # IMMEDIATE avoids "database is locked" when two requests upgrade to write.
            "transaction_mode": "IMMEDIATE",
            # A writer waits this long for another's lock, then the request answers 503
            # with Retry-After (core.security), rather than hanging a worker.
            "timeout": float(os.environ.get("SQLITE_LOCK_TIMEOUT", "5")),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
# Axes first: it refuses a locked username-and-address pair (or address) before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "people.backends.AreaModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Photos of visits and activities (care.Photo): files under MEDIA_ROOT by default, never served
# by address (no MEDIA_URL in urls): care's photo page reads them through the storage, after
# checking who asks, and audits each view. In production they may go to S3-compatible object
# storage (django-storages, `pip install .[s3]`): set MEDIA_S3_BUCKET, and MEDIA_S3_ENDPOINT
# for a provider other than AWS; the keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
if os.environ.get("MEDIA_S3_BUCKET"):
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MEDIA_S3_BUCKET"],
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT") or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        # Hashed, pre-compressed files: small first loads and long caching on slow networks.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# The cache shared by every worker: login lockout counters and throttles. The database by
# default (`manage.py createcachetable` makes its table), Redis in production
# (CACHE_URL=redis://host:6379/0); locmem:// only for a single process.
CACHE_URL = os.environ.get("CACHE_URL", "db://shouhu_cache")


def cache_from_url(url: str) -> dict:
    """One CACHES entry from a URL: db://<table>, redis://…, rediss://…, locmem://."""
    scheme, _, rest = url.partition("://")
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "shouhu_cache",
        }
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    raise ImproperlyConfigured(f"CACHE_URL: unknown cache {scheme!r} (db, redis or locmem)")


CACHES = {"default": cache_from_url(CACHE_URL)}

# Login lockout (django-axes): failed passwords and failed one-time codes are counted per
# username-and-address pair, and separately per address with a higher limit, so that
# somebody guessing one account cannot lock out every account behind an office's address.
# Each counter expires 15 minutes after its last failure; a success does not clear it
# (clearing would let anyone who knows one password reset the address's counter).
LOGIN_LOCKOUT = [
    (["username", "ip_address"], int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10"))),
    (["ip_address"], int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50"))),
]
AXES_HANDLER = "core.login_limits.TieredCacheHandler"
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _limit in LOGIN_LOCKOUT]
# Axes' own check uses the highest limit; TieredCacheHandler applies each set's own.
AXES_FAILURE_LIMIT = max(limit for _parameters, limit in LOGIN_LOCKOUT)
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)  # the 15 minutes of core.forms.LOCKED_MESSAGE
# Attempts refused during a lockout neither extend it nor count towards the address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
AXES_USERNAME_CALLABLE = "core.login_limits.username_tried"
AXES_LOCKOUT_CALLABLE = "core.login_limits.lockout_response"
# The audit log (core.signals) records who tried what; the counters live in the cache only.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# Two-factor login (people.twofactor): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "守护")

# Security headers (README, "Security headers"). Behind HTTPS (SECURE_COOKIES=1): secure
# cookies, HSTS for a year and a redirect of plain HTTP, except /healthz so that a load
# balancer may probe over HTTP.
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# A signed-in session ends after SESSION_IDLE_MINUTES without a request (30) and, whatever
# the activity, SESSION_ABSOLUTE_HOURS after login (12): core.middleware.SessionTimeoutMiddleware.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# How many months of the audit log are kept (core.retention, nightly): whole months older
# are dropped. The Cybersecurity Law (Art. 21) asks for network logs to be kept for no less
# than six months; a smaller value is refused (core.retention.check_retention).
AUDIT_RETENTION_MONTHS = int(os.environ.get("AUDIT_RETENTION_MONTHS", "36"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if SECURE_COOKIES:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading binds the whole domain and its subdomains to HTTPS in every browser, for
    # months, beyond this application: the domain's owner opts in (SECURE_HSTS_PRELOAD=1).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if TRUST_X_FORWARDED_FOR:
        # The proxy ends TLS and says so; only trusted together with its X-Forwarded-For.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts, styles and images from this site only; no
# inline script or style anywhere (htmx's indicator style is in shouhu.css, see base.html),
# no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"upgrade-insecure-requests": True} if SECURE_COOKIES else {}),
    },
}

# API tokens (people.ApiToken) expire API_TOKEN_DAYS after they are issued; only a keyed
# hash of each is stored. They are revoked on logout, password change or reset,
# deactivation and a change of role or area (people/tokens.py).
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))

REST_FRAMEWORK = {
    # One answer to each service refusal (core.exceptions), for every endpoint.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Token first, so an unauthenticated API call answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "people.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.StaffRolePermission"],
    # The browsable API under the Content Security Policy (core/security.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.security.BrowsableAPIRenderer",
    ],
    # DRF's, with a JSON body that is not an object refused (400) before any view reads it.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.search.SearchFilter",  # DRF's, with its refusals as field errors
        "rest_framework.filters.OrderingFilter",
    ],
    # drf-spectacular's, with the error answers every operation gives (core/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("LOGIN_RATE", "20/min"),
    },
    # The client address for throttling: REMOTE_ADDR, or one proxy hop when trusted.
    "NUM_PROXIES": 1 if TRUST_X_FORWARDED_FOR else 0,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shouhu API",
    "DESCRIPTION": _(
        "Child protection service system for rural left-behind children and children "
        "in difficulty. Every endpoint is scoped to the caller's jurisdiction."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # A report of concern's states, apart from a round's and a return's.
    # One name per choice set used under several field names (check --deploy warns otherwise).
    "ENUM_NAME_OVERRIDES": {
        "ReportStateEnum": "concerns.models.State",
        "VisitAssessmentEnum": "care.models.Assessment",
        "SkillEnum": "social.models.Skill",
        "ChildHealthEnum": "children.choices.Health",
        "CaregiverHealthEnum": "children.choices.CaregiverHealth",
        "OutboxKindEnum": "outbox.models.Submission.Kind",
    },
}

# Valid public reports of concern per client address per clock hour, on the page and the
# API alike (concerns/public.py); past it the reporter is told to call 110 or 12345.
SHOUHU_PUBLIC_REPORTS_PER_HOUR = int(os.environ.get("PUBLIC_REPORTS_PER_HOUR", "5"))

# Background work (jobs/): tasks are rows of the database that `manage.py db_worker` takes
# (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL: any number of workers on any machine).
# TASKS_IMMEDIATE=1 runs each task inside the request that starts it (the tests do).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "stats"],
    }
}
# A running job whose worker has not said it is alive for this long was cut off with its
# process: the housekeeping puts it back in the queue (once).
JOBS_HEARTBEAT_SECONDS = 10
JOBS_STALE_AFTER_SECONDS = int(os.environ.get("JOBS_STALE_AFTER_SECONDS", "90"))
# Files made by jobs (village files, exports, reports) are kept this long for download.
JOBS_RESULT_HOURS = 24
# A roster export of more rows than this is written by a job, with progress, and kept for
# download; at or under it the file is written inside the request.
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))
# Roster imports check and save as jobs (children/tasks.py), showing progress.
# Tests only: seconds a save waits inside its transaction (a worker is killed there).
IMPORT_SAVE_PAUSE_SECONDS = float(os.environ.get("IMPORT_SAVE_PAUSE_SECONDS", "0"))
# Bounded uploads (core/uploads.py says why each limit is large enough for a real roster).
# A roster of 25,000 children is 4.8 MB; its sheet unpacks to 42 MB at 8.7 : 1.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_MB", "10")) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts of the workbook, unpacked
IMPORT_MAX_COMPRESSION_RATIO = 100  # per part: real rosters < 10 : 1, a zip bomb ~1,000 : 1
# Non-empty rows per file: a county's whole registry (~25,000 children) fits in one file.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "30000"))
# Rows shown in an import's report (the rest are counted: "… and N more").
IMPORT_REPORT_ERRORS = 200
# An import still "running" after this long was cut off (the process stopped): it no longer
# holds the user's one running import.
IMPORT_STALE_AFTER_MINUTES = 30
# The request: an uploaded file is not read past IMPORT_MAX_UPLOAD_BYTES (core.uploads'
# handler discards the rest); files above 2.5 MB go to a temporary file, not to memory;
# other fields stay within Django's 2.5 MB; at most six files per request (the photos of one
# visit or activity sent by the page without the phone's outbox, care.Photo.MAX_PER_RECORD).
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 6

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Bulk reads (core.throttling): records of children's data one user may read per clock hour
# through lists, searches, the API and exports before further reads answer 429 (0: no limit).
# A county officer paging a roster of 5,000 once stays well inside it.
READ_LIMIT_PER_HOUR = int(os.environ.get("READ_LIMIT_PER_HOUR", "10000"))
# The audit page names a user whose records read in the last 7 days reach READ_FLAG_RECORDS,
# or READ_FLAG_FACTOR times the median of their role's readers (from READ_FLAG_FLOOR up).
READ_FLAG_RECORDS = int(os.environ.get("READ_FLAG_RECORDS", "50000"))
READ_FLAG_FACTOR = int(os.environ.get("READ_FLAG_FACTOR", "5"))
READ_FLAG_FLOOR = int(os.environ.get("READ_FLAG_FLOOR", "2000"))
