"""The WebSocket consumer: authentication, targeting, acks, late delivery, robustness."""

import asyncio
import json
import logging
from datetime import timedelta
from io import StringIO
from unittest import mock

from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.core.management import call_command
from django.test import override_settings

from kiosk_fleet import presence
from kiosk_fleet.consumers import CLOSE_CREDENTIALS_CHANGED, CLOSE_WRONG_KIOSK
from kiosk_fleet.models import Kiosk, ResetCommand, ResetDelivery
from kiosk_fleet.resets import send_reset
from kiosk_fleet.routing import websocket_urlpatterns
from kiosk_fleet.security import RefuseForeignBrowserOrigin

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, delivery_state, eventually

db = database_sync_to_async


class AuthenticationTests(FleetTransactionTestCase):
    async def test_no_header_is_refused_before_accept(self):
        client = KioskClient()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            connected, _ = await client.connect()
        self.assertFalse(connected)
        self.assertIn("refused", logs.output[0])
        await client.close()

    async def test_wrong_token_is_refused_and_not_logged(self):
        await db(create_kiosk)("lobby-1")
        wrong = "not-the-token-" + "x" * 30
        client = KioskClient(token=wrong)
        with self.assertLogs("kiosk_fleet", "DEBUG") as logs:
            connected, _ = await client.connect()
        self.assertFalse(connected)
        self.assertNotIn(wrong, "\n".join(logs.output))
        await client.close()

    async def test_wrong_scheme_is_refused(self):
        _, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(headers=[(b"authorization", ("Bearer %s" % token).encode())])
        with self.assertLogs("kiosk_fleet", "WARNING"):
            connected, _ = await client.connect()
        self.assertFalse(connected)
        await client.close()

    async def test_revoked_token_is_refused(self):
        _, token = await db(create_kiosk)("lobby-1", revoked=True)
        client = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            connected, _ = await client.connect()
        self.assertFalse(connected)
        await client.close()

    async def test_right_token_is_accepted_and_counted_online(self):
        _, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        connected, _ = await client.connect()
        self.assertTrue(connected)
        await client.hello(version="2.3.4")
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual(kiosk.connections, 1)
        self.assertTrue(kiosk.is_online())
        self.assertEqual(kiosk.version, "2.3.4")
        await client.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual(kiosk.connections, 0)
        self.assertFalse(kiosk.is_online())

    async def test_token_printed_by_kiosk_enroll_authenticates(self):
        out = StringIO()
        await db(call_command)("kiosk_enroll", "hall-3", "--group", "lobby", stdout=out)
        token = out.getvalue().strip().splitlines()[-1]
        client = KioskClient(token=token, kiosk_id="hall-3")
        connected, _ = await client.connect()
        self.assertTrue(connected)
        await client.close()

    async def test_hello_claiming_another_kiosk_is_closed_4003(self):
        await db(create_kiosk)("lobby-2")
        _, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await client.send_json({"type": "kiosk.hello", "kiosk": "lobby-2", "groups": [], "version": "1"})
            self.assertEqual(await client.receive_close_code(), CLOSE_WRONG_KIOSK)
        await client.close()
        lobby2 = await db(Kiosk.objects.get)(kiosk_id="lobby-2")
        self.assertEqual(lobby2.version, "")  # nothing was recorded for the impersonated kiosk

    async def test_rotating_the_token_closes_the_live_connection_and_refuses_the_old_token(self):
        kiosk, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])

        def rotate():
            new = kiosk.issue_token()
            kiosk.save(update_fields=["token_hash"])
            return new

        new_token = await db(rotate)()
        self.assertEqual(await client.receive_close_code(), CLOSE_CREDENTIALS_CHANGED)
        await client.close()
        old = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            self.assertFalse((await old.connect())[0])
        await old.close()
        new = KioskClient(token=new_token)
        self.assertTrue((await new.connect())[0])
        await new.close()

    async def test_revoking_closes_the_live_connection(self):
        kiosk, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        kiosk.revoked = True
        await db(kiosk.save)()
        self.assertEqual(await client.receive_close_code(), CLOSE_CREDENTIALS_CHANGED)
        await client.close()


