"""The management commands, as imaging and ops scripts use them: their exact output formats."""

import json
import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from kiosk_fleet import presence, protocol
from kiosk_fleet.commands import mark_sent, record_ack
from kiosk_fleet.models import Command, Connection, Delivery, Kiosk, Worker

from .helpers import IN_MEMORY_LAYER, create_kiosk

ISO_SECONDS = r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class EnrollTests(TestCase):
    def test_prints_the_token_alone_on_the_last_line_and_it_authenticates(self):
        out, _ = run("kiosk_enroll", "cityhall-lobby-1", "--group", "lobby", "--group", "floor-2", "--name", "Lobby")
        lines = out.rstrip("\n").splitlines()
        token = lines[-1]
        self.assertRegex(token, r"\Akfk_[A-Za-z0-9_-]{43}\Z")  # recognisable in a leaked log
        self.assertGreater(len(lines), 1)  # the explanation comes first
        self.assertIn('"url": "wss://HOST/ws/kiosk/"', out)  # behind TLS, as kiosks in the field are
        self.assertIn('"url": "https://HOST/api/"', out)
        self.assertNotIn(token, "\n".join(lines[:-1]))  # and shows the token only once
        identity = presence.authenticate_token(token)
        self.assertEqual((identity.kiosk_id, identity.groups), ("cityhall-lobby-1", ("floor-2", "lobby")))
        self.assertEqual(Kiosk.objects.get().name, "Lobby")

    def test_quiet_prints_only_the_token(self):
        out, _ = run("kiosk_enroll", "lobby-1", "-v", "0")
        self.assertRegex(out, r"\Akfk_[A-Za-z0-9_-]{43}\n\Z")

    def test_existing_kiosk_is_an_error(self):
        run("kiosk_enroll", "lobby-1")
        with self.assertRaisesRegex(CommandError, "already exists.*--rotate"):
            run("kiosk_enroll", "lobby-1")

    def test_rotate_issues_a_new_token_and_keeps_groups(self):
        old = run("kiosk_enroll", "lobby-1", "--group", "lobby")[0].splitlines()[-1]
        new = run("kiosk_enroll", "lobby-1", "--rotate")[0].splitlines()[-1]
        self.assertNotEqual(old, new)
        self.assertIsNone(presence.authenticate_token(old))
        self.assertEqual(presence.authenticate_token(new).groups, ("lobby",))

    def test_a_revoked_kiosk_is_admitted_again_only_with_unrevoke_and_a_new_token(self):
        old = run("kiosk_enroll", "lobby-1")[0].splitlines()[-1]
        kiosk = Kiosk.objects.get()
        kiosk.revoked = True
        kiosk.save()
        with self.assertRaisesRegex(CommandError, "revoked.*--unrevoke"):
            run("kiosk_enroll", "lobby-1", "--rotate")
        with self.assertRaisesRegex(CommandError, "--unrevoke needs --rotate"):
            run("kiosk_enroll", "lobby-1", "--unrevoke")
        new = run("kiosk_enroll", "lobby-1", "--rotate", "--unrevoke")[0].splitlines()[-1]
        self.assertIsNone(presence.authenticate_token(old))
        self.assertEqual(presence.authenticate_token(new).kiosk_id, "lobby-1")

    def test_invalid_names_are_errors(self):
        with self.assertRaisesRegex(CommandError, "invalid kiosk id"):
            run("kiosk_enroll", "lobby 1")
        with self.assertRaisesRegex(CommandError, "Invalid group"):
            run("kiosk_enroll", "lobby-1", "--group", "no/slash")
        self.assertFalse(Kiosk.objects.exists())


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class SendCommandTests(TestCase):
    def setUp(self):
        create_kiosk("lobby-1", "lobby")
        create_kiosk("office-7", "floor-2")

    def last_line_id(self, out, prefix):
        command_id = out.rstrip("\n").splitlines()[-1]
        self.assertRegex(command_id, r"\A%s-[0-9a-f]{12}\Z" % prefix)
        return command_id

    def test_kiosk_reset_prints_the_reset_id_and_a_reset_is_a_command(self):
        out, err = run("kiosk_reset", "--group", "floor-2", "--reason", "new signage")
        reset = Command.objects.get(pk=self.last_line_id(out, "r"))
        self.assertEqual((reset.command, reset.target.to_wire(), reset.reason), ("reset", {"groups": ["floor-2"]}, "new signage"))
        self.assertEqual((reset.created_by_username, reset.origin), ("", "command line"))
        self.assertEqual(list(reset.deliveries.values_list("kiosk_key", "state")), [("office-7", Delivery.PENDING)])
        self.assertIn("in-memory", err)  # the example's test settings use the in-memory layer
        self.assertLess((reset.expires_at - reset.created_at).total_seconds(), 602)

    def test_kiosk_reset_all_and_kiosk(self):
        reset = Command.objects.get(pk=self.last_line_id(run("kiosk_reset", "--all")[0], "r"))
        self.assertEqual(reset.deliveries.count(), 2)
        reset = Command.objects.get(pk=self.last_line_id(run("kiosk_reset", "--kiosk", "lobby-1")[0], "r"))
        self.assertEqual(reset.target.to_wire(), {"kiosks": ["lobby-1"]})

    def test_kiosk_command_with_every_option(self):
        out, _ = run("kiosk_command", "screenshot", "--kiosk", "lobby-1", "--when", "idle", "--expires-in", "120", "--arg", "maxWidth=640")
        shot = Command.objects.get(pk=self.last_line_id(out, "c"))
        self.assertEqual((shot.command, shot.when, shot.args), ("screenshot", "idle", {"maxWidth": 640}))
        self.assertLessEqual((shot.expires_at - shot.created_at).total_seconds(), 122)
        out, _ = run("kiosk_command", "display", "--group", "lobby", "--arg", "power=off")
        display = Command.objects.get(pk=self.last_line_id(out, "c"))
        self.assertEqual((display.args, display.target.to_wire()), ({"power": "off"}, {"groups": ["lobby"]}))
        out, _ = run("kiosk_command", "reset", "--all")
        self.assertLess((Command.objects.get(pk=self.last_line_id(out, "r")).expires_at - timezone.now()).total_seconds(), 602)
        for name in ("home", "clear-session", "restart"):
            out, _ = run("kiosk_command", name, "--all")
            command = Command.objects.get(pk=self.last_line_id(out, "c"))
            self.assertGreater((command.expires_at - command.created_at).total_seconds(), 899)

    def test_kiosk_command_errors(self):
        for args, message in (
            (("explode", "--all"), "invalid choice"),
            (("display", "--all"), "power=off or power=on"),
            (("display", "--all", "--arg", "power"), "KEY=VALUE"),
            (("home", "--all", "--arg", "url=https://x"), "takes no argument url"),
            (("home", "--all", "--expires-in", "0"), "expiry"),
            (("home", "--kiosk", "ghost"), "no such kiosk: ghost"),
            (("home", "--group", "nowhere"), "group: nowhere"),
            (("home",), "one of the arguments"),
            (("home", "--all", "--group", "lobby"), "not allowed"),
            (("home", "--all", "--when", "later"), "invalid choice"),
        ):
            with self.subTest(args=args), self.assertRaisesRegex(CommandError, message):
                run("kiosk_command", *args)
        self.assertFalse(Command.objects.exists())

    def test_kiosk_command_status_prints_one_json_object(self):
        out, _ = run("kiosk_command", "home", "--all")
        command_id = out.splitlines()[-1]
        lobby = Kiosk.objects.get(kiosk_id="lobby-1")
        mark_sent(list(Delivery.objects.filter(command_id=command_id, kiosk=lobby).values_list("pk", flat=True)))
        record_ack(lobby.pk, protocol.Ack(kiosk="lobby-1", command_id=command_id, status="ignored", reason="not-targeted"))
        out, _ = run("kiosk_command_status", command_id)
        self.assertEqual(out.count("\n"), 1)
        report = json.loads(out)
        self.assertEqual(set(report), {"id", "command", "expiresAt", "kiosks"})
        self.assertRegex(report["expiresAt"], ISO_SECONDS)
        self.assertEqual((report["id"], report["command"]), (command_id, "home"))
        self.assertEqual(report["kiosks"], {
            "lobby-1": {"status": "ignored", "reason": "not-targeted"},
            "office-7": {"status": "pending", "reason": None},
        })
        with self.assertRaisesRegex(CommandError, "no such command"):
            run("kiosk_command_status", "c-000000000000")

    def test_kiosk_fleet_status_prints_one_json_object(self):
        lobby = Kiosk.objects.get(kiosk_id="lobby-1")
        Kiosk.objects.filter(pk=lobby.pk).update(last_seen=timezone.now(), version="1.4.0", display_state="on")
        worker = Worker.objects.create(id="w")
        Connection.objects.create(id="c", worker=worker, kiosk=lobby, channel_name="x")
        out, _ = run("kiosk_fleet_status")
        self.assertEqual(out.count("\n"), 1)
        status = json.loads(out)
        self.assertEqual(set(status), {"kiosks"})
        self.assertEqual(set(status["kiosks"]["lobby-1"]), {"online", "lastSeen", "version", "display"})
        self.assertRegex(status["kiosks"]["lobby-1"]["lastSeen"], r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
        self.assertEqual(
            {k: v for k, v in status["kiosks"]["lobby-1"].items() if k != "lastSeen"},
            {"online": True, "version": "1.4.0", "display": "on"},
        )
        self.assertEqual(status["kiosks"]["office-7"], {"online": False, "lastSeen": None, "version": None, "display": None})
        self.assertTrue(re.match(r"\A\{", out))
