"""Acks recorded together (``commands.record_acks``): a batch costs a bounded number of
statements however large it is, and gives exactly what recording its acks one by one
(``commands.record_ack``, the reference) gives: the same result per ack, the same rows."""

from datetime import timedelta
from unittest import mock

from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiosk_fleet import commands, protocol
from kiosk_fleet.commands import (
    ACK_CHUNK, LATE, RECORDED, REFUSED, REPEAT, Hint, mark_sent, owed_on_hello, record_ack, record_acks, send_command,
    send_reset,
)
from kiosk_fleet.models import Delivery, Kiosk

from .helpers import IN_MEMORY_LAYER, create_kiosk


def ack(command_id, status, **fields):
    return protocol.Ack(kiosk=None, command_id=command_id, status=status, **fields)


def one_by_one(items):
    return [record_ack(kiosk_pk, a, hint=hint) for kiosk_pk, a, hint in items]


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class QueriesTests(TestCase):
    """What a fleet-wide reset's wave of acks costs the database thread."""

    def fleet_reset(self, count, prefix, hinted=True, folded=False):
        """``count`` kiosks sent a reset (the older one folded into it first, if ``folded``);
        their "reloaded" acks, as their connections hand them over."""
        kiosks = [create_kiosk("%s-%03d" % (prefix, i))[0] for i in range(count)]
        target = {"kiosks": [kiosk.kiosk_id for kiosk in kiosks]}
        older = send_reset(target) if folded else None
        reset = send_reset(target)
        hints = {}
        for kiosk in kiosks:
            if folded:
                (owed,) = owed_on_hello(kiosk.pk)
                hints[kiosk.pk] = owed.hint
            else:
                row = Delivery.objects.get(command=reset, kiosk=kiosk)
                hints[kiosk.pk] = Hint(row.pk, "reset", False)
        mark_sent([hint.delivery_pk for hint in hints.values()])
        items = [
            (kiosk.pk, ack(reset.id, "reloaded", ms=200 + i, command="reset"), hints[kiosk.pk] if hinted else None)
            for i, kiosk in enumerate(kiosks)
        ]
        return items, reset, older

    def cost(self, items):
        with CaptureQueriesContext(connection) as captured:
            results = record_acks(items)
        self.assertEqual(results, [(RECORDED, "")] * len(items))
        return len(captured)

    def assert_recorded(self, items, *commands_):
        for kiosk_pk, a, _ in items:
            for command in commands_:
                row = Delivery.objects.get(command=command, kiosk_id=kiosk_pk)
                self.assertEqual((row.state, row.ms), (Delivery.RELOADED, a.ms))
                self.assertIsNotNone(row.answered_at)
            kiosk = Kiosk.objects.get(pk=kiosk_pk)
            self.assertEqual((kiosk.last_ack_command_id, kiosk.last_ack_status), (a.command_id, "reloaded"))

    def test_a_wave_of_acks_costs_the_same_few_statements_whatever_its_size(self):
        few, few_reset, _ = self.fleet_reset(3, "few")
        many, many_reset, _ = self.fleet_reset(ACK_CHUNK, "many")
        self.assertEqual(self.cost(few), self.cost(many))
        # A savepoint, the deliveries, their hints checked, the kiosks, the savepoint
        # released; every ms its own.
        self.assertEqual(self.cost(self.fleet_reset(ACK_CHUNK, "again")[0]), 5)
        self.assert_recorded(few, few_reset)
        self.assert_recorded(many, many_reset)

    def test_a_larger_wave_costs_the_same_per_chunk(self):
        chunk = self.cost(self.fleet_reset(ACK_CHUNK, "chunk")[0])
        items, reset, _ = self.fleet_reset(3 * ACK_CHUNK, "wave")
        self.assertEqual(self.cost(items), 3 * (chunk - 2) + 2)  # the savepoint once
        self.assert_recorded(items, reset)

    def test_acks_without_hints_and_folded_resets_too(self):
        """Acks for frames of an earlier connection (no hint: the rows are looked up) and
        keepers of folded resets (their followers take the answer): a few statements more,
        the same few for 3 acks as for ACK_CHUNK."""
        for hinted, folded in ((False, False), (True, True), (False, True)):
            with self.subTest(hinted=hinted, folded=folded):
                prefix = "h%d-f%d" % (hinted, folded)
                few, few_reset, few_older = self.fleet_reset(3, prefix + "-few", hinted, folded)
                many, many_reset, many_older = self.fleet_reset(ACK_CHUNK, prefix + "-many", hinted, folded)
                self.assertEqual(self.cost(few), self.cost(many))
                self.assert_recorded(few, *filter(None, (few_reset, few_older)))
                self.assert_recorded(many, *filter(None, (many_reset, many_older)))


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class SameAsOneByOneTests(TestCase):
    """A batch of every kind of ack, recorded together and one by one, on the same rows."""

    # What each ack of the mixed batch must give (and gives one by one).
    EXPECTED = [
        ("ok-1", RECORDED),
        ("ok-2", RECORDED),
        ("ok-3", RECORDED),
        ("pending", REFUSED),  # never sent to it
        ("stranger", REFUSED),  # an id never sent at all
        ("failed", REFUSED),  # a terminal state does not move
        ("dup", RECORDED),
        ("late", LATE),
        ("two-steps", RECORDED),  # accepted...
        ("no-hint", RECORDED),  # an accepted ack for a frame of an earlier connection
        ("dup", REPEAT),  # the same answer again
        ("wrong-command", REFUSED),  # names another command than the delivery's
        ("folded", RECORDED),
        ("folded-no-hint", RECORDED),
        ("withheld-1", RECORDED),
        ("withheld-2", RECORDED),
        ("two-steps", RECORDED),  # ...then its terminal answer
        ("answered", REPEAT),  # a stale accepted after the terminal answer
        ("written-not-marked", RECORDED),  # written, its "sent" mark still queued
        ("accepted-folded", RECORDED),
        ("late-accepted", REPEAT),  # an interim answer after the expiry
        ("reloaded-before", REPEAT),  # the stored answer again, after a resend
        ("home-done", RECORDED),  # another command's answer in the same batch
    ]

    def mixed_batch(self):
        names = sorted({name for name, _ in self.EXPECTED})
        kiosks = {name: create_kiosk(name)[0] for name in names}
        folding = {"kiosks": ["folded", "folded-no-hint", "accepted-folded"]}
        older = send_reset(folding)
        reset = send_reset("all")
        home = send_command("home", {"kiosks": ["answered", "home-done"]})
        rows = {row.kiosk_key: row.pk for row in reset.deliveries.all()}
        hints = {name: Hint(pk, "reset", False) for name, pk in rows.items()}
        for name in folding["kiosks"]:
            (owed,) = owed_on_hello(kiosks[name].pk)
            self.assertTrue(owed.folded)
            hints[name] = owed.hint
        mark_sent([pk for name, pk in rows.items() if name not in ("pending", "written-not-marked")])
        home_rows = {row.kiosk_key: row.pk for row in home.deliveries.all()}
        mark_sent(list(home_rows.values()))
        record_ack(kiosks["failed"].pk, ack(reset.id, "failed", reason="unknown-command"))
        record_ack(kiosks["answered"].pk, ack(home.id, "done"))
        record_ack(kiosks["reloaded-before"].pk, ack(reset.id, "reloaded", ms=900))
        Delivery.objects.filter(pk__in=[rows["late"], rows["late-accepted"]]).update(expires_at=timezone.now() - timedelta(seconds=1))

        def item(name, status, hinted=True, command_id=reset.id, **fields):
            return (kiosks[name].pk, ack(command_id, status, **fields), hints.get(name) if hinted else None)

        items = [
            item("ok-1", "reloaded", ms=100),
            item("ok-2", "reloaded", ms=250, command="reset"),
            item("ok-3", "reloaded"),
            item("pending", "reloaded", hinted=False),
            item("stranger", "done", hinted=False, command_id="c-000000000000"),
            item("failed", "ignored", reason="not-targeted"),
            item("dup", "reloaded", ms=300),
            item("late", "reloaded", ms=400),
            item("two-steps", "accepted", waiting_for="stagger"),
            item("no-hint", "accepted", hinted=False, waiting_for="idle"),
            item("dup", "reloaded", ms=300),
            item("wrong-command", "done", command="screenshot"),
            item("folded", "reloaded", ms=640),
            item("folded-no-hint", "reloaded", hinted=False, ms=650),
            item("withheld-1", "withheld", reason="in-use"),
            item("withheld-2", "withheld", reason="privacy"),
            item("two-steps", "reloaded", ms=700),
            (kiosks["answered"].pk, ack(home.id, "accepted"), Hint(home_rows["answered"], "home", False)),
            item("written-not-marked", "reloaded", ms=800),
            item("accepted-folded", "accepted", waiting_for="privacy"),
            item("late-accepted", "accepted", waiting_for="idle"),
            item("reloaded-before", "reloaded", ms=900),
            (kiosks["home-done"].pk, ack(home.id, "done", ms=50), Hint(home_rows["home-done"], "home", False)),
        ]
        labels = {older.id: "older", reset.id: "reset", home.id: "home"}
        return items, labels

    def snapshot(self, labels):
        deliveries = {
            (labels[row.command_id], row.kiosk_key): (
                row.state, row.reason, row.ms, row.waiting_for, row.late_status, row.sends,
                row.sent_at is not None, row.answered_at is not None,
            )
            for row in Delivery.objects.all()
        }
        kiosks = {
            kiosk.kiosk_id: (labels.get(kiosk.last_ack_command_id, kiosk.last_ack_command_id), kiosk.last_ack_status)
            for kiosk in Kiosk.objects.all()
        }
        return deliveries, kiosks

    def run_batch(self, record):
        with transaction.atomic():
            items, labels = self.mixed_batch()
            results = record(items)
            snapshot = self.snapshot(labels)
            for command_id, label in labels.items():
                results = [(outcome, detail.replace(command_id, label)) for outcome, detail in results]
            transaction.set_rollback(True)
        return results, snapshot

    def test_a_mixed_batch_gives_exactly_what_one_by_one_gives(self):
        alone, alone_rows = self.run_batch(one_by_one)
        together, together_rows = self.run_batch(record_acks)
        self.assertEqual([outcome for outcome, _ in alone], [outcome for _, outcome in self.EXPECTED])
        self.assertEqual(together, alone)
        self.assertIn("reset was already answered failed", alone[5][1])
        self.assertEqual(together_rows, alone_rows)
        deliveries, kiosks = together_rows
        # And they are what the delivery rules say.
        self.assertEqual(deliveries[("reset", "ok-1")][:3], (Delivery.RELOADED, "", 100))
        self.assertEqual(deliveries[("reset", "ok-3")][:3], (Delivery.RELOADED, "", None))
        self.assertEqual(deliveries[("reset", "pending")][0], Delivery.PENDING)
        self.assertEqual(deliveries[("reset", "failed")][:2], (Delivery.FAILED, "unknown-command"))
        self.assertEqual(deliveries[("reset", "late")][:5], (Delivery.EXPIRED, "no-answer", None, "", "reloaded"))
        self.assertEqual(deliveries[("reset", "two-steps")][:4], (Delivery.RELOADED, "", 700, ""))
        self.assertEqual(deliveries[("reset", "no-hint")][:4], (Delivery.ACCEPTED, "", None, "idle"))
        self.assertEqual(deliveries[("reset", "wrong-command")][0], Delivery.SENT)
        self.assertEqual(deliveries[("older", "folded")][:3], (Delivery.RELOADED, "", 640))
        self.assertEqual(deliveries[("older", "folded-no-hint")][:3], (Delivery.RELOADED, "", 650))
        self.assertEqual(deliveries[("older", "accepted-folded")][:4], (Delivery.ACCEPTED, "", None, "privacy"))
        self.assertEqual(deliveries[("reset", "withheld-2")][:2], (Delivery.WITHHELD, "privacy"))
        self.assertEqual(deliveries[("reset", "written-not-marked")][:3], (Delivery.RELOADED, "", 800))
        self.assertTrue(deliveries[("reset", "written-not-marked")][6])  # sent_at: the answer proves it was written
        self.assertEqual(deliveries[("home", "answered")][0], Delivery.DONE)
        self.assertEqual(kiosks["ok-2"], ("reset", "reloaded"))
        self.assertEqual(kiosks["withheld-1"], ("reset", "withheld"))
        self.assertEqual(kiosks["home-done"], ("home", "done"))
        self.assertEqual(kiosks["no-hint"], (None, ""))  # an interim answer is not the last ack

    def test_a_row_someone_else_wrote_at_the_same_instant_falls_back_to_one_by_one(self):
        """The rows an UPDATE changed are told apart by the time it wrote; a row of the same
        state written at that very microsecond makes that ambiguous, and then the batch is
        recorded one ack at a time instead, with the same results."""
        frozen = timezone.now()
        with mock.patch.object(commands.timezone, "now", return_value=frozen):
            alone, alone_rows = self.run_batch(one_by_one)
            with mock.patch.object(commands, "record_ack", wraps=commands.record_ack) as spy:
                together, together_rows = self.run_batch(record_acks)
        # "reloaded-before" was answered at that same instant: every ack went one by one
        # (applied together, only the few that changed nothing would have).
        self.assertEqual(spy.call_count, len(self.EXPECTED))
        self.assertEqual(together, alone)
        self.assertEqual(together_rows, alone_rows)

    def test_hints_that_name_each_others_rows_fall_back_to_one_by_one(self):
        """Hinted acks of one command are matched as one condition (their rows, their kiosks);
        a hint naming another kiosk's row would let that condition move a row record_ack
        would not, so the batch goes one by one instead, with the same results."""

        def crossed():
            a, b, c = (create_kiosk(name)[0] for name in ("cross-a", "cross-b", "cross-c"))
            reset = send_reset("all")
            rows = {row.kiosk_id: row.pk for row in reset.deliveries.all()}
            mark_sent(list(rows.values()))
            items = [
                (a.pk, ack(reset.id, "reloaded", ms=1), Hint(rows[b.pk], "reset", False)),
                (b.pk, ack(reset.id, "reloaded", ms=2), Hint(rows[a.pk], "reset", False)),
                (c.pk, ack(reset.id, "reloaded", ms=3), Hint(rows[c.pk], "reset", False)),
            ]
            return items, {reset.id: "reset"}

        self.mixed_batch = crossed
        alone, alone_rows = self.run_batch(one_by_one)
        with mock.patch.object(commands, "record_ack", wraps=commands.record_ack) as spy:
            together, together_rows = self.run_batch(record_acks)
        self.assertEqual(spy.call_count, 3)  # all three, one by one
        self.assertEqual(together, alone)
        self.assertEqual(together_rows, alone_rows)
        self.assertEqual(alone[2], (RECORDED, ""))