class TargetingTests(FleetTransactionTestCase):
    async def _connect_fleet(self):
        self.clients = {}
        for kiosk_id, groups in (("lobby-1", "lobby"), ("lobby-2", "lobby,floor-2"), ("office-7", "floor-2"), ("hall-1", "")):
            _, token = await db(create_kiosk)(kiosk_id, groups)
            client = KioskClient(token=token, kiosk_id=kiosk_id)
            self.assertTrue((await client.connect())[0])
            await client.hello()
            self.clients[kiosk_id] = client

    async def _close_fleet(self):
        for client in self.clients.values():
            await client.close()

    async def assert_reaches(self, target, expected):
        await self._connect_fleet()
        try:
            reset = await db(send_reset)(target, reason="test")
            for kiosk_id, client in self.clients.items():
                if kiosk_id in expected:
                    frame = await client.receive_json()
                    self.assertEqual(
                        frame, {"type": "kiosk.reset", "id": reset.id, "target": target, "reason": "test"}
                    )
                    # A kiosk in two targeted groups still gets the frame only once.
                    self.assertTrue(await client.receives_nothing(0.05))
                else:
                    self.assertTrue(await client.receives_nothing(), "%s got a reset not meant for it" % kiosk_id)
            states = await db(lambda: dict(reset.deliveries.values_list("kiosk__kiosk_id", "state")))()
            self.assertEqual(states, {kiosk_id: ResetDelivery.SENT for kiosk_id in expected})
        finally:
            await self._close_fleet()

    async def test_all(self):
        await self.assert_reaches("all", {"lobby-1", "lobby-2", "office-7", "hall-1"})

    async def test_one_kiosk(self):
        await self.assert_reaches({"kiosks": ["office-7"]}, {"office-7"})

    async def test_one_group(self):
        await self.assert_reaches({"groups": ["floor-2"]}, {"lobby-2", "office-7"})

    async def test_two_groups_deliver_once_to_a_kiosk_in_both(self):
        await self.assert_reaches({"groups": ["floor-2", "lobby"]}, {"lobby-1", "lobby-2", "office-7"})

    async def test_group_change_in_admin_applies_to_the_live_connection(self):
        kiosk, token = await db(create_kiosk)("mover", "lobby")
        client = KioskClient(token=token, kiosk_id="mover")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        kiosk.groups = "floor-9"
        await db(kiosk.save)()
        await client.barrier()  # the refresh event was handled before this hello
        await db(send_reset)({"groups": ["lobby"]})
        self.assertTrue(await client.receives_nothing())
        reset = await db(send_reset)({"groups": ["floor-9"]})
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()


class AckTests(FleetTransactionTestCase):
    async def connect(self, kiosk_id, groups=""):
        _, token = await db(create_kiosk)(kiosk_id, groups)
        client = KioskClient(token=token, kiosk_id=kiosk_id)
        self.assertTrue((await client.connect())[0])
        await client.hello()
        return client

    async def test_ack_reloaded_marks_the_delivery_acknowledged(self):
        a = await self.connect("lobby-1")
        b = await self.connect("lobby-2")
        reset = await db(send_reset)("all")
        self.assertEqual((await a.receive_json())["id"], reset.id)
        await a.ack(reset.id, "reloaded", ms=812)
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == ResetDelivery.ACKNOWLEDGED)
        delivery = await db(ResetDelivery.objects.get)(reset=reset, kiosk__kiosk_id="lobby-1")
        self.assertEqual(delivery.ms, 812)
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-2"), ResetDelivery.SENT)
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.last_ack_reset_id, kiosk.last_ack_status), (reset.id, "reloaded"))
        await b.ack(reset.id, "failed", ms=5)
        await eventually(lambda: delivery_state(reset.id, "lobby-2") == ResetDelivery.FAILED)
        await a.close()
        await b.close()

    async def test_ack_ignored_is_recorded_and_cannot_downgrade_reloaded(self):
        a = await self.connect("lobby-1")
        reset = await db(send_reset)("all")
        await a.receive_json()
        await a.ack(reset.id, "ignored")
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == ResetDelivery.IGNORED)
        await a.ack(reset.id, "reloaded")
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == ResetDelivery.ACKNOWLEDGED)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await a.ack(reset.id, "failed")
            await a.barrier()
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), ResetDelivery.ACKNOWLEDGED)
        await a.close()

    async def test_ack_for_a_reset_not_targeted_at_this_kiosk_is_ignored(self):
        a = await self.connect("lobby-1", "lobby")
        b = await self.connect("office-7", "floor-2")
        reset = await db(send_reset)({"groups": ["floor-2"]})
        await b.receive_json()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await a.ack(reset.id, "reloaded")
            await a.barrier()
        self.assertIn("ack for a reset", "\n".join(logs.output))
        self.assertFalse(await db(ResetDelivery.objects.filter(reset=reset, kiosk__kiosk_id="lobby-1").exists)())
        self.assertEqual(await db(delivery_state)(reset.id, "office-7"), ResetDelivery.SENT)
        await a.close()
        await b.close()

    async def test_ack_for_an_unknown_reset_is_ignored(self):
        a = await self.connect("lobby-1")
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await a.ack("r-000000000000", "reloaded")
            await a.barrier()
        self.assertEqual(await db(ResetDelivery.objects.count)(), 0)
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertIsNone(kiosk.last_ack_reset_id)
        await a.close()

    async def test_ack_claiming_another_kiosk_is_ignored(self):
        a = await self.connect("lobby-1")
        b = await self.connect("lobby-2")
        reset = await db(send_reset)("all")
        await a.receive_json()
        await b.receive_json()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await a.ack(reset.id, "reloaded", kiosk="lobby-2")
            await a.barrier()
        self.assertIn("another kiosk", "\n".join(logs.output))
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-2"), ResetDelivery.SENT)
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), ResetDelivery.SENT)
        await a.close()
        await b.close()


