"""Commands and deliveries at the database level: sending, every state transition, forward
only, expiry, the folding of pending resets, the audit rules and revocation."""

from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import User
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from kiosk_fleet import commands, presence, protocol
from kiosk_fleet.commands import (
    LATE, RECORDED, REFUSED, REPEAT, asend_command, claim_live, expire_due, mark_sent, owed_on_hello, record_ack,
    send_command, send_reset, status_report,
)
from kiosk_fleet.models import Command, Delivery, Kiosk
from kiosk_fleet.tokens import hash_token

from .helpers import IN_MEMORY_LAYER, create_kiosk


def ack(command_id, status, **fields):
    return protocol.Ack(kiosk=None, command_id=command_id, status=status, **fields)


def state(command, kiosk):
    return Delivery.objects.get(command=command, kiosk=kiosk).state


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class SendTests(TestCase):
    def setUp(self):
        self.lobby, _ = create_kiosk("lobby-1", "lobby")
        self.office, _ = create_kiosk("office-7", "floor-2")
        self.gone, _ = create_kiosk("revoked-1", "lobby", revoked=True)

    def test_every_targeted_kiosk_gets_a_pending_delivery_and_revoked_ones_none(self):
        reset = send_reset("all", reason="new content")
        self.assertEqual(
            sorted(reset.deliveries.values_list("kiosk_key", "state")),
            [("lobby-1", Delivery.PENDING), ("office-7", Delivery.PENDING)],
        )
        self.assertEqual((reset.command, reset.reason, reset.targeted), ("reset", "new content", 2))
        self.assertRegex(reset.id, r"\Ar-[0-9a-f]{12}\Z")
        self.assertEqual(
            list(send_command("home", {"groups": ["lobby"]}).deliveries.values_list("kiosk_key", flat=True)), ["lobby-1"]
        )

    def test_default_expiries_are_ten_minutes_for_a_reset_and_fifteen_for_other_commands(self):
        before = timezone.now()
        reset = send_reset("all")
        home = send_command("home", "all")
        custom = send_command("screenshot", "all", expires_in=45)
        for command, seconds in ((reset, 600), (home, 900), (custom, 45)):
            self.assertEqual(command.expires_at.microsecond, 0)  # what expiresAt can say exactly
            self.assertGreaterEqual(command.expires_at, before + timedelta(seconds=seconds))
            self.assertLessEqual(command.expires_at, before + timedelta(seconds=seconds + 2))
            self.assertEqual(set(command.deliveries.values_list("expires_at", flat=True)), {command.expires_at})

    @override_settings(KIOSK_FLEET_RESET_TTL_SECONDS=120)
    def test_the_old_ttl_setting_still_sets_the_reset_expiry(self):
        del settings.KIOSK_FLEET_RESET_EXPIRES_SECONDS  # a site that set only the old one
        reset = send_reset("all")
        self.assertLess(reset.expires_at, timezone.now() + timedelta(seconds=125))

    def test_invalid_commands_arguments_and_expiries_are_refused(self):
        for name, kwargs in (
            ("explode", {}),
            ("display", {}),
            ("display", {"args": {"power": "dim"}}),
            ("screenshot", {"args": {"maxWidth": "wide"}}),
            ("screenshot", {"args": {"maxWidth": 4}}),
            ("home", {"args": {"url": "https://evil.example"}}),
            ("home", {"when": "later"}),
            ("home", {"expires_in": 0}),
            ("home", {"expires_in": 8 * 24 * 3600}),
            ("home", {"deadline": timezone.now()}),  # a deadline only for when=idle
            ("home", {"when": "idle", "deadline": timezone.now() + timedelta(days=1)}),  # after the expiry
        ):
            with self.assertRaises(ValueError, msg=(name, kwargs)):
                send_command(name, "all", **kwargs)
        self.assertFalse(Command.objects.exists())
        self.assertEqual(send_command("display", "all", args={"power": "off"}).args, {"power": "off"})
        self.assertEqual(send_command("screenshot", "all", args={"maxWidth": "640"}).args, {"maxWidth": 640})



