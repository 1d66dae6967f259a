"""Django settings for attkit, read from ATTKIT_* environment variables only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from attkit.core.config import env_bool, env_choice, env_float, env_int, env_list, env_str

django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("ATTKIT_BASE_DIR", str(PACKAGE_DIR.parent.parent)))
VAR_DIR = Path(env_str("ATTKIT_VAR_DIR", str(BASE_DIR / "var")))

# dev: a developer's machine; demo: `make demo`; test: the test suite; production: a real deployment.
# pytest sets PYTEST_VERSION: a bare `pytest` run gets the test settings too.
ENV = env_choice(
    "ATTKIT_ENV", ("dev", "demo", "test", "production"), "test" if "PYTEST_VERSION" in os.environ else "dev"
)
PRODUCTION = ENV == "production"

DEBUG = env_bool("ATTKIT_DEBUG", ENV == "dev")

_DEV_SECRET = "attkit-insecure-development-key-do-not-use-in-production"  # noqa: S105  (refused in production)
SECRET_KEY = env_str("ATTKIT_SECRET_KEY", _DEV_SECRET)

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "ATTKIT_SECRET_KEY: production needs a secret key of at least 32 characters "
            "that is not the development default (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    if DEBUG:
        raise ImproperlyConfigured("ATTKIT_DEBUG: production refuses to start with DEBUG on.")

ALLOWED_HOSTS = env_list("ATTKIT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ATTKIT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "simple_history",
    "ninja",
    "attkit.core",
    "attkit.accounts",
    "attkit.reference",
    "attkit.seals",
    "attkit.euc",
    "attkit.screening",
    "attkit.licensing",
    "attkit.assessment",
    "attkit.reporting",
    "attkit.training",
    "attkit.treaty",
]

MIDDLEWARE = [
    "attkit.core.middleware.RequestIdMiddleware",
    "attkit.core.middleware.BodySizeLimitMiddleware",
    "attkit.core.middleware.NulInQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "attkit.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "attkit.core.middleware.StaticCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "attkit.core.middleware.ServiceErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "attkit.urls"
WSGI_APPLICATION = "attkit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attkit.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite under var/ by default; PostgreSQL when ATTKIT_DATABASE_URL names it.
_default_db_url = f"sqlite:///{VAR_DIR / 'attkit.sqlite3'}"
DATABASE_URL = env_str("ATTKIT_DATABASE_URL", _default_db_url)
try:
    _db: dict[str, Any] = dict(
        dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ATTKIT_DB_CONN_MAX_AGE", 0, minimum=0))
    )
except (ValueError, KeyError) as exc:  # dj_database_url raises these on a malformed URL
    raise ImproperlyConfigured(f"ATTKIT_DATABASE_URL: cannot parse {DATABASE_URL!r} ({exc}).") from exc
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured("ATTKIT_DATABASE_URL: only sqlite:/// and postgres:// URLs are supported.")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    if _db["NAME"] not in (":memory:", "") and not str(_db["NAME"]).startswith("file:"):
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    # A client that vanishes inside a transaction (a machine or network lost, not a process killed: that closes
    # the socket) would hold its row locks until TCP noticed, about two hours by default. Keepalives notice in
    # about two minutes, and the server ends a transaction left idle longer than the timeout (0 turns it off).
    _idle_tx_seconds = env_int("ATTKIT_DB_IDLE_IN_TRANSACTION_TIMEOUT", 300, minimum=0)
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].update(
        {
            "keepalives": 1,
            "keepalives_idle": 60,
            "keepalives_interval": 10,
            "keepalives_count": 6,
            "options": f"-c idle_in_transaction_session_timeout={_idle_tx_seconds * 1000}",
        }
    )
    _db["CONN_HEALTH_CHECKS"] = True
_test_url = os.environ.get("ATTKIT_TEST_DATABASE_URL")
if _test_url and ENV == "test":
    _db = dict(dj_database_url.parse(_test_url))
    _db["CONN_HEALTH_CHECKS"] = True
# The few reads every API call makes (attkit.core.rows.fetch) are prepared on PostgreSQL after five runs on a
# connection: the server plans them once instead of at each call. Every other query keeps Django's client-side
# binding, which is never prepared. Turn it off behind a pooler in transaction mode that cannot keep prepared
# statements (PgBouncer before 1.21).
# Build the screening index when the application loads (attkit.wsgi), before gunicorn forks its workers.
WARM_SCREENING_INDEX = env_bool("ATTKIT_WARM_SCREENING_INDEX", PRODUCTION)
DB_PREPARED_STATEMENTS = env_bool("ATTKIT_DB_PREPARED_STATEMENTS", True)
if _db["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["prepare_threshold"] = 5
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Tests create hundreds of users: a cheap hasher keeps the suite fast; argon2 is tested on its own.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor authentication for officials; the demo turns it off so the demo logins work at once.
REQUIRE_2FA = env_bool("ATTKIT_REQUIRE_2FA", ENV not in ("demo", "dev", "test"))
OTP_TOTP_ISSUER = "attkit"

# Lockout after repeated failed logins (django-axes).
AXES_ENABLED = env_bool("ATTKIT_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("ATTKIT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("ATTKIT_LOGIN_COOLOFF_HOURS", 0.25, minimum=0.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Request size: bodies above this are refused with 413 before any view reads them.
MAX_BODY_BYTES = env_int("ATTKIT_MAX_BODY_BYTES", 20 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = min(MAX_BODY_BYTES, 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Cookies, headers and transport security.
SECURE_COOKIES = env_bool("ATTKIT_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("ATTKIT_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("ATTKIT_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ATTKIT_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
if env_bool("ATTKIT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: no inline script, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Cache, sessions and rate limits: Redis when ATTKIT_REDIS_URL is set, memory otherwise.
REDIS_URL = env_str("ATTKIT_REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("ATTKIT_REDIS_URL: expected a redis://, rediss:// or unix:// URL.")
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Internationalisation: English and Spanish first.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("ATTKIT_TIME_ZONE", "America/Mexico_City")

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

# Keys: private signing keys live encrypted in the database (with this key) or under var/keys.
KEYS_DIR = VAR_DIR / "keys"
KEY_ENCRYPTION_KEY = env_str("ATTKIT_KEY_ENCRYPTION_KEY", "")
if PRODUCTION and not KEY_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "ATTKIT_KEY_ENCRYPTION_KEY: production needs a key to encrypt signing keys at rest "
        "(generate one with `attkit keys new-kek`)."
    )

SCREENING_THRESHOLD = env_float("ATTKIT_SCREENING_THRESHOLD", 0.7, minimum=0.0, maximum=1.0)
API_TOKEN_DAYS = env_int("ATTKIT_API_TOKEN_DAYS", 90, minimum=1)
SITE_URL = env_str("ATTKIT_SITE_URL", "http://127.0.0.1:8000")

LOG_FORMAT = env_choice("ATTKIT_LOG_FORMAT", ("text", "json"), "json" if PRODUCTION else "text")
LOG_LEVEL = env_choice("ATTKIT_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "attkit.core.middleware.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# A per-process random value so that each worker's tokens differ; not a secret.
INSTANCE_NONCE = secrets.token_hex(4)
CSRF_FAILURE_VIEW = "attkit.core.errors.csrf_failure"
