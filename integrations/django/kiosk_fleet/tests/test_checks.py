"""System checks: each misconfiguration is reported by its id, and a good configuration is quiet."""

import sys
from unittest import mock

from django.core import checks
from django.test import SimpleTestCase, override_settings

from .helpers import IN_MEMORY_LAYER, FleetTransactionTestCase

REDIS_LAYER = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}}


def ids(deploy=False):
    return sorted(message.id for message in checks.run_checks(include_deployment_checks=deploy) if message.id.startswith("kiosk_fleet."))


class CheckTests(SimpleTestCase):
    def test_the_example_project_passes(self):
        self.assertEqual(ids(), [])

    def test_checks_are_registered_by_the_app(self):
        with override_settings(ASGI_APPLICATION=None):
            self.assertIn("kiosk_fleet.W002", [m.id for m in checks.run_checks()])

    def test_channels_that_cannot_be_imported_is_an_error(self):
        with mock.patch.dict(sys.modules, {"channels": None}):
            self.assertEqual(ids(), ["kiosk_fleet.E001"])

    @override_settings(CHANNEL_LAYERS={})
    def test_no_default_channel_layer_is_an_error(self):
        self.assertEqual(ids(), ["kiosk_fleet.E002"])

    @override_settings(ASGI_APPLICATION=None)
    def test_no_asgi_application_is_a_warning(self):
        self.assertEqual(ids(), ["kiosk_fleet.W002"])

    def test_the_in_memory_layer_is_flagged_for_deployment_with_a_hint(self):
        with override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER):
            [message] = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "kiosk_fleet.W001"]
            self.assertIn("channels_redis", message.hint)
            self.assertEqual(ids(deploy=False), [])  # only with --deploy
        with override_settings(CHANNEL_LAYERS=REDIS_LAYER):
            self.assertEqual(ids(deploy=True), [])

    def test_settings_of_the_wrong_type_or_range_are_errors(self):
        for name, value in (
            ("KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS", "30"),
            ("KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK", 0),
            ("KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK", 2.5),
            ("KIOSK_FLEET_MAX_FRAME_BYTES", True),
            ("KIOSK_FLEET_RESET_EXPIRES_SECONDS", None),
            ("KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES", 65536),  # smaller than a screenshot frame
        ):
            with self.subTest(name=name, value=value), override_settings(**{name: value}):
                messages = [m for m in checks.run_checks() if m.id.startswith("kiosk_fleet.")]
                self.assertEqual([m.id for m in messages], ["kiosk_fleet.E003"])
                self.assertIn(name, messages[0].msg)
        with override_settings(KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES=None, KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS=2.5):
            self.assertEqual(ids(), [])

    def test_unknown_and_removed_settings_are_warnings_that_name_the_right_one(self):
        with override_settings(KIOSK_FLEET_MAX_CONECTIONS_PER_KIOSK=2):
            [message] = [m for m in checks.run_checks() if m.id.startswith("kiosk_fleet.")]
            self.assertEqual(message.id, "kiosk_fleet.W003")
            self.assertIn("KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK", message.hint)
        with override_settings(KIOSK_FLEET_ONLINE_TIMEOUT_SECONDS=60):
            [message] = [m for m in checks.run_checks() if m.id.startswith("kiosk_fleet.")]
            self.assertIn("KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS", message.hint)
        with override_settings(KIOSK_FLEET_RESET_TTL_SECONDS=300):  # still honoured
            self.assertEqual(ids(), [])


class SeveralWorkersOnTheInMemoryLayerTests(FleetTransactionTestCase):
    async def test_a_worker_that_finds_another_live_worker_says_the_layer_cannot_reach_it(self):
        from django.utils import timezone

        from kiosk_fleet import presence
        from kiosk_fleet.models import Worker

        from .helpers import db

        await db(Worker.objects.create)(id="elsewhere:1:ab", last_heartbeat=timezone.now())
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            client = await self.connect("lobby-1")
        await client.close()
        self.assertIn("in-memory", "\n".join(logs.output))
        self.assertIn("elsewhere:1:ab", "\n".join(logs.output))
        self.assertNotEqual(presence.worker().id, "elsewhere:1:ab")
