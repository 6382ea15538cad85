"""kiosk_enroll and kiosk_reset, as imaging and ops scripts use them."""

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from kiosk_fleet import presence
from kiosk_fleet.models import Kiosk, ResetCommand, ResetDelivery

from .helpers import IN_MEMORY_LAYER, create_kiosk


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class EnrollTests(TestCase):
    def test_prints_the_token_alone_on_the_last_line_and_it_authenticates(self):
        out, _ = run("kiosk_enroll", "cityhall-lobby-1", "--group", "lobby", "--group", "floor-2", "--name", "Lobby")
        lines = out.rstrip("\n").splitlines()
        token = lines[-1]
        self.assertRegex(token, r"\A[A-Za-z0-9_-]{43}\Z")
        self.assertGreater(len(lines), 1)  # the explanation comes first
        self.assertNotIn(token, "\n".join(lines[:-1]))  # and shows the token only once
        identity = presence.authenticate_token(token)
        self.assertEqual((identity.kiosk_id, identity.groups), ("cityhall-lobby-1", ("floor-2", "lobby")))
        self.assertEqual(Kiosk.objects.get().name, "Lobby")

    def test_quiet_prints_only_the_token(self):
        out, _ = run("kiosk_enroll", "lobby-1", "-v", "0")
        self.assertRegex(out, r"\A[A-Za-z0-9_-]{43}\n\Z")

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

    def test_invalid_names_are_errors(self):
        with self.assertRaisesRegex(CommandError, "invalid kiosk id"):
            run("kiosk_enroll", "lobby 1")
        with self.assertRaisesRegex(CommandError, "Invalid group"):
            run("kiosk_enroll", "lobby-1", "--group", "no/slash")
        self.assertFalse(Kiosk.objects.exists())


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class ResetCommandTests(TestCase):
    def setUp(self):
        create_kiosk("lobby-1", "lobby")
        create_kiosk("office-7", "floor-2")

    def last_line_id(self, out):
        reset_id = out.rstrip("\n").splitlines()[-1]
        self.assertRegex(reset_id, r"\Ar-[0-9a-f]{12}\Z")
        return reset_id

    def test_group_prints_the_reset_id(self):
        out, err = run("kiosk_reset", "--group", "floor-2", "--reason", "new signage")
        reset = ResetCommand.objects.get(pk=self.last_line_id(out))
        self.assertEqual(reset.target.to_wire(), {"groups": ["floor-2"]})
        self.assertEqual(reset.reason, "new signage")
        self.assertIsNone(reset.created_by)
        self.assertEqual(list(reset.deliveries.values_list("kiosk__kiosk_id", "state")), [("office-7", ResetDelivery.OFFLINE)])
        self.assertIn("in-memory", err)  # the example's test settings use the in-memory layer

    def test_all_and_kiosk(self):
        reset = ResetCommand.objects.get(pk=self.last_line_id(run("kiosk_reset", "--all")[0]))
        self.assertEqual(reset.deliveries.count(), 2)
        reset = ResetCommand.objects.get(pk=self.last_line_id(run("kiosk_reset", "--kiosk", "lobby-1")[0]))
        self.assertEqual(reset.target.to_wire(), {"kiosks": ["lobby-1"]})

    def test_unknown_names_and_missing_target_are_errors(self):
        with self.assertRaisesRegex(CommandError, "no such kiosk: ghost"):
            run("kiosk_reset", "--kiosk", "ghost")
        with self.assertRaisesRegex(CommandError, "group: nowhere"):
            run("kiosk_reset", "--group", "nowhere")
        with self.assertRaises(CommandError):
            run("kiosk_reset")
        with self.assertRaises(CommandError):
            run("kiosk_reset", "--all", "--group", "lobby")
        self.assertFalse(ResetCommand.objects.exists())
