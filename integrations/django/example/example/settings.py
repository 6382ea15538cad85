"""Settings of the kiosk-shell example project; everything that differs per site comes from the environment.

DJANGO_SECRET_KEY      required in production (a development key is used, with a warning, if unset)
DJANGO_DEBUG           "1"/"true"/"yes"/"on" to enable debug; off by default
DJANGO_ALLOWED_HOSTS   comma-separated; default "127.0.0.1,localhost"
DJANGO_DB_PATH         SQLite file; default db.sqlite3 beside manage.py
DJANGO_TIME_ZONE       default "UTC"
DJANGO_LOG_LEVEL       level of the kiosk_fleet logger; default INFO
KIOSK_REDIS_URL        e.g. redis://127.0.0.1:6379/0: use Redis as the channel layer, so several
                       daphne workers and management commands share one fleet. Unset: in-memory
                       (one process only).
KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS
                       a worker that stops or dies takes its kiosks offline within this; default 30
KIOSK_FLEET_BACKLOG_STEP_SECONDS
                       how long an owed command waits for its answer before the next one goes; default 10
"""

import os
import tempfile
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-set-DJANGO_SECRET_KEY-in-production"
    warnings.warn("DJANGO_SECRET_KEY is not set: using an insecure development key.", RuntimeWarning)

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH") or str(BASE_DIR / "db.sqlite3"),
        # Several workers write to one file: wait for the lock instead of failing at once.
        "OPTIONS": {"timeout": 20},
        # Keep connections open (the kiosk connections' database thread makes thousands of
        # small calls; reopening the file and setting WAL for each one costs more than the call).
        "CONN_MAX_AGE": 60,
        # Tests use a file too (not SQLite's shared in-memory database, whose table locks do
        # not wait): the kiosk connections run their queries in a thread of their own.
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), "kiosk-fleet-test-%d.sqlite3" % os.getpid())},
    }
}

if os.environ.get("KIOSK_REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["KIOSK_REDIS_URL"]]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# kiosk_fleet (the defaults, listed here to show they exist; see the app's conf.py)
KIOSK_FLEET_RESET_EXPIRES_SECONDS = 600
KIOSK_FLEET_COMMAND_EXPIRES_SECONDS = 900
KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS = float(os.environ.get("KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS", "30"))
KIOSK_FLEET_BACKLOG_STEP_SECONDS = float(os.environ.get("KIOSK_FLEET_BACKLOG_STEP_SECONDS", "10"))
KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS = 5
KIOSK_FLEET_SCREENSHOT_MAX_BYTES = 262144

# The events answer carries the asking kiosk's current announcements (the admin's
# "Announcements"): {"events": [...], "announcements": [...]}.
KIOSK_CONTENT_ANNOUNCEMENTS = "kiosk_fleet.announcements.for_request"

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
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
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
        "kiosk_fleet": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"), "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
