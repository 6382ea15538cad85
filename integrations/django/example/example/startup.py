"""What a daphne worker checks before it serves anything (called by asgi.py).

A worker that cannot reach its database or its channel layer would accept kiosk connections
and then fail every one of them: it stops at start instead, with a message naming the
variable to fix. Management commands do not run this (``check`` and ``makemigrations
--check`` need neither); those that use the database fail on their first query.
"""

from django.conf import settings
from django.db import DatabaseError, connections

from .environment import SettingError, redacted


def check_services(env):
    for alias in connections:
        try:
            connections[alias].ensure_connection()
        except DatabaseError as exc:
            source = "DATABASE_URL" if env.get("DATABASE_URL", "").strip() else "DJANGO_DB_PATH"
            where = redacted(env.get("DATABASE_URL", "").strip()) or settings.DATABASES[alias]["NAME"]
            raise SettingError(f"{source}: cannot reach the database {where}: {str(exc).strip()}") from None
        finally:
            connections[alias].close()
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if layer.get("BACKEND") == "channels_redis.core.RedisChannelLayer":
        import redis  # what channels_redis itself uses

        for host in layer["CONFIG"]["hosts"]:
            client = redis.Redis.from_url(host, socket_connect_timeout=5, socket_timeout=5)
            try:
                client.ping()
            except redis.RedisError as exc:
                raise SettingError(f"KIOSK_REDIS_URL: cannot reach Redis at {redacted(host)}: {exc}") from None
            finally:
                client.close()
