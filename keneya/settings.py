"""Django settings for Kènèya. Everything that differs between machines comes from the environment.

Development defaults are safe: SQLite under ``var/``, DEBUG off unless asked for, and a server that
refuses to start with DEBUG off on the development secret key (see ``keneya/wsgi.py`` and the
``keneya.E001`` system check).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # lets ModelAdmin[Model] etc. be written for mypy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KENEYA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "django-insecure-keneya-development-only-never-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: no CDN
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "keneya.core",
    "keneya.accounts",
    "keneya.people",
    "keneya.visits",
    "keneya.alerts",
    "keneya.referrals",
    "keneya.records",
    "keneya.social_protection",
    "keneya.pharmacy",
    "keneya.lab",
    "keneya.financing",
    "keneya.worklist",
    "keneya.sync",
    "keneya.notifications",
    "keneya.indicators",
    "keneya.interop.dhis2",
    "keneya.pwa",
    "keneya.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP and no-store on every answer, those of the middlewares below included (lock-out, CSRF).
    "keneya.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "keneya.core.api.ApiGuardMiddleware",  # /api/: deep JSON refused, errors as JSON (issue #10)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keneya.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keneya.records.access.AccessLogMiddleware",  # every read of a person's data is logged
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keneya.urls"
WSGI_APPLICATION = "keneya.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keneya" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (embedded default) runs in WAL mode with IMMEDIATE transactions: with the default
# DEFERRED mode concurrent read-then-write transactions fail with "database is locked"
# (measured in shared/spec/stack.md §3).
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'keneya.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=0, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
else:
    # PostgreSQL: keep connections for a minute (a new one costs a few ms per request), and no
    # JIT (it adds ~90 ms of compilation to short OLTP queries, measured in docs/benchmarks.md).
    # random_page_cost 1.1 instead of 4 (spinning disks): the database lives in RAM or on SSD,
    # and with 4 the planner hashed all 100,000 households to check the scope of the ~700
    # persons a name search finds, where 700 index probes take 1.5 ms (benchmarks.md).
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c random_page_cost=" + os.environ.get("PG_RANDOM_PAGE_COST", "1.1")
    )
    if env_bool("DATABASE_POOL", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 4}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication and sessions -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins (django-axes): 5 failures per username+IP, 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind nginx every request comes from 127.0.0.1: the client is read from X-Forwarded-For
# (the address the trusted proxy appended), only when BEHIND_TLS_PROXY is set
# (keneya/accounts/client_ip.py, docs/security.md).
AXES_CLIENT_IP_CALLABLE = "keneya.accounts.client_ip.client_ip"
KENEYA_BEHIND_PROXY = env_bool("BEHIND_TLS_PROXY", False)
KENEYA_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
# Staff API tokens expire (CHW tablets use their own device tokens, docs/sync.md).
KENEYA_API_TOKEN_DAYS = float(os.environ.get("API_TOKEN_DAYS", "30"))

# --- Caches ----------------------------------------------------------------------------------
# The token endpoint's throttle counts in a cache shared by every worker: a database table by
# default (created by migrate, accounts/migrations/0004), Redis when REDIS_URL is set.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "keneya_cache"}
    ),
}

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "keneya.core.views.csrf_failure"  # French page with the navigation
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12  # one working day
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Languages, time ----------------------------------------------------------------------------
LANG_INFO["bm"] = {"bidi": False, "code": "bm", "name": "Bambara", "name_local": "Bamanankan"}
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "keneya" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Bamako")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when it is missing (demo runs without collectstatic)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (scans of social-protection documents): saved with the database by ``keneya
# backup``; never served as public media, only through views that check who may see them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Serve straight from the app folders when nobody ran collectstatic (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "keneya.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "keneya.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "keneya.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Depth and size checked before parsing (keneya.core.parsers.JSONParser, issue #10).
    "DEFAULT_PARSER_CLASSES": [
        "keneya.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kènèya API",
    "DESCRIPTION": (
        "API of Kènèya, the community health platform. Authenticate with "
        "`POST /api/v1/auth/token/` (username, password) and send `Authorization: Token <key>`. "
        "Every list is scoped to the caller's role, facility and areas."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "keneya.core.api.document_errors",  # the token endpoint's errors (issue #10)
    ],
}

# --- Logging: no personal data (names, phones) is ever logged; ids only. ---------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
# A refused page (403, 404, 400) is the user's mistake, not the server's: one line, no traceback
# (keneya/core/logfilters.py). Requests log their path only, never the query string.
LOGGING["filters"] = {"client_errors": {"()": "keneya.core.logfilters.ClientErrorsWithoutTraceback"}}
LOGGING["loggers"]["django.request"] = {"filters": ["client_errors"]}  # type: ignore[index]

# --- Background work -----------------------------------------------------------------------------
# Django Tasks API; database backend by default (no extra service), RQ/Redis at scale
# (shared/spec/stack.md §4). Tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- SMS (keneya/interop/sms): console by default, Africa's Talking in production ---------------
SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "console")
AFRICASTALKING_USERNAME = os.environ.get("AFRICASTALKING_USERNAME", "")
AFRICASTALKING_API_KEY = os.environ.get("AFRICASTALKING_API_KEY", "")
AFRICASTALKING_SENDER_ID = os.environ.get("AFRICASTALKING_SENDER_ID", "")
AFRICASTALKING_BASE_URL = os.environ.get("AFRICASTALKING_BASE_URL", "")
AFRICASTALKING_TIMEOUT = float(os.environ.get("AFRICASTALKING_TIMEOUT", "10"))
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "8"))
NOTIFICATIONS_RETRY_BASE_SECONDS = 60
NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = 900

# --- DHIS2 (keneya/interop/dhis2): the monthly push; secrets from the environment only --------------
# DHIS2_URL is the instance's base URL (https://dhis2.example.ml, without /api). Authentication is
# a personal access token (DHIS2_TOKEN, sent as "Authorization: ApiToken ...") or, failing that,
# a user's DHIS2_USERNAME and DHIS2_PASSWORD (HTTP Basic). docs/dhis2.md.
DHIS2_URL = os.environ.get("DHIS2_URL", "")
DHIS2_USERNAME = os.environ.get("DHIS2_USERNAME", "")
DHIS2_PASSWORD = os.environ.get("DHIS2_PASSWORD", "")
DHIS2_TOKEN = os.environ.get("DHIS2_TOKEN", "")
DHIS2_TIMEOUT = float(os.environ.get("DHIS2_TIMEOUT", "60"))
DHIS2_ID_SCHEME = os.environ.get("DHIS2_ID_SCHEME", "UID")  # UID or CODE, for every identifier
DHIS2_IMPORT_STRATEGY = os.environ.get("DHIS2_IMPORT_STRATEGY", "CREATE_AND_UPDATE")
DHIS2_MAX_ATTEMPTS = int(os.environ.get("DHIS2_MAX_ATTEMPTS", "6"))
DHIS2_RETRY_BASE_SECONDS = 60
DHIS2_RETRY_MAX_SECONDS = 3600
# After an accepted push, also mark the data set complete for each org unit (DHIS2's own
# completeness and timeliness count these registrations).
DHIS2_COMPLETE_DATA_SET = os.environ.get("DHIS2_COMPLETE_DATA_SET", "").lower() in ("1", "true", "yes")
# A month's report is on time when pushed by this day of the next month (inclusive).
DHIS2_DEADLINE_DAY = int(os.environ.get("DHIS2_DEADLINE_DAY", "10"))

# --- Kènèya ----------------------------------------------------------------------------------------
# An urgent alert nobody acknowledged within this delay is escalated to the facility manager.
KENEYA_ALERT_ESCALATION_MINUTES = int(os.environ.get("ALERT_ESCALATION_MINUTES", "120"))
# Duplicate warning: birth years within this many years count as "resembling" (issue #2).
KENEYA_DUPLICATE_BIRTH_YEAR_WINDOW = 2
# Break the glass: how long a clinician's reasoned access to a record outside their scope lasts.
KENEYA_BREAK_GLASS_HOURS = float(os.environ.get("BREAK_GLASS_HOURS", "24"))
