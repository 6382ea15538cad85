"""Presence: a row per live connection on a worker with a heartbeat, exact whatever ends it."""

import asyncio
from datetime import timedelta

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiosk_fleet import conf, presence
from kiosk_fleet.commands import send_reset
from kiosk_fleet.models import Connection, Delivery, Kiosk, Worker

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, db, delivery_state, eventually


def online(kiosk_id):
    return Kiosk.objects.online().filter(kiosk_id=kiosk_id).exists()


class DefaultsTests(TestCase):
    def test_the_default_presence_timeout_is_at_most_30_seconds(self):
        self.assertLessEqual(conf.DEFAULTS["KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS"], 30)
        with self.settings():
            from django.conf import settings

            del settings.KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS
            self.assertLessEqual(conf.presence_timeout_seconds(), 30)
            self.assertLessEqual(conf.heartbeat_seconds(), 10)


class RowTests(TestCase):
    def test_a_kiosk_is_online_only_through_a_worker_with_a_fresh_heartbeat(self):
        kiosk, _ = create_kiosk("a-1")
        worker = Worker.objects.create(id="w-1", last_heartbeat=timezone.now())
        Connection.objects.create(id="c1", worker=worker, kiosk=kiosk, channel_name="x")
        self.assertTrue(online("a-1"))
        Worker.objects.filter(pk="w-1").update(last_heartbeat=timezone.now() - timedelta(seconds=31))
        self.assertFalse(online("a-1"))
        self.assertFalse(presence.fleet_status()["kiosks"]["a-1"]["online"])

    def test_a_live_workers_heartbeat_deletes_dead_workers_and_their_connections(self):
        kiosk, _ = create_kiosk("a-1")
        dead = Worker.objects.create(id="dead", last_heartbeat=timezone.now() - timedelta(seconds=61))
        Connection.objects.create(id="c1", worker=dead, kiosk=kiosk, channel_name="x")
        Worker.objects.create(id="alive")
        presence.heartbeat("alive", "host", 1, [], set())
        self.assertEqual(list(Worker.objects.values_list("id", flat=True)), ["alive"])
        self.assertFalse(Connection.objects.exists())

    def test_a_worker_deleted_while_alive_writes_itself_and_its_connections_back(self):
        kiosk, _ = create_kiosk("a-1")
        live = presence.LiveConnection("c1", kiosk.pk, "chan", "127.0.0.1", timezone.now())
        self.assertTrue(presence.heartbeat("w-1", "host", 1, [live], set()))
        self.assertTrue(online("a-1"))
        self.assertFalse(presence.heartbeat("w-1", "host", 1, [live], set()))

    def test_the_heartbeat_deletes_connections_that_ended_without_cleaning_up(self):
        kiosk, _ = create_kiosk("a-1")
        worker = Worker.objects.create(id="w-1")
        Connection.objects.create(id="c1", worker=worker, kiosk=kiosk, channel_name="x")
        presence.heartbeat("w-1", "host", 1, [], {"c1"})
        self.assertFalse(online("a-1"))

    def test_a_stopping_worker_takes_its_kiosks_offline_at_once(self):
        kiosk, _ = create_kiosk("a-1")
        w = presence.WorkerPresence()
        Worker.objects.create(id=w.id)
        w.add(presence.LiveConnection("c1", kiosk.pk, "chan", "", timezone.now()))
        Connection.objects.create(id="c1", worker_id=w.id, kiosk=kiosk, channel_name="chan")
        w._task = object()  # as if it had started
        w.at_exit()
        self.assertFalse(online("a-1"))
        self.assertFalse(Worker.objects.filter(pk=w.id).exists())
        self.assertIsNotNone(Kiosk.objects.get(pk=kiosk.pk).last_seen)


