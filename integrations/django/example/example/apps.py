import django
from django.apps import AppConfig
from django.core.signals import request_started
from django.db import connections
from django.db.backends.signals import connection_created


def _sqlite_wal(sender, connection, **kwargs):
    # WAL lets readers proceed while one writer writes; with hundreds of kiosks reporting
    # to several daphne workers, the default rollback journal would serialise everything.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            # Safe with WAL (no corruption); a power cut may lose the last commits, which for
            # status reports and acks is a fair price for not syncing the disk on each one.
            cursor.execute("PRAGMA synchronous=NORMAL")


def _drop_broken_connections(sender, **kwargs):
    # What CONN_HEALTH_CHECKS does from Django 4.1 on, for 3.2 (which ignores the setting): a
    # persistent connection that the database closed (a restart, a failover, an idle timeout)
    # is replaced before the request uses it, instead of failing the request. Runs after
    # Django's own close_old_connections, which drops the connections past CONN_MAX_AGE.
    for conn in connections.all():
        if conn.connection is not None and conn.settings_dict.get("CONN_HEALTH_CHECKS") and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


class ExampleConfig(AppConfig):
    name = "example"
    verbose_name = "kiosk-shell example project"

    def ready(self):
        connection_created.connect(_sqlite_wal, dispatch_uid="example_sqlite_wal")
        if django.VERSION < (4, 1):
            request_started.connect(_drop_broken_connections, dispatch_uid="example_connection_health")