@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class AsyncSendTests(TransactionTestCase):
    def test_asend_command_creates_the_same_rows(self):
        create_kiosk("office-7")
        created = async_to_sync(asend_command)("restart", {"kiosks": ["office-7"]}, when="idle")
        self.assertEqual(list(created.deliveries.values_list("kiosk_key", "state")), [("office-7", Delivery.PENDING)])
        self.assertEqual(created.frame_for("office-7").count('"office-7"'), 1)


class TransitionTests(TestCase):
    def setUp(self):
        self.kiosk, _ = create_kiosk("lobby-1")
        with self.settings(CHANNEL_LAYERS=IN_MEMORY_LAYER):
            self.command = send_command("screenshot", "all")
        self.delivery = Delivery.objects.get(command=self.command)

    def sent(self):
        mark_sent([self.delivery.pk])
        return self

    def record(self, status, **fields):
        return record_ack(self.kiosk.pk, ack(self.command.id, status, **fields))

    def assert_state(self, expected):
        self.assertEqual(state(self.command, self.kiosk), expected)

    def test_pending_to_sent_only_when_written(self):
        self.assert_state(Delivery.PENDING)
        mark_sent([self.delivery.pk])
        self.delivery.refresh_from_db()
        self.assertEqual((self.delivery.state, self.delivery.sends), (Delivery.SENT, 1))
        self.assertIsNotNone(self.delivery.sent_at)
        mark_sent([self.delivery.pk])  # a resend: counted, still sent
        self.delivery.refresh_from_db()
        self.assertEqual((self.delivery.state, self.delivery.sends), (Delivery.SENT, 2))

    def test_an_ack_for_a_pending_delivery_is_refused(self):
        self.assertEqual(self.record("done")[0], REFUSED)
        self.assertEqual(self.record("accepted")[0], REFUSED)
        self.assert_state(Delivery.PENDING)

    def test_sent_to_accepted_to_each_terminal_state(self):
        for status in protocol.TERMINAL_STATUSES:
            with self.subTest(status=status):
                Delivery.objects.filter(pk=self.delivery.pk).update(state=Delivery.SENT, reason="", waiting_for="")
                self.assertEqual(self.record("accepted", waiting_for="privacy"), (RECORDED, ""))
                self.assert_state(Delivery.ACCEPTED)
                self.assertEqual(Delivery.objects.get(pk=self.delivery.pk).waiting_for, "privacy")
                self.assertEqual(self.record(status, reason="why", ms=77), (RECORDED, ""))
                row = Delivery.objects.get(pk=self.delivery.pk)
                self.assertEqual((row.state, row.reason, row.ms, row.waiting_for), (status, "why", 77, ""))
                self.assertIsNotNone(row.answered_at)

    def test_sent_straight_to_a_terminal_state(self):
        self.sent()
        self.assertEqual(self.record("withheld", reason="in-use")[0], RECORDED)
        self.assert_state(Delivery.WITHHELD)
        kiosk = Kiosk.objects.get(pk=self.kiosk.pk)
        self.assertEqual((kiosk.last_ack_command_id, kiosk.last_ack_status), (self.command.id, "withheld"))

    def test_terminal_states_never_change(self):
        self.sent()
        self.record("failed", reason="unknown-command")
        for status in ("ignored", "done", "reloaded", "expired", "withheld"):
            outcome, detail = self.record(status)
            self.assertEqual(outcome, REFUSED)
            self.assertIn("only move forward", detail)
        self.assertEqual(self.record("failed")[0], REPEAT)  # the stored ack again, after a resend
        self.assertEqual(self.record("accepted")[0], REPEAT)  # a stale interim ack
        row = Delivery.objects.get(pk=self.delivery.pk)
        self.assertEqual((row.state, row.reason), (Delivery.FAILED, "unknown-command"))

    def test_accepted_never_goes_back_to_sent(self):
        self.sent()
        self.record("accepted", waiting_for="idle")
        mark_sent([self.delivery.pk])  # a resend on reconnect
        self.assert_state(Delivery.ACCEPTED)

    def test_an_ack_naming_another_command_is_refused(self):
        self.sent()
        self.assertEqual(self.record("reloaded", command="reset")[0], REFUSED)
        self.assertEqual(self.record("done", command="screenshot")[0], RECORDED)

    def test_an_ack_for_another_kiosks_delivery_or_an_unknown_id_is_refused(self):
        other, _ = create_kiosk("lobby-2")
        self.sent()
        self.assertEqual(record_ack(other.pk, ack(self.command.id, "done"))[0], REFUSED)
        self.assertEqual(record_ack(self.kiosk.pk, ack("c-000000000000", "done"))[0], REFUSED)
        self.assert_state(Delivery.SENT)

    def test_expiry_ends_every_open_delivery(self):
        kiosks = [self.kiosk] + [create_kiosk("k-%d" % i)[0] for i in range(3)]
        with self.settings(CHANNEL_LAYERS=IN_MEMORY_LAYER):
            command = send_command("home", "all", expires_in=60)
        rows = {d.kiosk_key: d for d in command.deliveries.all()}
        mark_sent([rows["k-0"].pk, rows["k-1"].pk, rows["k-2"].pk])
        record_ack(kiosks[2].pk, ack(command.id, "accepted"))
        record_ack(kiosks[3].pk, ack(command.id, "done"))
        self.assertEqual(expire_due(), 0)  # nothing is due yet
        later = command.expires_at
        self.assertEqual(expire_due(later), 3)
        self.assertEqual(expire_due(later), 0)  # idempotent
        self.assertEqual(
            {d.kiosk_key: (d.state, d.reason) for d in command.deliveries.all()},
            {
                "lobby-1": (Delivery.EXPIRED, "not-delivered"),
                "k-0": (Delivery.EXPIRED, "no-answer"),
                "k-1": (Delivery.EXPIRED, "no-answer"),
                "k-2": (Delivery.DONE, ""),
            },
        )

    def test_a_terminal_ack_after_the_expiry_is_kept_beside_expired(self):
        self.sent()
        Delivery.objects.filter(pk=self.delivery.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.record("done")[0], LATE)
        row = Delivery.objects.get(pk=self.delivery.pk)
        self.assertEqual((row.state, row.reason, row.late_status), (Delivery.EXPIRED, "no-answer", "done"))
        self.assertEqual(self.record("failed")[0], LATE)
        self.assertEqual(Delivery.objects.get(pk=self.delivery.pk).late_status, "done")  # the first one stays


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class OwedTests(TestCase):
    def setUp(self):
        self.kiosk, _ = create_kiosk("lobby-1")

    def test_owed_is_oldest_first_and_only_unexpired_open_deliveries(self):
        home = send_command("home", "all")
        answered = send_command("restart", "all")
        mark_sent(list(answered.deliveries.values_list("pk", flat=True)))
        record_ack(self.kiosk.pk, ack(answered.id, "done"))
        sent = send_command("clear-session", "all")
        mark_sent(list(sent.deliveries.values_list("pk", flat=True)))
        stale = send_command("screenshot", "all")
        Delivery.objects.filter(command=stale).update(expires_at=timezone.now() - timedelta(seconds=1))
        owed = owed_on_hello(self.kiosk.pk, "2.0")
        self.assertEqual([o.command_id for o in owed], [home.id, sent.id])  # the sent one again: its ack may be lost
        self.assertEqual(Kiosk.objects.get(pk=self.kiosk.pk).version, "2.0")

    def test_accepted_ones_come_last_so_they_do_not_hold_up_what_the_kiosk_has_not_seen(self):
        waiting = send_command("restart", "all", when="idle")
        mark_sent(list(waiting.deliveries.values_list("pk", flat=True)))
        record_ack(self.kiosk.pk, ack(waiting.id, "accepted", waiting_for="idle"))
        home = send_command("home", "all")
        self.assertEqual([o.command_id for o in owed_on_hello(self.kiosk.pk)], [home.id, waiting.id])

    def test_pending_resets_fold_into_the_newest_one(self):
        old = send_reset("all", reason="old")
        idle = send_command("reset", "all", when="idle")
        middle = send_reset("all")
        newest = send_reset("all", reason="newest")
        owed = owed_on_hello(self.kiosk.pk)
        self.assertEqual([o.command_id for o in owed], [idle.id, newest.id])
        keeper = Delivery.objects.get(command=newest)
        self.assertEqual(
            set(Delivery.objects.filter(collapsed_into=keeper).values_list("command_id", flat=True)), {old.id, middle.id}
        )
        # Folded ones follow the one sent: sent, then its answer.
        mark_sent([keeper.pk])
        self.assertEqual(state(old, self.kiosk), Delivery.SENT)
        record_ack(self.kiosk.pk, ack(newest.id, "accepted", waiting_for="stagger"))
        self.assertEqual(state(middle, self.kiosk), Delivery.ACCEPTED)
        record_ack(self.kiosk.pk, ack(newest.id, "reloaded", ms=640))
        self.assertEqual(
            {d.command_id: (d.state, d.ms) for d in Delivery.objects.filter(command__in=[old, middle, newest])},
            {old.id: (Delivery.RELOADED, 640), middle.id: (Delivery.RELOADED, 640), newest.id: (Delivery.RELOADED, 640)},
        )
        self.assertEqual(state(idle, self.kiosk), Delivery.PENDING)  # a reset "when idle" is its own
        # The next hello owes nothing of those.
        self.assertEqual([o.command_id for o in owed_on_hello(self.kiosk.pk)], [idle.id])

    def test_a_folded_reset_past_its_own_expiry_expires_even_if_the_keeper_is_answered_later(self):
        old = send_reset("all", expires_in=60)
        newest = send_reset("all", expires_in=600)
        owed_on_hello(self.kiosk.pk)
        keeper = Delivery.objects.get(command=newest)
        mark_sent([keeper.pk])
        expire_due(old.expires_at)
        record_ack(self.kiosk.pk, ack(newest.id, "reloaded"))
        self.assertEqual(state(old, self.kiosk), Delivery.EXPIRED)
        self.assertEqual(state(newest, self.kiosk), Delivery.RELOADED)

    def test_sent_resets_are_not_folded(self):
        """A sent reset may have run already (its ack lost): a newer one is not answered by it."""
        first = send_reset("all")
        mark_sent(list(first.deliveries.values_list("pk", flat=True)))
        second = send_reset("all")
        self.assertEqual([o.command_id for o in owed_on_hello(self.kiosk.pk)], [first.id, second.id])

    def test_claim_live_gives_a_frame_only_for_a_pending_delivery_of_this_kiosk(self):
        other, _ = create_kiosk("lobby-2")
        outsider, _ = create_kiosk("outsider")
        command = send_command("home", {"kiosks": ["lobby-1", "lobby-2"]})
        mark_sent(list(command.deliveries.filter(kiosk=other).values_list("pk", flat=True)))
        stale = send_command("home", "all")
        Command.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        results = claim_live([(command.id, self.kiosk.pk), (command.id, other.pk), (command.id, outsider.pk), (stale.id, self.kiosk.pk)])
        self.assertEqual(results[0].command_id, command.id)
        self.assertIn('"target":{"kiosks":["lobby-1"]}', results[0].text)
        self.assertEqual(results[1:], [None, None, None])


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class ReportTests(TestCase):
    def test_status_report_is_the_contracts_object(self):
        a, _ = create_kiosk("a-1")
        create_kiosk("a-2")
        command = send_command("display", "all", args={"power": "off"})
        mark_sent([Delivery.objects.get(command=command, kiosk=a).pk])
        record_ack(a.pk, ack(command.id, "failed", reason="no-display"))
        self.assertEqual(status_report(command.id), {
            "id": command.id,
            "command": "display",
            "expiresAt": command.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "kiosks": {"a-1": {"status": "failed", "reason": "no-display"}, "a-2": {"status": "pending", "reason": None}},
        })
        Command.objects.filter(pk=command.pk).update(expires_at=timezone.now())
        Delivery.objects.filter(command=command).update(expires_at=timezone.now())
        self.assertEqual(status_report(command.id)["kiosks"]["a-2"], {"status": "expired", "reason": "not-delivered"})

    def test_fleet_status_is_the_contracts_object(self):
        create_kiosk("a-1")
        seen = timezone.now().replace(microsecond=123000)
        Kiosk.objects.filter(kiosk_id="a-1").update(last_seen=seen, version="1.2.0", display_state="off-scheduled")
        self.assertEqual(presence.fleet_status(), {"kiosks": {"a-1": {
            "online": False, "lastSeen": seen.strftime("%Y-%m-%dT%H:%M:%S.123Z"), "version": "1.2.0", "display": "off-scheduled",
        }}})


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class AuditTests(TestCase):
    def test_the_senders_username_outlives_the_user(self):
        alice = User.objects.create_user("alice", is_staff=True)
        create_kiosk("a-1")
        command = send_reset("all", user=alice, origin="admin")
        alice.delete()
        command.refresh_from_db()
        self.assertEqual((command.created_by_username, command.origin), ("alice", "admin"))

    def test_deleting_a_kiosk_keeps_past_deliveries_and_counts(self):
        a, _ = create_kiosk("a-1")
        create_kiosk("a-2")
        command = send_reset("all")
        mark_sent([Delivery.objects.get(command=command, kiosk=a).pk])
        record_ack(a.pk, ack(command.id, "reloaded"))
        before = commands.delivery_counts(command)
        a.delete()
        self.assertEqual(commands.delivery_counts(command), before)
        row = Delivery.objects.get(command=command, kiosk_key="a-1")
        self.assertEqual((row.kiosk_id, row.state), (None, Delivery.RELOADED))