class StatusWaveTests(TestCase):
    """Status reports of many connections at once (a fleet that connected together reports
    together, every 30 s): a few statements, each kiosk its own values."""

    def wave(self, prefix, count):
        kiosks = [create_kiosk("%s-%02d" % (prefix, i))[0] for i in range(count)]
        return [
            (kiosk.pk, {"version": "1.%d" % (i % 3), "renderer": "alive", "uptimeSeconds": 100 + i}, None)
            for i, kiosk in enumerate(kiosks)
        ]

    def cost(self, func, items):
        with CaptureQueriesContext(connection) as captured:
            func(items)
        return len(captured)

    def test_a_wave_of_status_reports_costs_the_same_whatever_its_size(self):
        few, many = self.wave("few", 3), self.wave("many", 50)
        self.assertEqual(self.cost(presence.save_statuses, few), self.cost(presence.save_statuses, many))
        for kiosk_pk, status, _ in few + many:
            kiosk = Kiosk.objects.get(pk=kiosk_pk)
            self.assertEqual((kiosk.version, kiosk.renderer_state, kiosk.uptime_seconds), (status["version"], "alive", status["uptimeSeconds"]))
            self.assertIsNotNone(kiosk.last_status_at)

    def test_each_kiosk_s_own_schedule_in_one_wave(self):
        # A JSON field differing per kiosk (the schedule summary each kiosk reports).
        items = [
            (pk, {**status, "schedule": {"timezone": "America/Los_Angeles", "nextOff": "2026-12-0%dT03:00:00.000Z" % (i + 1)}}, None)
            for i, (pk, status, _) in enumerate(self.wave("s", 3))
        ]
        presence.save_statuses(items)
        for pk, status, _ in items:
            self.assertEqual(Kiosk.objects.get(pk=pk).schedule, status["schedule"])

    def test_two_connections_of_one_kiosk_in_a_wave_are_written_in_order(self):
        items = self.wave("w", 4)
        twice = items[1][0]
        items.append((twice, {"uptimeSeconds": 999}, (2, "binary frame")))
        items.insert(0, (twice, None, (3, "too many messages, dropped")))
        presence.save_statuses(items)
        kiosk = Kiosk.objects.get(pk=twice)
        self.assertEqual((kiosk.uptime_seconds, kiosk.rejected_frames, kiosk.last_rejected_reason), (999, 5, "binary frame"))
        other = Kiosk.objects.get(pk=items[1][0])
        self.assertEqual(other.uptime_seconds, 100)

    def test_rejection_counts_add_to_each_kiosks_own(self):
        items = [(pk, None, (n, "reason %d" % n)) for n, (pk, _, _) in enumerate(self.wave("r", 5), start=1)]
        presence.save_statuses(items)
        presence.close_connections([("gone-%d" % n, pk, None, rejected) for n, (pk, _, rejected) in enumerate(items)])
        for n, (pk, _, _) in enumerate(items, start=1):
            kiosk = Kiosk.objects.get(pk=pk)
            self.assertEqual((kiosk.rejected_frames, kiosk.last_rejected_reason), (2 * n, "reason %d" % n))


@override_settings(KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS=0.6)
class LiveTests(FleetTransactionTestCase):
    async def test_connect_records_a_row_on_this_worker_and_disconnect_deletes_it(self):
        client = await self.connect("a-1")
        rows = await db(lambda: list(Connection.objects.values("kiosk__kiosk_id", "worker_id")))()
        self.assertEqual(rows, [{"kiosk__kiosk_id": "a-1", "worker_id": presence.worker().id}])
        await client.close()
        self.assertFalse(await db(online)("a-1"))

    async def test_a_connection_cancelled_by_the_server_stops_counting_by_the_next_heartbeat(self):
        """Daphne kills application instances that do not stop in time: disconnect() never runs."""
        client = await self.connect("a-1")
        client.ws.future.cancel()
        await asyncio.sleep(0)
        await eventually(lambda: not online("a-1"), timeout=2)
        self.assertFalse(await db(Connection.objects.exists)())

    async def test_a_handshake_that_never_completes_is_never_counted(self):
        _, token = await db(create_kiosk)("a-1")
        client = KioskClient(token=token, kiosk_id="a-1")
        connecting = asyncio.ensure_future(client.connect())
        await asyncio.sleep(0)  # the consumer is authenticating
        client.ws.future.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        await asyncio.sleep(0.5)  # past a heartbeat
        self.assertFalse(await db(Connection.objects.exists)())

    async def test_a_command_to_a_kiosk_whose_connection_died_stays_pending(self):
        client = await self.connect("a-1")
        client.ws.future.cancel()
        await eventually(lambda: not online("a-1"), timeout=2)
        reset = await db(send_reset)("all")
        await asyncio.sleep(0.3)
        self.assertEqual(await db(delivery_state)(reset.id, "a-1"), Delivery.PENDING)

    async def test_a_worker_whose_registration_failed_registers_again_on_the_next_connection(self):
        from unittest import mock

        with mock.patch.object(presence, "register_worker", side_effect=presence.IntegrityError("database is down")):
            _, token = await db(create_kiosk)("a-1")
            client = KioskClient(token=token, kiosk_id="a-1")
            with self.assertLogs("kiosk_fleet", "WARNING"):
                self.assertFalse((await client.connect())[0])
            await client.close()
        client = KioskClient(token=token, kiosk_id="a-1")
        self.assertTrue((await client.connect())[0])
        await client.hello()
        self.assertTrue(await db(online)("a-1"))
        await client.close()

    async def test_the_heartbeat_keeps_a_quiet_connection_online(self):
        client = await self.connect("a-1")
        await asyncio.sleep(1.5)  # more than twice the timeout, and nothing said
        self.assertTrue(await db(online)("a-1"))
        await client.close()
