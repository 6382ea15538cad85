"""Batched writes: a fleet-wide wave in few transactions, and no result lost to another's failure."""

import asyncio
import threading
from unittest import mock

from django.db import DatabaseError, connection

from kiosk_fleet import commands, dbthread, protocol
from kiosk_fleet.commands import send_reset
from kiosk_fleet.dbthread import Batcher, batcher
from kiosk_fleet.models import Delivery

from .helpers import FleetTransactionTestCase, create_kiosk, db, eventually, states


def echo(items):
    return [item * 2 for item in items]


class BatcherTests(FleetTransactionTestCase):
    async def test_calls_made_together_run_as_one_batch(self):
        calls = []

        def record(items):
            calls.append(len(items))
            return [item + 1 for item in items]

        b = Batcher(record)
        results = await asyncio.gather(*(b.submit(i) for i in range(30)))
        self.assertEqual(results, list(range(1, 31)))
        self.assertEqual(calls, [30])

    async def test_a_wave_larger_than_a_batch_is_split(self):
        calls = []

        def record(items):
            calls.append(len(items))
            return items

        with mock.patch.object(dbthread, "MAX_BATCH", 10):
            await asyncio.gather(*(Batcher(record).submit(i) for i in range(3)))
            b = Batcher(record)
            await asyncio.gather(*(b.submit(i) for i in range(25)))
        self.assertEqual(calls[-3:], [10, 10, 5])

    async def test_one_item_failing_gets_its_error_and_the_others_their_results(self):
        def record(items):
            return [ValueError("bad") if item == 1 else item for item in items]

        b = Batcher(record)
        results = await asyncio.gather(*(b.submit(i) for i in range(3)), return_exceptions=True)
        self.assertEqual(results[0], 0)
        self.assertIsInstance(results[1], ValueError)
        self.assertEqual(results[2], 2)

    async def test_waiting_on_a_stopped_batcher_is_an_error_not_a_hang(self):
        release = threading.Event()

        def stuck(items):
            release.wait(5)
            return items

        b = Batcher(stuck)
        first = asyncio.ensure_future(b.submit(1))
        await asyncio.sleep(0.05)  # the first is being written; the second queues behind it
        second = asyncio.ensure_future(b.submit(2))
        await asyncio.sleep(0)
        b._drainer.cancel()
        results = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), 3)
        release.set()
        self.assertEqual([type(r) for r in results], [RuntimeError, RuntimeError])
        self.assertIsNone(b._drainer)

    async def test_one_batcher_per_function_and_loop(self):
        self.assertIs(batcher(echo), batcher(echo))
        self.assertEqual(await batcher(echo).submit(21), 42)

    async def test_kiosks_acking_a_fleet_reset_at_once_are_recorded_in_few_transactions(self):
        clients = [await self.connect("lobby-%02d" % i) for i in range(12)]
        reset = await db(send_reset)("all")
        for client in clients:
            self.assertEqual((await client.receive_json())["id"], reset.id)
        await eventually(lambda: set(states(reset.id).values()) == {Delivery.SENT})
        with mock.patch.object(commands, "record_acks", wraps=commands.record_acks) as spy:
            await asyncio.gather(*(client.ack(reset.id, "reloaded", ms=200) for client in clients))
            await eventually(lambda: set(states(reset.id).values()) == {Delivery.RELOADED})
        self.assertEqual(sum(len(call.args[0]) for call in spy.call_args_list), 12)
        self.assertLess(spy.call_count, 12)
        for client in clients:
            await client.close()

    async def test_one_ack_failing_in_a_batch_is_rolled_back_alone(self):
        """A real failure of the database on one ack's row (a trigger raising, as a full disk
        would): the batch applied together fails as a whole, and one ack at a time only the
        one that fails is rolled back."""
        pks = [(await db(create_kiosk)("wave-%d" % i))[0].pk for i in range(3)]
        reset = await db(send_reset)("all")
        await db(commands.mark_sent)(list(await db(lambda: list(Delivery.objects.values_list("pk", flat=True)))()))
        ack = protocol.Ack(kiosk=None, command_id=reset.id, status="reloaded")
        await db(failing_updates_of_kiosk)(pks[1])
        try:
            results = await db(commands.record_acks)([(pk, ack) for pk in pks])
        finally:
            await db(drop_failing_updates)()
        self.assertEqual(results[0], (commands.RECORDED, ""))
        self.assertIsInstance(results[1], DatabaseError)
        self.assertIn("disk I/O error", str(results[1]))
        self.assertEqual(results[2], (commands.RECORDED, ""))
        self.assertEqual(await db(states)(reset.id), {"wave-0": "reloaded", "wave-1": "sent", "wave-2": "reloaded"})


def failing_updates_of_kiosk(kiosk_pk):
    """Make the database refuse every update of that kiosk's deliveries (until dropped)."""
    table, column = Delivery._meta.db_table, Delivery._meta.get_field("kiosk").column
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER kiosk_fleet_test_fail BEFORE UPDATE ON %s FOR EACH ROW WHEN OLD.%s = %d "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END" % (table, column, int(kiosk_pk))
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION kiosk_fleet_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF OLD.%s = %d THEN RAISE EXCEPTION 'disk I/O error'; END IF; RETURN NEW; END $$"
                % (column, int(kiosk_pk))
            )
            cursor.execute(
                "CREATE TRIGGER kiosk_fleet_test_fail BEFORE UPDATE ON %s FOR EACH ROW EXECUTE PROCEDURE kiosk_fleet_test_fail()"
                % table
            )
        else:
            raise AssertionError("no failing trigger written for %s" % connection.vendor)


def drop_failing_updates():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER kiosk_fleet_test_fail")
        else:
            cursor.execute("DROP TRIGGER kiosk_fleet_test_fail ON %s" % Delivery._meta.db_table)
            cursor.execute("DROP FUNCTION kiosk_fleet_test_fail()")
