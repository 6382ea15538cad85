"""Settings of the kiosk-shell example project; everything that differs per site comes from the environment.

DJANGO_ENV             "production" or "development"; unset: production exactly when
                       DJANGO_BEHIND_TLS_PROXY is on and DJANGO_DEBUG off. Production refuses to
                       start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, or with DEBUG.
DJANGO_SECRET_KEY      required in production (elsewhere a development key is used, with a warning)
DJANGO_DEBUG           "1"/"true"/"yes"/"on" to enable debug; off by default
DJANGO_ALLOWED_HOSTS   comma-separated; default "127.0.0.1,localhost" (outside production)
DJANGO_CSRF_TRUSTED_ORIGINS
                       comma-separated origins, e.g. "https://kiosks.example.org"
DJANGO_BEHIND_TLS_PROXY
                       on: served over HTTPS by a proxy that sets X-Forwarded-Proto: trust that
                       header, secure cookies, redirect to HTTPS, HSTS (DJANGO_HSTS_SECONDS,
                       default one year; DJANGO_HSTS_INCLUDE_SUBDOMAINS, DJANGO_HSTS_PRELOAD, on;
                       DJANGO_SSL_REDIRECT, on)
DATABASE_URL           sqlite:///PATH (relative to this project) or postgres://USER:PASSWORD@HOST:PORT/NAME;
                       default: SQLite in DJANGO_DB_PATH, or db.sqlite3 beside manage.py
DJANGO_DB_PATH         the SQLite file when DATABASE_URL is unset (kept for existing installations)
DJANGO_CONN_MAX_AGE    seconds a database connection is kept open (checked before reuse); default 60
DJANGO_TIME_ZONE       default "UTC"
DJANGO_LOG_LEVEL       level of the kiosk_fleet logger; default INFO
KIOSK_REDIS_URL        e.g. redis://127.0.0.1:6379/0: use Redis as the channel layer, so several
                       daphne workers and management commands share one fleet. Unset: in-memory
                       (one process only).
KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS
                       a worker that stops or dies takes its kiosks offline within this; default 30
KIOSK_FLEET_BACKLOG_STEP_SECONDS
                       how long an owed command waits for its answer before the next one goes; default 10

A value that cannot work stops manage.py and daphne at start with a message naming the
variable (example.environment.SettingError); daphne workers also stop at start when the
database or Redis cannot be reached (example.startup).
"""

import os
import tempfile
import warnings
from pathlib import Path

from .environment import (
    SettingError, csrf_trusted_origins, database_from_url, deployment, env_bool, env_int, env_list, redis_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ

DEBUG, PRODUCTION = deployment(env)

SECRET_KEY = env.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if PRODUCTION:
        raise SettingError(
            "DJANGO_SECRET_KEY is not set, and this is production (DJANGO_ENV=production or DJANGO_BEHIND_TLS_PROXY=1): "
            "set it to a long random value, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-set-DJANGO_SECRET_KEY-in-production"
    warnings.warn("DJANGO_SECRET_KEY is not set: using an insecure development key.", RuntimeWarning)

if PRODUCTION and not env_list(env, "DJANGO_ALLOWED_HOSTS", ""):
    raise SettingError("DJANGO_ALLOWED_HOSTS is not set, and this is production: list the site's host names, comma-separated")
ALLOWED_HOSTS = env_list(env, "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = csrf_trusted_origins(env.get("DJANGO_CSRF_TRUSTED_ORIGINS", ""))

if env_bool(env, "DJANGO_BEHIND_TLS_PROXY", False):
    # A reverse proxy terminates TLS; it must set X-Forwarded-Proto (replacing any a client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool(env, "DJANGO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int(env, "DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(env, "DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool(env, "DJANGO_HSTS_PRELOAD", True)

INSTALLED_APPS = [
    "daphne",  # makes `manage.py runserver` serve ASGI (WebSockets) too
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "kiosk_fleet",
    "content",
    "example.apps.ExampleConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example.urls"
ASGI_APPLICATION = "example.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if env.get("DATABASE_URL", "").strip():
    database = database_from_url(env["DATABASE_URL"].strip(), BASE_DIR)
else:
    database = sqlite_database(env.get("DJANGO_DB_PATH") or str(BASE_DIR / "db.sqlite3"))
# Keep connections open (the kiosk connections' database thread makes thousands of small
# calls; opening a connection, or the SQLite file and setting WAL, costs more than the call),
# and check one before reusing it (Django 4.1 and later; see example.apps for 3.2), so that a
# database restart costs no failed request.
database["CONN_MAX_AGE"] = env_int(env, "DJANGO_CONN_MAX_AGE", 60)
database["CONN_HEALTH_CHECKS"] = True
if database["ENGINE"] == "django.db.backends.sqlite3":
    # Tests use a file too (not SQLite's shared in-memory database, whose table locks do
    # not wait): the kiosk connections run their queries in a thread of their own.
    database["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), "kiosk-fleet-test-%d.sqlite3" % os.getpid())}
DATABASES = {"default": database}

redis_location = redis_url(env)
if redis_location:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_location]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# kiosk_fleet (the defaults, listed here to show they exist; see the app's conf.py)
KIOSK_FLEET_RESET_EXPIRES_SECONDS = 600
KIOSK_FLEET_COMMAND_EXPIRES_SECONDS = 900
KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS = float(env.get("KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS", "30"))
KIOSK_FLEET_BACKLOG_STEP_SECONDS = float(env.get("KIOSK_FLEET_BACKLOG_STEP_SECONDS", "10"))
KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS = 5
KIOSK_FLEET_SCREENSHOT_MAX_BYTES = 262144

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A new kiosk token is shown once in an admin message; keep messages server-side (session)
# rather than in a cookie, so the token does not travel in a Set-Cookie header.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
DEFAULT_EXCEPTION_REPORTER_FILTER = "example.reporting.KioskSafeExceptionReporterFilter"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    # The kiosk API is JSON only; views choose their own authentication (see content.views).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Served by daphne through ASGIStaticFilesHandler (see asgi.py): no collectstatic needed.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEST_RUNNER = "example.testing.QuietTestRunner"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "kiosk_fleet": {"handlers": ["console"], "level": env.get("DJANGO_LOG_LEVEL", "INFO"), "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
