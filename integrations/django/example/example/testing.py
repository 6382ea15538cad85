import logging

from django.test.runner import DiscoverRunner


class QuietTestRunner(DiscoverRunner):
    """Django's runner, without the expected 401/403/405 warnings and kiosk INFO lines.

    Tests that care about log output capture it themselves (assertLogs); errors still show.
    """

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        logging.getLogger("django.security.csrf").setLevel(logging.ERROR)
        logging.getLogger("kiosk_fleet").setLevel(logging.WARNING)

    def teardown_databases(self, old_config, **kwargs):
        # The kiosk connections' own database thread keeps its connection open; PostgreSQL
        # would refuse to drop the test database while it is.
        from kiosk_fleet.dbthread import close_connections

        close_connections()
        super().teardown_databases(old_config, **kwargs)