class LateDeliveryTests(FleetTransactionTestCase):
    async def test_offline_kiosk_gets_the_pending_reset_on_hello_within_ttl(self):
        _, token = await db(create_kiosk)("lobby-1")
        reset = await db(send_reset)("all", reason="while you were away")
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), ResetDelivery.OFFLINE)
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        self.assertTrue(await client.receives_nothing(0.1))  # delivered on hello, not before
        await client.hello()
        frame = await client.receive_json()
        self.assertEqual(frame["id"], reset.id)
        self.assertEqual(frame["reason"], "while you were away")
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), ResetDelivery.SENT)
        await client.ack(reset.id)
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == ResetDelivery.ACKNOWLEDGED)
        await client.close()

    async def test_offline_kiosk_does_not_get_a_reset_older_than_the_ttl(self):
        _, token = await db(create_kiosk)("lobby-1")
        reset = await db(send_reset)("all")
        await db(ResetCommand.objects.filter(pk=reset.pk).update)(
            created_at=reset.created_at - timedelta(seconds=301)
        )
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertTrue(await client.receives_nothing())
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), ResetDelivery.OFFLINE)
        await client.close()

    @override_settings(KIOSK_FLEET_RESET_TTL_SECONDS=30)
    async def test_ttl_comes_from_settings(self):
        _, token = await db(create_kiosk)("lobby-1")
        reset = await db(send_reset)("all")
        await db(ResetCommand.objects.filter(pk=reset.pk).update)(created_at=reset.created_at - timedelta(seconds=31))
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertTrue(await client.receives_nothing())
        await client.close()

    async def test_kiosk_enrolled_after_the_reset_does_not_get_it(self):
        reset = await db(send_reset)("all")
        _, token = await db(create_kiosk)("newcomer")
        client = KioskClient(token=token, kiosk_id="newcomer")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertTrue(await client.receives_nothing())
        self.assertIsNone(await db(delivery_state)(reset.id, "newcomer"))
        await client.close()


