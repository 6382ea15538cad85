"""The WebSocket consumer: authentication, per-kiosk frames, acks, owed commands on hello,
screenshots, and robustness against whatever a token holder sends."""

import asyncio
import base64
import json
import logging
from datetime import timedelta
from io import StringIO
from unittest import mock

from channels.routing import URLRouter
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kiosk_fleet import commands, presence
from kiosk_fleet.commands import send_command, send_reset
from kiosk_fleet.consumers import CLOSE_CREDENTIALS_CHANGED, CLOSE_WRONG_KIOSK
from kiosk_fleet.models import Command, Delivery, Kiosk, Screenshot
from kiosk_fleet.routing import websocket_urlpatterns
from kiosk_fleet.security import RefuseForeignBrowserOrigin

from .helpers import (
    JPEG_64x36, FleetTransactionTestCase, KioskClient, create_kiosk, db, delivery_state, eventually, padded_jpeg,
    states,
)


def own(kiosk_id):
    return {"kiosks": [kiosk_id]}


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
        wrong = "kfk_not-the-token-" + "x" * 30
        client = KioskClient(token=wrong)
        with self.assertLogs("kiosk_fleet", "DEBUG") as logs:
            connected, _ = await client.connect()
        self.assertFalse(connected)
        self.assertNotIn(wrong, "\n".join(logs.output))
        self.assertFalse(await db(presence.Connection.objects.exists)())
        await client.close()

    async def test_wrong_scheme_is_refused(self):
        _, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(headers=[(b"authorization", ("Bearer %s" % token).encode())])
        with self.assertLogs("kiosk_fleet", "WARNING"):
            connected, _ = await client.connect()
        self.assertFalse(connected)
        await client.close()

    async def test_revoked_kiosk_is_refused(self):
        kiosk, token = await db(create_kiosk)("lobby-1")
        kiosk.revoked = True
        await db(kiosk.save)()
        client = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            connected, _ = await client.connect()
        self.assertFalse(connected)
        await client.close()

    async def test_right_token_is_online_while_connected_and_offline_after(self):
        client = await self.connect("lobby-1", version="2.3.4")
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertTrue(await db(kiosk.is_online)())
        self.assertEqual(kiosk.version, "2.3.4")
        await client.close()
        self.assertFalse(await db(kiosk.is_online)())
        self.assertFalse(await db(presence.Connection.objects.exists)())
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertIsNotNone(kiosk.last_seen)

    async def test_token_printed_by_kiosk_enroll_authenticates(self):
        out = StringIO()
        await db(call_command)("kiosk_enroll", "hall-3", "--group", "lobby", stdout=out)
        token = out.getvalue().strip().splitlines()[-1]
        self.assertTrue(token.startswith("kfk_"))
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

    async def test_revoking_closes_the_live_connection_and_un_revoking_does_not_bring_the_token_back(self):
        kiosk, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        kiosk = await db(Kiosk.objects.get)(pk=kiosk.pk)
        kiosk.revoked = True
        await db(kiosk.save)()
        self.assertEqual(await client.receive_close_code(), CLOSE_CREDENTIALS_CHANGED)
        await client.close()
        kiosk = await db(Kiosk.objects.get)(pk=kiosk.pk)
        kiosk.revoked = False
        await db(kiosk.save)()
        again = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            self.assertFalse((await again.connect())[0])
        await again.close()