class RevocationTests(TestCase):
    def test_revoking_destroys_the_token_and_un_revoking_does_not_bring_it_back(self):
        kiosk, token = create_kiosk("a-1")
        self.assertTrue(token.startswith("kfk_"))
        self.assertEqual(presence.authenticate_token(token).kiosk_id, "a-1")
        kiosk = Kiosk.objects.get(pk=kiosk.pk)
        kiosk.revoked = True
        kiosk.save()
        self.assertNotEqual(Kiosk.objects.get(pk=kiosk.pk).token_hash, hash_token(token))
        kiosk = Kiosk.objects.get(pk=kiosk.pk)
        kiosk.revoked = False
        kiosk.save()
        self.assertIsNone(presence.authenticate_token(token))
        new = kiosk.issue_token()
        kiosk.save()
        self.assertEqual(presence.authenticate_token(new).kiosk_id, "a-1")

    def test_saving_only_the_revoked_field_destroys_the_token_too(self):
        kiosk, token = create_kiosk("a-1")
        kiosk = Kiosk.objects.get(pk=kiosk.pk)
        kiosk.revoked = True
        kiosk.save(update_fields=["revoked"])
        self.assertIsNone(presence.authenticate_token(token))

    def test_a_kiosk_created_revoked_has_no_usable_token(self):
        _, token = create_kiosk("a-1", revoked=True)
        self.assertIsNone(presence.authenticate_token(token))
        kiosk = Kiosk.objects.get(kiosk_id="a-1")
        kiosk.revoked = False
        kiosk.save()
        self.assertIsNone(presence.authenticate_token(token))
