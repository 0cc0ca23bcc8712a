"""Django settings for Fangkong.

Everything that differs between a laptop and production comes from ``FANGKONG_*``
environment variables (see README). Defaults suit ``make run`` on a developer machine:
SQLite under ``var/``, debug on, bound to 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from fangkong.lib.env import ConfigError, env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FANGKONG_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("FANGKONG_DEBUG", default=True)
# With DEBUG on, still serve the styled 404/500 pages unless a developer asks for Django's.
FANGKONG_DEBUG_PAGES = env_bool("FANGKONG_DEBUG_PAGES", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("FANGKONG_SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)
if not SECRET_KEY:
    raise ConfigError("FANGKONG_SECRET_KEY must be set when FANGKONG_DEBUG=0")
ALLOWED_HOSTS = env_list("FANGKONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("FANGKONG_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client.
FANGKONG_TRUSTED_PROXIES = env_networks("FANGKONG_TRUSTED_PROXIES")
# Every write the public can make without logging in (fangkong.core.ratelimit): at most this
# many per client network and endpoint in this period (s, m, h or d).
FANGKONG_PUBLIC_RATE_LIMIT = env_str("FANGKONG_PUBLIC_RATE_LIMIT") or "10/10m"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "fangkong.core",
    "fangkong.divisions",
    "fangkong.accounts",
    "fangkong.community",
    "fangkong.checkpoints",
    "fangkong.passes",
    "fangkong.assistance",
    "fangkong.directives",
    "fangkong.returnees",
    "fangkong.alerts",
]

MIDDLEWARE = [
    "fangkong.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (the CSRF check, forms, the API): one limit for all uploads.
    "fangkong.core.uploads.UploadLimitMiddleware",
    "fangkong.core.sessions.SlidingSessionMiddleware",
    "fangkong.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that the styled 404/500 pages render with the user and language (DEBUG only).
    "fangkong.core.errors.StyledErrorPagesMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"
ASGI_APPLICATION = "fangkong.asgi.application"

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
                "fangkong.accounts.context_processors.navigation",
                "fangkong.alerts.context_processors.alerts",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------

_db_url = env_str("FANGKONG_DATABASE_URL")
if _db_url:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "fangkong.sqlite3"),
            # Kept open between requests, as on PostgreSQL: opening one runs the pragmas below
            # and registers Django's SQL functions, a few milliseconds per request.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["fangkong.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Lockout: this many failures in a row lock the account for this many minutes.
FANGKONG_LOGIN_MAX_FAILURES = env_int("FANGKONG_LOGIN_MAX_FAILURES", 5)
FANGKONG_LOGIN_LOCK_MINUTES = env_int("FANGKONG_LOGIN_LOCK_MINUTES", 15)

# Sessions live in the database (app servers stay stateless) and expire after
# FANGKONG_SESSION_HOURS of inactivity. The expiry slides forward at most once every
# FANGKONG_SESSION_REFRESH_SECONDS (fangkong.core.sessions), not with a write per request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("FANGKONG_SESSION_HOURS", 12) * 3600
SESSION_SAVE_EVERY_REQUEST = False
FANGKONG_SESSION_REFRESH_SECONDS = env_int("FANGKONG_SESSION_REFRESH_SECONDS", 300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- i18n -----------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fangkong" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("FANGKONG_TIME_ZONE") or "Asia/Shanghai"
USE_TZ = True

# --- static and media -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG  # in development, serve straight from static/
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("FANGKONG_MEDIA_DIR") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every upload, on every endpoint, is refused above this before it is read (fangkong.core.uploads).
FANGKONG_MAX_UPLOAD_BYTES = env_int("FANGKONG_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "fangkong.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Private signing keys live in files here, never in the database.
FANGKONG_KEY_DIR = Path(env_str("FANGKONG_KEY_DIR") or VAR_DIR / "keys")
# How often an open checkpoint page fetches the trust list again (revocations reach it so).
FANGKONG_TRUST_REFRESH_SECONDS = env_int("FANGKONG_TRUST_REFRESH_SECONDS", 180)

# --- background work ------------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- alerts beyond the app (SMS) -------------------------------------------------------------
# ``console`` logs each message (phone masked); ``http`` posts to the HQ's SMS service.
FANGKONG_SMS_BACKEND = env_str("FANGKONG_SMS_BACKEND") or "console"
FANGKONG_SMS_URL = env_str("FANGKONG_SMS_URL")
FANGKONG_SMS_CREDENTIALS_FILE = env_str("FANGKONG_SMS_CREDENTIALS_FILE")
FANGKONG_SMS_TEMPLATE = (
    env_str("FANGKONG_SMS_TEMPLATE") or '{"to": "{phone}", "text": "{text}", "id": "{id}"}'
)
FANGKONG_SMS_TIMEOUT = env_int("FANGKONG_SMS_TIMEOUT", 10)
FANGKONG_SMS_RETRY_SECONDS = env_int("FANGKONG_SMS_RETRY_SECONDS", 30)
FANGKONG_SMS_MAX_ATTEMPTS = env_int("FANGKONG_SMS_MAX_ATTEMPTS", 6)
FANGKONG_SMS_STALE_SECONDS = env_int("FANGKONG_SMS_STALE_SECONDS", 120)
FANGKONG_SMS_PER_HOUR = env_int("FANGKONG_SMS_PER_HOUR", 10)

# --- security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("FANGKONG_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("FANGKONG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FANGKONG_LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

FANGKONG_REGION_NAME = _("Alxa League")