class TargetingTests(FleetTransactionTestCase):
    async def _connect_fleet(self):
        self.clients = {}
        for kiosk_id, groups in (("lobby-1", "lobby"), ("lobby-2", "lobby,floor-2"), ("office-7", "floor-2"), ("hall-1", "")):
            self.clients[kiosk_id] = await self.connect(kiosk_id, groups)

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
                    # The kiosk's own id only: no frame lists the fleet.
                    self.assertEqual(frame, {"type": "kiosk.reset", "id": reset.id, "target": own(kiosk_id), "reason": "test"})
                    # A kiosk in two targeted groups still gets the frame only once.
                    self.assertTrue(await client.receives_nothing(0.05))
                else:
                    self.assertTrue(await client.receives_nothing(), "%s got a reset not meant for it" % kiosk_id)
            await eventually(lambda: states(reset.id) == {kiosk_id: Delivery.SENT for kiosk_id in expected})
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

    async def test_commands_other_than_reset_are_kiosk_command_frames_with_their_expiry(self):
        client = await self.connect("lobby-1")
        shot = await db(send_command)("screenshot", "all", args={"maxWidth": 640}, expires_in=120)
        frame = await client.receive_json()
        self.assertEqual(frame, {
            "type": "kiosk.command", "id": shot.id, "command": "screenshot", "target": own("lobby-1"),
            "args": {"maxWidth": 640}, "when": "now", "expiresAt": shot.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })
        idle_reset = await db(send_command)("reset", "all", when="idle")
        frame = await client.receive_json()
        self.assertEqual((frame["type"], frame["command"], frame["when"]), ("kiosk.command", "reset", "idle"))
        self.assertTrue(idle_reset.id.startswith("r-") and shot.id.startswith("c-"))
        await client.close()

    async def test_kiosk_enrolled_after_the_command_gets_nothing(self):
        reset = await db(send_reset)("all")
        client = await self.connect("newcomer")
        self.assertTrue(await client.receives_nothing())
        self.assertIsNone(await db(delivery_state)(reset.id, "newcomer"))
        # Nor from a live event for it (a kiosk in the "all" group, without a delivery).
        await db(commands.layer.publish_command)(reset)
        self.assertTrue(await client.receives_nothing())
        await client.close()

    async def test_group_change_in_admin_applies_to_the_live_connection(self):
        client = await self.connect("mover", "lobby")
        kiosk = await db(Kiosk.objects.get)(kiosk_id="mover")
        kiosk.groups = "floor-9"
        await db(kiosk.save)()
        await client.barrier()  # the refresh event was handled before this hello
        await db(send_reset)({"groups": ["lobby"]})
        self.assertTrue(await client.receives_nothing())
        reset = await db(send_reset)({"groups": ["floor-9"]})
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()


