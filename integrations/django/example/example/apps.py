from django.apps import AppConfig
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


class ExampleConfig(AppConfig):
    name = "example"
    verbose_name = "kiosk-shell example project"

    def ready(self):
        connection_created.connect(_sqlite_wal, dispatch_uid="example_sqlite_wal")
