"""Settings for the Japan–US alliance database, read from the environment.

`make run` needs no configuration: it serves an embedded SQLite database in DEBUG mode.
In production set DEBUG=0, SECRET_KEY and ALLOWED_HOSTS; DATABASE_URL selects PostgreSQL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name, default):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "import_export",
    "alliance",
    "alliance.search",
    "guidelines",
    "meetings",
    "documents",
]

MIDDLEWARE = [
    "alliance.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "alliance.middleware.LocaleMiddleware",
    "alliance.middleware.RefuseNulMiddleware",  # before anything looks a parameter up
    "django.middleware.common.CommonMiddleware",
    "alliance.middleware.JsonNotFoundMiddleware",
    # ETag from the content, and 304 for If-None-Match: unchanged lists and records cost no transfer.
    "django.middleware.http.ConditionalGetMiddleware",
    "alliance.middleware.LastModifiedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alliance.middleware.ThrottleAnonymousPagesMiddleware",  # anonymous clients: pages, feed, calendar, sign-in
    "simple_history.middleware.HistoryRequestMiddleware",  # who made a change: the request's user
    "alliance.middleware.PrivateForCuratorsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

if not DEBUG:
    # In production WhiteNoise serves the collected static files; runserver does it in DEBUG.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")

# Headers on every response, the admin and the API's documentation included. Scripts only from
# the site itself (no inline script anywhere: the pages' one script is static/site.js, the
# Swagger UI's start-up script is served as a file, ReDoc needs none); styles may be inline
# (the admin's and Swagger UI's widgets set them); images may be data: URIs (Swagger UI's
# icons); ReDoc parses the schema in a worker it makes from a blob. Nothing may frame a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Django's own: X-Content-Type-Options: nosniff, Referrer-Policy: same-origin,
# Cross-Origin-Opener-Policy: same-origin (SecurityMiddleware) and X-Frame-Options: DENY.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"
ASGI_APPLICATION = "alliance.asgi.application"

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
                "alliance.context_processors.site",
            ],
        },
    },
]

# The embedded default keeps `make run` free of any server; DATABASE_URL=postgres://… for production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.getenv("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default takes concurrent writers: WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock when a transaction starts (not halfway, where SQLite can
    # only fail it), and a writer waits up to SQLITE_BUSY_TIMEOUT seconds for its turn instead
    # of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.getenv("SQLITE_BUSY_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL compiles a plan with JIT when its estimated cost is high, as a search of a frequent
    # term at a million meetings is: 80–120 ms of compiling per query, never won back by a query
    # that runs for less than a second. Off, as for most web applications.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The curated data; `make run` loads it, tests build their own records.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Signing in (the admin): after AXES_FAILURE_LIMIT wrong passwords for one account from one
# address, that account is refused from that address (429, a page that says for how long) until
# AXES_COOLOFF_MINUTES have passed; a success from it clears the count. The lock is on the pair,
# so an attacker elsewhere cannot lock a curator out, and it ends by itself. Lockouts are logged
# (logger "axes", WARNING). The address is REMOTE_ADDR, which TrustedProxyMiddleware sets.
AUTHENTICATION_BACKENDS = ["alliance.signin.SignInLocks", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.getenv("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.getenv("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "alliance.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "alliance.errors.locked_out"
AXES_VERBOSE = True
AXES_SENSITIVE_PARAMETERS = []  # the log names the account and the address (never the password)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Pages: Japanese at the plain addresses, English under /en/. The API and the admin follow the
# client's Accept-Language (alliance.middleware.LocaleMiddleware).
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production (DEBUG=0) is HTTPS only: cookies sent over TLS alone, plain HTTP redirected, and
# browsers told to come back over HTTPS for a year (HSTS). Each has an off switch for a proxy
# that terminates TLS and redirects itself, and for local benchmarks over plain HTTP.
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # a load balancer's probes speak plain HTTP

# The reverse proxies (addresses) whose X-Forwarded-For and X-Forwarded-Proto are believed: a
# request from one of them comes from the address it forwards, over the scheme it says; from
# anyone else those headers are dropped (alliance.middleware.TrustedProxyMiddleware), so that
# no client can pick its own address for the throttles or claim HTTPS.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "alliance.rest.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "alliance.rest.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "alliance.rest.CSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "EXCEPTION_HANDLER": "alliance.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.getenv("API_ANON_RATE", "120/min"),
                               "pages": os.getenv("PAGES_ANON_RATE", "300/min")},  # alliance.middleware.PagesThrottle
    # The client is REMOTE_ADDR, which TrustedProxyMiddleware sets from a trusted proxy's
    # X-Forwarded-For: DRF must not read that header itself (any client could rotate it).
    "NUM_PROXIES": 0,
}
# Throttling counts requests here; with several processes, point it at a shared cache (Redis).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.getenv("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Japan–U.S. Alliance Database API",
    "DESCRIPTION": "Consultation bodies, bilateral meetings with attendees and outcome items, and the "
    "Guidelines for Japan–U.S. Defense Cooperation, curated from Defense of Japan 2023.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "alliance.rest.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "alliance.models.DatePrecision",
        "SideEnum": "alliance.models.Side",
        "MeetingKindEnum": "meetings.models.Meeting.Kind",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "ProvisionKindEnum": "guidelines.models.Provision.Kind",
        "EditionStatusEnum": "guidelines.models.Edition.Status",
        "DocumentKindEnum": "documents.models.Document.Kind",
        "DocumentLanguageEnum": "documents.models.Document.Language",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# The admin's bulk export and import of every curated model (django-import-export): CSV, XLSX and
# JSON; an import runs in one transaction, previewed first, rows validated and saved one by one.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False


def _bulk_formats():
    from import_export.formats.base_formats import CSV, JSON, XLSX

    return [CSV, XLSX, JSON]


IMPORT_EXPORT_FORMATS = _bulk_formats()