class AckTests(FleetTransactionTestCase):
    async def test_acks_record_the_terminal_state_reason_and_ms(self):
        a = await self.connect("lobby-1")
        b = await self.connect("lobby-2")
        reset = await db(send_reset)("all")
        self.assertEqual((await a.receive_json())["id"], reset.id)
        self.assertEqual((await b.receive_json())["id"], reset.id)
        await a.ack(reset.id, "reloaded", ms=812)
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == Delivery.RELOADED)
        delivery = await db(Delivery.objects.get)(command=reset, kiosk_key="lobby-1")
        self.assertEqual((delivery.ms, delivery.reason), (812, ""))
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-2"), Delivery.SENT)
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.last_ack_command_id, kiosk.last_ack_status), (reset.id, "reloaded"))
        await b.ack(reset.id, "ignored", ms=5, reason="too-soon", command="reset")
        await eventually(lambda: delivery_state(reset.id, "lobby-2") == Delivery.IGNORED)
        delivery = await db(Delivery.objects.get)(command=reset, kiosk_key="lobby-2")
        self.assertEqual(delivery.reason, "too-soon")
        await a.close()
        await b.close()

    async def test_accepted_then_done(self):
        a = await self.connect("lobby-1")
        restart = await db(send_command)("restart", "all", when="idle")
        await a.receive_json()
        await a.ack(restart.id, "accepted", ms=None, command="restart", waitingFor="idle")
        await eventually(lambda: delivery_state(restart.id, "lobby-1") == Delivery.ACCEPTED)
        self.assertEqual((await db(Delivery.objects.get)(command=restart)).waiting_for, "idle")
        await a.ack(restart.id, "done", ms=4200, command="restart")
        await eventually(lambda: delivery_state(restart.id, "lobby-1") == Delivery.DONE)
        await a.close()

    async def test_a_terminal_state_never_changes_and_a_repeat_is_harmless(self):
        a = await self.connect("lobby-1")
        reset = await db(send_reset)("all")
        await a.receive_json()
        await a.ack(reset.id, "failed", reason="no-window")
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == Delivery.FAILED)
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await a.ack(reset.id, "ignored")
            await a.ack(reset.id, "reloaded")
            await a.barrier()
        self.assertIn("only move forward", "\n".join(logs.output))
        await a.ack(reset.id, "failed", reason="no-window")  # the stored ack again, after a resend
        await a.barrier()
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), Delivery.FAILED)
        await a.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual(kiosk.rejected_frames, 2)
        self.assertIn("only move forward", kiosk.last_rejected_reason)

    async def test_ack_for_a_command_not_sent_to_this_kiosk_is_refused(self):
        a = await self.connect("lobby-1", "lobby")
        b = await self.connect("office-7", "floor-2")
        reset = await db(send_reset)({"groups": ["floor-2"]})
        await b.receive_json()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await a.ack(reset.id, "reloaded")
            await a.ack("r-000000000000", "reloaded")
            await a.barrier()
        self.assertIn("not sent to this kiosk", "\n".join(logs.output))
        self.assertFalse(await db(Delivery.objects.filter(command=reset, kiosk_key="lobby-1").exists)())
        self.assertEqual(await db(delivery_state)(reset.id, "office-7"), Delivery.SENT)
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertIsNone(kiosk.last_ack_command_id)
        await a.close()
        await b.close()

    async def test_ack_for_a_pending_delivery_is_refused(self):
        """The kiosk was never sent it (it was offline, and has not said hello): it cannot have run it."""
        _, token = await db(create_kiosk)("lobby-1")
        reset = await db(send_reset)("all")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await client.ack(reset.id, "reloaded")
            await asyncio.sleep(0.2)
        self.assertIn("not yet sent", "\n".join(logs.output))
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), Delivery.PENDING)
        await client.close()

    async def test_ack_claiming_another_kiosk_or_another_command_is_refused(self):
        a = await self.connect("lobby-1")
        b = await self.connect("lobby-2")
        reset = await db(send_reset)("all")
        await a.receive_json()
        await b.receive_json()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await a.ack(reset.id, "reloaded", kiosk="lobby-2")
            await a.ack(reset.id, "done", command="screenshot")
            await a.barrier()
        output = "\n".join(logs.output)
        self.assertIn("another kiosk", output)
        self.assertIn("names command screenshot", output)
        self.assertEqual(await db(states)(reset.id), {"lobby-1": Delivery.SENT, "lobby-2": Delivery.SENT})
        await a.close()
        await b.close()

    async def test_a_terminal_ack_after_the_expiry_leaves_it_expired_and_keeps_the_late_answer(self):
        a = await self.connect("lobby-1")
        reset = await db(send_reset)("all")
        await a.receive_json()
        await db(Delivery.objects.filter(command=reset).update)(expires_at=timezone.now() - timedelta(seconds=1))
        await a.ack(reset.id, "reloaded")
        await a.barrier()
        delivery = await db(Delivery.objects.get)(command=reset)
        self.assertEqual((delivery.state, delivery.reason, delivery.late_status), (Delivery.EXPIRED, "no-answer", "reloaded"))
        await a.close()


