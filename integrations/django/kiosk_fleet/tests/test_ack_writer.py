"""Acks written in batches: a fleet-wide wave in few transactions, and no ack lost to another's failure."""

import asyncio
import threading
from unittest import mock

from channels.db import database_sync_to_async

from kiosk_fleet import ack_writer as ack_writer_module
from kiosk_fleet import resets
from kiosk_fleet.ack_writer import AckWriter, ack_writer
from kiosk_fleet.models import Kiosk, ResetDelivery
from kiosk_fleet.resets import send_reset

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, eventually

db = database_sync_to_async


def enrol_and_reset(count):
    """``count`` enrolled kiosks and a reset for all of them; returns (kiosk pks, reset)."""
    pks = [create_kiosk("wave-%02d" % i)[0].pk for i in range(count)]
    return pks, send_reset("all")


def states(reset_id):
    return dict(ResetDelivery.objects.filter(reset_id=reset_id).values_list("kiosk__kiosk_id", "state"))


class AckWriterTests(FleetTransactionTestCase):
    async def test_acks_that_arrive_together_are_written_in_one_transaction(self):
        pks, reset = await db(enrol_and_reset)(30)
        with mock.patch.object(resets, "record_acks", wraps=resets.record_acks) as spy:
            results = await asyncio.gather(*(ack_writer().record(pk, reset.id, "reloaded", 300) for pk in pks))
        self.assertEqual(results, [True] * 30)
        self.assertEqual([len(call.args[0]) for call in spy.call_args_list], [30])
        self.assertEqual(set((await db(states)(reset.id)).values()), {ResetDelivery.ACKNOWLEDGED})

    async def test_a_wave_larger_than_a_batch_is_written_in_several(self):
        pks, reset = await db(enrol_and_reset)(25)
        with mock.patch.object(ack_writer_module, "MAX_BATCH", 10), mock.patch.object(
            resets, "record_acks", wraps=resets.record_acks
        ) as spy:
            results = await asyncio.gather(*(ack_writer().record(pk, reset.id, "reloaded") for pk in pks))
        self.assertEqual(results, [True] * 25)
        self.assertEqual([len(call.args[0]) for call in spy.call_args_list], [10, 10, 5])

    async def test_an_ack_that_fails_is_rolled_back_alone_and_its_caller_gets_the_error(self):
        pks, reset = await db(enrol_and_reset)(3)
        failing = pks[1]
        before = await db(states)(reset.id)
        real_filter = Kiosk.objects.filter

        def filter_failing_for_one_kiosk(*args, **kwargs):
            # record_ack has already updated this kiosk's delivery row when it gets here.
            if kwargs.get("pk") == failing:
                raise RuntimeError("disk I/O error")
            return real_filter(*args, **kwargs)

        with mock.patch.object(Kiosk.objects, "filter", side_effect=filter_failing_for_one_kiosk):
            results = await asyncio.gather(
                *(ack_writer().record(pk, reset.id, "reloaded") for pk in pks),
                ack_writer().record(pks[0], "r-000000000000", "reloaded"),
                return_exceptions=True,
            )
        self.assertIs(results[0], True)
        self.assertIsInstance(results[1], RuntimeError)
        self.assertIs(results[2], True)
        self.assertIs(results[3], False)  # an unknown reset: nothing to answer
        self.assertNotEqual(before["wave-01"], ResetDelivery.ACKNOWLEDGED)
        self.assertEqual(
            await db(states)(reset.id),
            {"wave-00": ResetDelivery.ACKNOWLEDGED, "wave-01": before["wave-01"], "wave-02": ResetDelivery.ACKNOWLEDGED},
        )

    async def test_acks_waiting_on_a_writer_that_is_stopped_get_an_error_instead_of_waiting_forever(self):
        release = threading.Event()
        writer = AckWriter()

        def stuck(acks):
            release.wait(5)
            return [True] * len(acks)

        with mock.patch.object(resets, "record_acks", side_effect=stuck):
            first = asyncio.ensure_future(writer.record(1, "r-000000000001", "reloaded"))
            await asyncio.sleep(0.05)  # the first is being written; the second queues behind it
            second = asyncio.ensure_future(writer.record(2, "r-000000000001", "reloaded"))
            await asyncio.sleep(0)
            writer._drainer.cancel()
            results = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), 3)
            release.set()
        self.assertEqual([type(r) for r in results], [RuntimeError, RuntimeError])
        self.assertIsNone(writer._drainer)

    async def test_kiosks_acking_a_fleet_reset_at_once_are_all_recorded_in_fewer_transactions(self):
        clients = []
        for i in range(12):
            _, token = await db(create_kiosk)("lobby-%02d" % i)
            client = KioskClient(token=token, kiosk_id="lobby-%02d" % i)
            self.assertTrue((await client.connect())[0])
            await client.hello()
            clients.append(client)
        reset = await db(send_reset)("all")
        for client in clients:
            self.assertEqual((await client.receive_json())["id"], reset.id)
        with mock.patch.object(resets, "record_acks", wraps=resets.record_acks) as spy:
            await asyncio.gather(*(client.ack(reset.id, "reloaded", ms=200) for client in clients))
            await eventually(lambda: set(states(reset.id).values()) == {ResetDelivery.ACKNOWLEDGED})
        self.assertEqual(sum(len(call.args[0]) for call in spy.call_args_list), 12)
        self.assertLess(spy.call_count, 12)
        for client in clients:
            await client.close()