class RobustnessTests(FleetTransactionTestCase):
    async def connect(self, kiosk_id):
        _, token = await db(create_kiosk)(kiosk_id)
        client = KioskClient(token=token, kiosk_id=kiosk_id)
        self.assertTrue((await client.connect())[0])
        await client.hello()
        return client

    async def test_malformed_messages_are_ignored_logged_and_harm_no_one(self):
        bad = await self.connect("broken-1")
        good = await self.connect("lobby-1")
        garbage = [
            "not json",
            "{",
            "[]",
            "42",
            "null",
            '"kiosk.hello"',
            json.dumps({"no": "type"}),
            json.dumps({"type": 7}),
            json.dumps({"type": None, "kiosk": "broken-1"}),
            json.dumps({"type": "kiosk.ack", "id": 123, "status": "reloaded"}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": ["reloaded"]}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "exploded"}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "reloaded", "ms": "fast"}),
            json.dumps({"type": "kiosk.ack", "id": "../../etc", "status": "reloaded"}),
            json.dumps({"type": "kiosk.status", "kiosk": ["broken-1"]}),
            json.dumps({"type": "kiosk.status", "renderer": {"x": 1}, "uptimeSeconds": "long", "lastApiOkAt": [1]}),
            json.dumps({"type": "kiosk.hello", "version": {"major": 1}}),
            json.dumps({"type": "kiosk.reset", "id": "r-evil", "target": "all"}),  # kiosks cannot publish
            json.dumps({"type": "reset"}),
            "reset",
            "x" * (65 * 1024),
            '{"type": "kiosk.status", "uptimeSeconds": 1e999, "renderer": "\\u0000\\u202e"}',
        ]
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await bad.send_bytes(b"\x00\x01binary")
            for text in garbage:
                await bad.send_text(text)
            await asyncio.sleep(1.5)  # let the rate limiter refill so the barrier is not dropped
            await bad.barrier()
        self.assertTrue(any("binary" in line for line in logs.output))
        self.assertTrue(any("not JSON" in line for line in logs.output))
        self.assertFalse(any(record.levelno >= logging.ERROR for record in logs.records))
        self.assertFalse(await db(ResetCommand.objects.exists)())
        self.assertTrue(await good.receives_nothing())  # nothing the bad kiosk sent reached others

        # Both connections still work.
        reset = await db(send_reset)("all")
        for client in (bad, good):
            self.assertEqual((await client.receive_json())["id"], reset.id)
            await client.ack(reset.id)
        await eventually(lambda: ResetDelivery.objects.filter(reset=reset, state=ResetDelivery.ACKNOWLEDGED).count() == 2)
        await bad.close()
        await good.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="broken-1")
        # The last status report (held back by the throttle, written on disconnect) was cleaned.
        self.assertEqual(kiosk.renderer_state, "")  # control characters stripped
        self.assertEqual(kiosk.uptime_seconds, 2**31 - 1)  # infinity clamped

    def count_status_writes(self):
        writes = []
        original = presence.save_status

        def counting_save_status(*args):
            writes.append(args)
            return original(*args)

        patcher = mock.patch.object(presence, "save_status", counting_save_status)
        patcher.start()
        self.addCleanup(patcher.stop)
        return writes

    async def test_status_reports_are_throttled_and_the_newest_is_kept(self):
        client = await self.connect("lobby-1")
        writes = self.count_status_writes()
        for i in range(25):
            await client.send_json({
                "type": "kiosk.status", "kiosk": "lobby-1", "version": "1.0.0", "uptimeSeconds": i,
                "renderer": "alive" if i < 24 else "crashed", "uplink": "open", "lastApiOkAt": 1700000000000 + i,
                "someFutureField": {"nested": True},
            })
        await client.barrier()
        self.assertEqual(len(writes), 1)  # one write per interval, however many reports
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.renderer_state, kiosk.uplink_state, kiosk.uptime_seconds), ("alive", "open", 0))

        await client.close()  # what the throttle held back is written on disconnect
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.renderer_state, kiosk.uptime_seconds), ("crashed", 24))
        self.assertEqual(kiosk.last_api_ok_at, "1700000000024")
        self.assertEqual(kiosk.connections, 0)

    async def test_message_flood_is_dropped_without_harm(self):
        client = await self.connect("lobby-1")
        other = await self.connect("lobby-2")
        writes = self.count_status_writes()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            for _ in range(300):
                await client.send_json({"type": "kiosk.status", "kiosk": "lobby-1", "renderer": "flood"})
            for _ in range(300):
                await client.ack("r-000000000000")
            await asyncio.sleep(0.5)  # let the rate limiter refill so the barrier is not dropped
            await client.barrier()
        self.assertTrue(any("too many messages" in line for line in logs.output))
        self.assertLessEqual(len(logs.output), 12)  # a flood does not flood the logs either
        self.assertLessEqual(len(writes), 1)

        # The other kiosk was unaffected, and the flooding one still receives resets.
        reset = await db(send_reset)("all")
        self.assertEqual((await other.receive_json())["id"], reset.id)
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()
        await other.close()

    @override_settings(KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS=0)
    async def test_status_is_written_when_the_interval_allows(self):
        client = await self.connect("lobby-1")
        await client.send_json({"type": "kiosk.status", "kiosk": "lobby-1", "renderer": "unresponsive", "uplink": "open"})
        await eventually(lambda: Kiosk.objects.filter(kiosk_id="lobby-1", renderer_state="unresponsive").exists())
        await client.send_json({"type": "kiosk.status", "renderer": "alive"})  # "kiosk" may be left out
        await eventually(lambda: Kiosk.objects.filter(kiosk_id="lobby-1", renderer_state="alive").exists())
        await client.close()

    async def test_database_error_does_not_drop_the_connection(self):
        client = await self.connect("lobby-1")
        with mock.patch("kiosk_fleet.resets.record_ack", side_effect=RuntimeError("database is locked")):
            with self.assertLogs("kiosk_fleet", "ERROR"):
                await client.ack("r-000000000000", "reloaded")
                await client.barrier()
        reset = await db(send_reset)("all")
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()


class OriginTests(FleetTransactionTestCase):
    @override_settings(ALLOWED_HOSTS=["kiosks.example.org"])
    async def test_browser_origins_other_than_allowed_hosts_are_refused(self):
        _, token = await db(create_kiosk)("lobby-1")
        app = RefuseForeignBrowserOrigin(URLRouter(websocket_urlpatterns))
        auth = (b"authorization", ("Token %s" % token).encode())
        cases = [
            ([auth], True),  # a kiosk: no Origin
            ([auth, (b"origin", b"https://kiosks.example.org")], True),
            ([auth, (b"origin", b"https://evil.example.com")], False),
            ([auth, (b"origin", b"null")], False),
        ]
        for headers, expected in cases:
            client = KioskClient(headers=headers, app=app)
            connected, _ = await client.connect()
            self.assertEqual(connected, expected, headers)
            await client.close()