class OwedOnHelloTests(FleetTransactionTestCase):
    async def offline_kiosk(self, kiosk_id="lobby-1"):
        _, token = await db(create_kiosk)(kiosk_id)
        return KioskClient(token=token, kiosk_id=kiosk_id)

    async def test_an_offline_kiosk_gets_its_pending_command_on_hello(self):
        client = await self.offline_kiosk()
        reset = await db(send_reset)("all", reason="while you were away")
        self.assertEqual(await db(delivery_state)(reset.id, "lobby-1"), Delivery.PENDING)
        self.assertTrue((await client.connect())[0])
        self.assertTrue(await client.receives_nothing(0.1))  # delivered on hello, not before
        await client.send_json({"type": "kiosk.hello", "kiosk": "lobby-1", "groups": [], "version": "1"})
        frame = await client.receive_json()
        self.assertEqual((frame["id"], frame["reason"], frame["target"]), (reset.id, "while you were away", own("lobby-1")))
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == Delivery.SENT)
        await client.ack(reset.id)
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == Delivery.RELOADED)
        await client.close()

    async def test_an_expired_command_is_not_delivered(self):
        client = await self.offline_kiosk()
        reset = await db(send_reset)("all", expires_in=30)
        await db(Delivery.objects.filter(command=reset).update)(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertTrue(await client.receives_nothing())
        await db(commands.expire_due)()
        delivery = await db(Delivery.objects.get)(command=reset)
        self.assertEqual((delivery.state, delivery.reason), (Delivery.EXPIRED, "not-delivered"))
        await client.close()

    async def test_owed_commands_go_one_at_a_time_and_pending_resets_collapse_into_one(self):
        client = await self.offline_kiosk()
        first = await db(send_reset)("all", reason="first")
        home = await db(send_command)("home", "all")
        second = await db(send_reset)("all", reason="second")
        third = await db(send_reset)("all", reason="third")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        frame = await client.receive_json()
        self.assertEqual((frame["type"], frame["id"]), ("kiosk.command", home.id))
        self.assertTrue(await client.receives_nothing(0.3))  # the next waits for an answer
        await client.ack(home.id, "done", command="home")
        frame = await client.receive_json()
        self.assertEqual((frame["type"], frame["id"], frame["reason"]), ("kiosk.reset", third.id, "third"))
        self.assertTrue(await client.receives_nothing(0.3))  # one reset for three: the rest folded in
        await eventually(lambda: states(first.id) == {"lobby-1": Delivery.SENT} and states(second.id) == {"lobby-1": Delivery.SENT})
        await client.ack(third.id, "reloaded", ms=900)
        await eventually(lambda: {states(c.id)["lobby-1"] for c in (first, second, third)} == {Delivery.RELOADED})
        folded = await db(Delivery.objects.get)(command=first)
        self.assertEqual((folded.ms, folded.sends), (900, 0))  # it was never written itself
        self.assertIn(third.id, folded.note)
        # An ack for a folded reset (never sent itself) is refused.
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await client.ack(first.id, "failed")
            await client.barrier()
        self.assertEqual(await db(delivery_state)(first.id, "lobby-1"), Delivery.RELOADED)
        await client.close()

    @override_settings(KIOSK_FLEET_BACKLOG_STEP_SECONDS=0.3)
    async def test_an_owed_command_left_unanswered_does_not_hold_up_the_next_for_long(self):
        client = await self.offline_kiosk()
        shot = await db(send_command)("screenshot", "all")
        home = await db(send_command)("home", "all")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertEqual((await client.receive_json())["id"], shot.id)
        self.assertEqual((await client.receive_json(timeout=2))["id"], home.id)
        self.assertEqual(await db(states)(shot.id), {"lobby-1": Delivery.SENT})
        await client.close()

    async def test_a_sent_command_without_an_answer_is_sent_again_on_the_next_connection(self):
        _, token = await db(create_kiosk)("lobby-1")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        reset = await db(send_reset)("all")
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()  # the ack was lost with the connection
        again = KioskClient(token=token, kiosk_id="lobby-1")
        self.assertTrue((await again.connect())[0])
        await again.hello()
        self.assertEqual((await again.receive_json())["id"], reset.id)
        await again.ack(reset.id, "reloaded")  # the kiosk's stored ack
        await eventually(lambda: delivery_state(reset.id, "lobby-1") == Delivery.RELOADED)
        delivery = await db(Delivery.objects.get)(command=reset)
        self.assertEqual(delivery.sends, 2)
        await again.close()


class ScreenshotTests(FleetTransactionTestCase):
    async def setup_shot(self, **kwargs):
        client = await self.connect("lobby-1")
        shot = await db(send_command)("screenshot", "all", **kwargs)
        self.assertEqual((await client.receive_json())["id"], shot.id)
        return client, shot

    async def test_a_screenshot_before_done_is_stored_and_becomes_the_latest(self):
        client, shot = await self.setup_shot()
        await client.screenshot(shot.id)
        await client.ack(shot.id, "done", ms=300, command="screenshot")
        await eventually(lambda: delivery_state(shot.id, "lobby-1") == Delivery.DONE)
        stored = await db(Screenshot.objects.get)()
        self.assertEqual((bytes(stored.data), stored.width, stored.height, stored.kiosk_key), (JPEG_64x36, 64, 36, "lobby-1"))
        self.assertEqual(stored.taken_at.isoformat(), "2026-12-02T10:00:00+00:00")
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual(kiosk.latest_screenshot_id, stored.pk)
        self.assertEqual(kiosk.rejected_frames, 0)
        await client.close()

    async def test_bad_screenshots_are_refused_counted_and_noted(self):
        client, shot = await self.setup_shot(args={"maxWidth": 32})
        not_jpeg = b"<html><script>alert(1)</script></html>"
        cases = [
            dict(image=JPEG_64x36),  # wider than maxWidth 32
            dict(image=not_jpeg, width=10, height=10),
            dict(image=JPEG_64x36, width=65),  # claims another size than the image has
            dict(image=JPEG_64x36, mime="image/png"),
            dict(image=JPEG_64x36, data="!!not base64!!"),
            dict(image=padded_jpeg(300 * 1024)),  # over the 262144-byte data limit
        ]
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            for case in cases:
                await client.screenshot(shot.id, **case)
            await client.barrier()
        output = "\n".join(logs.output)
        for needle in ("maxWidth 32", "not a JPEG", "not the 65x36", "not image/jpeg", "not base64", "larger than"):
            self.assertIn(needle, output)
        self.assertFalse(await db(Screenshot.objects.exists)())
        delivery = await db(Delivery.objects.get)(command=shot)
        self.assertEqual(delivery.state, Delivery.SENT)
        self.assertIn("screenshot refused", delivery.note)
        await client.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual(kiosk.rejected_frames, len(cases))

    async def test_a_screenshot_for_a_command_that_is_not_a_screenshot_or_not_sent_is_refused(self):
        client = await self.connect("lobby-1")
        reset = await db(send_reset)("all")
        await client.receive_json()
        await db(create_kiosk)("elsewhere")
        other = await db(send_command)("screenshot", {"kiosks": ["elsewhere"]})
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await client.screenshot(reset.id)
            await client.screenshot(other.id)
            await client.screenshot("c-000000000000")
            await client.barrier()
        self.assertFalse(await db(Screenshot.objects.exists)())
        await client.close()

    async def test_a_large_frame_is_only_read_on_a_connection_owed_a_screenshot(self):
        client = await self.connect("lobby-1")
        big = padded_jpeg(100 * 1024)
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await client.send_json({"type": "kiosk.status", "renderer": "x" * (100 * 1024)})
            await client.send_json({"type": "kiosk.screenshot", "id": "c-000000000000", "data": base64.b64encode(big).decode()})
            await client.barrier()
        self.assertEqual(sum("larger than 65536" in line for line in logs.output), 2)
        shot = await db(send_command)("screenshot", "all")
        await client.receive_json()
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            await client.send_json({"type": "kiosk.status", "renderer": "x" * (100 * 1024)})  # owed a screenshot, but not one
            await client.screenshot(shot.id, image=big)  # the one owed: read and kept
            await client.screenshot(shot.id, image=big)  # no second large frame for it
            await client.barrier()
        self.assertEqual(sum("larger than 65536" in line for line in logs.output), 2)
        self.assertEqual((await db(Screenshot.objects.get)()).size, len(big))
        await client.close()

    @override_settings(KIOSK_FLEET_SCREENSHOTS_PER_KIOSK=2)
    async def test_only_the_newest_screenshots_are_kept_per_kiosk(self):
        client = await self.connect("lobby-1")
        ids = []
        for _ in range(3):
            shot = await db(send_command)("screenshot", "all")
            await client.receive_json()
            await client.screenshot(shot.id)
            await client.ack(shot.id, "done", command="screenshot")
            ids.append(shot.id)
        await eventually(lambda: delivery_state(ids[-1], "lobby-1") == Delivery.DONE)
        kept = await db(lambda: sorted(Screenshot.objects.values_list("delivery__command_id", flat=True)))()
        self.assertEqual(kept, sorted(ids[1:]))
        await client.close()


class RobustnessTests(FleetTransactionTestCase):
    async def test_malformed_messages_are_refused_counted_and_harm_no_one(self):
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
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "ok"}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "reloaded", "ms": "fast"}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "accepted", "waitingFor": "godot"}),
            json.dumps({"type": "kiosk.ack", "id": "r-1", "status": "done", "command": "self-destruct"}),
            json.dumps({"type": "kiosk.ack", "id": "../../etc", "status": "reloaded"}),
            json.dumps({"type": "kiosk.status", "kiosk": ["broken-1"]}),
            json.dumps({"type": "kiosk.status", "renderer": {"x": 1}, "uptimeSeconds": "long", "lastApiOkAt": [1], "display": "dim"}),
            json.dumps({"type": "kiosk.hello", "version": {"major": 1}}),
            json.dumps({"type": "kiosk.reset", "id": "r-evil", "target": "all"}),  # kiosks cannot publish
            json.dumps({"type": "kiosk.command", "id": "c-evil", "command": "restart", "target": "all"}),
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
        self.assertFalse(await db(Command.objects.exists)())
        self.assertTrue(await good.receives_nothing())  # nothing the bad kiosk sent reached others

        # Both connections still work.
        reset = await db(send_reset)("all")
        for client in (bad, good):
            self.assertEqual((await client.receive_json())["id"], reset.id)
            await client.ack(reset.id)
        await eventually(lambda: Delivery.objects.filter(command=reset, state=Delivery.RELOADED).count() == 2)
        await bad.close()
        await good.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="broken-1")
        # The last status report (held back by the throttle, written on disconnect) was cleaned.
        self.assertEqual(kiosk.renderer_state, "")  # control characters stripped
        self.assertEqual(kiosk.uptime_seconds, 2**31 - 1)  # infinity clamped
        self.assertEqual(kiosk.display_state, "")  # "dim" is not a display state
        # Every refused frame was counted: the binary one, the 16 bad acks/JSON, the big one...
        self.assertGreaterEqual(kiosk.rejected_frames, 18)
        self.assertEqual((await db(Kiosk.objects.get)(kiosk_id="lobby-1")).rejected_frames, 0)

    def count_status_writes(self):
        writes = []
        original = presence.save_statuses

        def counting(items):
            writes.extend(items)
            return original(items)

        patcher = mock.patch.object(presence, "save_statuses", counting)
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
                "display": "off-scheduled", "someFutureField": {"nested": True},
            })
        await client.barrier()
        self.assertEqual(len(writes), 1)  # one write per interval, however many reports
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.renderer_state, kiosk.uplink_state, kiosk.uptime_seconds, kiosk.display_state), ("alive", "open", 0, "off-scheduled"))

        await client.close()  # what the throttle held back is written on disconnect
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertEqual((kiosk.renderer_state, kiosk.uptime_seconds), ("crashed", 24))
        self.assertEqual(kiosk.last_api_ok_at, "1700000000024")

    async def test_message_flood_is_dropped_counted_and_harmless(self):
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

        # The other kiosk was unaffected, and the flooding one still receives commands.
        reset = await db(send_reset)("all")
        self.assertEqual((await other.receive_json())["id"], reset.id)
        self.assertEqual((await client.receive_json())["id"], reset.id)
        await client.close()
        await other.close()
        kiosk = await db(Kiosk.objects.get)(kiosk_id="lobby-1")
        self.assertGreater(kiosk.rejected_frames, 500)
        self.assertFalse(await db(Delivery.objects.exclude(state=Delivery.SENT).exists)())

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
        with mock.patch("kiosk_fleet.commands.record_ack", side_effect=RuntimeError("database is locked")):
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
