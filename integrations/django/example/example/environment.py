"""Reading the example project's settings from the environment (see settings.py for the list).

Everything here is a plain function of the values it is given, so that the tests can check
each one; settings.py calls them with ``os.environ``. A value that cannot be right raises
``SettingError`` naming the variable: manage.py and asgi.py print it alone and exit, so a
worker never starts half-configured.
"""

from urllib.parse import parse_qsl, unquote, urlsplit

import django
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")

# libpq connection parameters a postgres:// URL may carry as ?key=value (they go to OPTIONS).
POSTGRES_OPTIONS = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword", "connect_timeout",
    "application_name", "options", "target_session_attrs", "keepalives", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "tcp_user_timeout", "channel_binding", "gssencmode",
    "passfile", "service",
}
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


class SettingError(ImproperlyConfigured):
    """A setting from the environment that cannot work; the message starts with the variable's name."""


def env_bool(env, name, default=False):
    value = env.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name}={value!r} is neither on (1/true/yes/on) nor off (0/false/no/off)")


def env_int(env, name, default, minimum=0):
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise SettingError(f"{name}={value!r} is not a whole number of at least {minimum}")
    return number


def env_list(env, name, default):
    return [item.strip() for item in env.get(name, default).split(",") if item.strip()]


def redacted(url):
    """``url`` for a message: scheme, host, port and path only.

    Nothing of the user-info survives, however it is written (an unencoded ``/``, ``?``, ``#``
    or ``@`` in a password makes URL parsers cut it short, and the rest would be printed), and
    the query is dropped (it may hold ``sslpassword=``).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "(not a URL)"
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    for mark in ("?", "#"):
        rest = rest.partition(mark)[0]
    return f"{scheme}://{rest}"


def database_from_url(url, base_dir, name="DATABASE_URL"):
    """One ``DATABASES`` entry from ``sqlite:///PATH`` or ``postgres://USER:PASSWORD@HOST:PORT/NAME?OPTIONS``.

    SQLite: ``sqlite:///db.sqlite3`` is relative to ``base_dir``, ``sqlite:////var/lib/x.sqlite3``
    absolute. PostgreSQL: user, password, host and database name may be %-encoded (a host
    starting with ``/``, e.g. ``%2Frun%2Fpostgresql``, is a socket directory); the query holds
    libpq parameters such as ``sslmode``.
    """

    def bad(why):
        return SettingError(f"{name} is malformed ({why}): {redacted(url)}")

    if "://" not in url:
        raise bad("expected sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/NAME")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        # Not the parser's words: they quote what it took for the port, which may be part of
        # a password with an unencoded "/" or "?" in it.
        raise bad("no valid HOST:PORT; %-encode any / ? # @ : in the user name or password") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc or parts.query or parts.fragment:
            raise bad("a SQLite URL is sqlite:///PATH, with no host, query or fragment")
        path = unquote(parts.path[1:])
        if not path or path == ":memory:" or path.endswith("/"):
            raise bad("a SQLite URL needs a file path: sqlite:///db.sqlite3 or sqlite:////absolute/path.sqlite3")
        return sqlite_database(str(base_dir / path))
    if scheme in POSTGRES_SCHEMES:
        db_name = unquote(parts.path[1:])
        if not db_name or "/" in db_name:
            raise bad("the path must be the database name: postgres://USER:PASSWORD@HOST:PORT/NAME")
        if parts.fragment:
            raise bad("a fragment (#...) means nothing here")
        options = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
            if key not in POSTGRES_OPTIONS:
                raise bad(f"unknown parameter {key!r}; known: {', '.join(sorted(POSTGRES_OPTIONS))}")
            options[key] = value
        if parts.query and not options:
            raise bad("the query must be key=value pairs")
        # An unreachable host fails within seconds instead of the TCP timeout (minutes).
        options.setdefault("connect_timeout", "10")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": postgres_host(parts.netloc),
            "PORT": str(port) if port else "",
            "OPTIONS": options,
        }
    raise bad(f"unsupported scheme {parts.scheme!r}; use sqlite:///PATH or postgres://")


def postgres_host(netloc):
    """The host of a URL's netloc, as written (urlsplit lowercases it, which would change a socket path)."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return unquote(host.partition(":")[0])


def sqlite_database(path):
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Several workers write to one file: wait for the lock instead of failing at once.
        "OPTIONS": {"timeout": 20},
    }


def csrf_trusted_origins(value, name="DJANGO_CSRF_TRUSTED_ORIGINS", django_version=None):
    """Comma-separated origins (``https://kiosks.example.org``, ``https://*.example.org``) in the
    form the running Django wants: origins from 4.0 on; on 3.2, which compares the Referer's
    host on HTTPS requests, host names (``kiosks.example.org``, ``.example.org``)."""
    major = (django_version or django.VERSION)[0]
    origins = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            parts = urlsplit(item)
            parts.port  # noqa: B018 -- raises ValueError for a bad port
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
            raise SettingError(f"{name}: {item!r} is not an origin like https://kiosks.example.org (scheme and host, no path)")
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if major >= 4:
            origins.append(origin)
        else:
            host = parts.netloc.lower()
            origins.append("." + host[2:] if host.startswith("*.") else host)
    return origins


def deployment(env):
    """``(debug, production)``. Production is ``DJANGO_ENV=production``, or, when DJANGO_ENV is
    unset, DJANGO_BEHIND_TLS_PROXY=1. Production never runs with DEBUG; DEBUG behind the proxy
    needs DJANGO_ENV=development."""
    debug = env_bool(env, "DJANGO_DEBUG", False)
    behind_proxy = env_bool(env, "DJANGO_BEHIND_TLS_PROXY", False)
    stage = env.get("DJANGO_ENV", "").strip().lower()
    if stage not in ("", "development", "production"):
        raise SettingError(f"DJANGO_ENV={env['DJANGO_ENV']!r}: use production or development")
    if stage == "production" and debug:
        raise SettingError("DJANGO_DEBUG is on but DJANGO_ENV=production: production never runs with DEBUG")
    if stage == "" and behind_proxy and debug:
        # An env file for the proxy with DJANGO_DEBUG added would serve debug pages to the
        # public: debugging behind the proxy is said out loud.
        raise SettingError(
            "DJANGO_DEBUG is on behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY=1): set DJANGO_ENV=development "
            "to debug behind the proxy, or turn DJANGO_DEBUG off"
        )
    production = stage == "production" or (stage == "" and behind_proxy)
    return debug, production


def redis_url(env, name="KIOSK_REDIS_URL"):
    value = env.get(name, "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError:
        raise SettingError(f"{name} is malformed (no valid HOST:PORT; %-encode any / ? # @ : in the password): {redacted(value)}") from None
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingError(f"{name} is malformed (expected redis://HOST:PORT/DB, rediss://... or unix:///PATH): {redacted(value)}")
    return value
