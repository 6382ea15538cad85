"""Handshake limits: connections per kiosk (across workers), refused handshakes that cost no
query, and refusals logged once per interval. (The frame size limit where the bytes arrive
is tested with a real daphne in test/e2e/django-limits.test.ts.)"""

import asyncio
import contextlib
import logging
from datetime import timedelta
from unittest import mock

from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from kiosk_fleet import conf, limits, presence
from kiosk_fleet.consumers import CLOSE_TOO_MANY_CONNECTIONS
from kiosk_fleet.models import Connection, Kiosk, Worker

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, db


@contextlib.contextmanager
def lookups():
    """Counts the tokens looked up in the database (handshakes batch their lookups)."""
    with mock.patch.object(presence, "open_connections", wraps=presence.open_connections) as spy:
        yield lambda: sum(len(call.args[0]) for call in spy.call_args_list)


def live_rows(kiosk_id):
    return Connection.objects.filter(kiosk__kiosk_id=kiosk_id).count()


class ConnectionCapTests(FleetTransactionTestCase):
    async def _open(self, token, count):
        clients = [KioskClient(token=token) for _ in range(count)]
        results = await asyncio.gather(*(client.connect() for client in clients))
        return clients, [ok for ok, _ in results]

    @override_settings(KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK=3)
    async def test_connections_beyond_the_cap_are_closed_4029_and_never_recorded(self):
        _, token = await db(create_kiosk)("lobby-1")
        clients, accepted = await self._open(token, 3)
        self.assertEqual(accepted, [True, True, True])
        extra = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            self.assertTrue((await extra.connect())[0])  # accepted so that the close says why
            self.assertEqual(await extra.receive_close_code(), CLOSE_TOO_MANY_CONNECTIONS)
        self.assertIn("kiosk lobby-1: handshake from", logs.output[0])
        self.assertIn("KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK", logs.output[0])
        self.assertEqual(await db(live_rows)("lobby-1"), 3)
        await extra.close()
        # One closes: there is room again.
        await clients[0].close()
        again = KioskClient(token=token)
        self.assertTrue((await again.connect())[0])
        await again.receives_nothing()
        self.assertEqual(await db(live_rows)("lobby-1"), 3)
        for client in clients[1:] + [again]:
            await client.close()

    @override_settings(KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK=2)
    async def test_many_at_once_admit_exactly_the_cap(self):
        _, token = await db(create_kiosk)("lobby-1")
        with self.assertLogs("kiosk_fleet", "WARNING"):
            clients, accepted = await self._open(token, 20)
            open_ = 0
            for client, ok in zip(clients, accepted):
                if not ok:
                    continue  # refused at the handshake (its address or token used up its tickets)
                try:
                    self.assertEqual(await client.receive_close_code(timeout=0.3), CLOSE_TOO_MANY_CONNECTIONS)
                except asyncio.TimeoutError:
                    open_ += 1
        self.assertEqual(open_, 2)
        self.assertEqual(await db(live_rows)("lobby-1"), 2)
        for client in clients:
            await client.close()

    @override_settings(KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK=2)
    async def test_connections_on_other_live_workers_count_and_on_dead_ones_do_not(self):
        kiosk, token = await db(create_kiosk)("lobby-1")

        def other_worker(age):
            worker = Worker.objects.create(id="other-%d" % age, last_heartbeat=timezone.now() - timedelta(seconds=age))
            for i in range(2):
                Connection.objects.create(id="%s-%d" % (worker.id, i), worker=worker, kiosk=kiosk, channel_name="x")

        await db(other_worker)(3600)  # dead: its rows do not count
        client = KioskClient(token=token)
        self.assertTrue((await client.connect())[0])
        await client.receives_nothing()
        await client.close()
        await db(other_worker)(0)  # alive, with two: the kiosk is at its cap
        client = KioskClient(token=token)
        with self.assertLogs("kiosk_fleet", "WARNING"):
            self.assertTrue((await client.connect())[0])
            self.assertEqual(await client.receive_close_code(), CLOSE_TOO_MANY_CONNECTIONS)
        await client.close()

    async def test_the_default_cap_is_small(self):
        self.assertTrue(2 <= conf.DEFAULTS["KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK"] <= 4)


@override_settings(KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE=5)
class RefusedHandshakeTests(FleetTransactionTestCase):
    async def _bad(self, count, address="203.0.113.9"):
        async def one(i):
            client = KioskClient(token="kfk_not-a-token-%04d-%s" % (i, "x" * 30))
            client.ws.scope["client"] = [address, 40000 + i]
            connected, _ = await client.connect()
            await client.close()
            return connected

        return await asyncio.gather(*(one(i) for i in range(count)))

    async def test_a_flood_of_bad_tokens_costs_a_bounded_number_of_lookups(self):
        with lookups() as looked_up, self.assertLogs("kiosk_fleet", "WARNING"):
            results = await self._bad(60)
        self.assertEqual(results, [False] * 60)
        # The address's burst (and what refilled meanwhile); the rest were refused unlooked-up.
        self.assertIn(looked_up(), (5, 6))

    async def test_a_kiosk_that_connected_before_gets_in_during_a_flood_from_its_own_address(self):
        _, token = await db(create_kiosk)("lobby-1")
        first = KioskClient(token=token)
        first.ws.scope["client"] = ["203.0.113.9", 1]
        self.assertTrue((await first.connect())[0])
        await first.close()
        with self.assertLogs("kiosk_fleet", "WARNING"):
            await self._bad(30)
        again = KioskClient(token=token)
        again.ws.scope["client"] = ["203.0.113.9", 2]
        self.assertTrue((await again.connect())[0])
        await again.receives_nothing()
        await again.close()
        # A new kiosk behind that address waits for the flood's bucket to refill.
        _, new_token = await db(create_kiosk)("lobby-2")
        new = KioskClient(token=new_token)
        new.ws.scope["client"] = ["203.0.113.9", 3]
        self.assertFalse((await new.connect())[0])  # counted in the flood's log line
        await new.close()
        # Another address is not held up.
        other = KioskClient(token=new_token)
        other.ws.scope["client"] = ["198.51.100.7", 4]
        self.assertTrue((await other.connect())[0])
        await other.close()

    async def test_a_flood_from_many_addresses_is_bounded_by_the_workers_bucket(self):
        with lookups() as looked_up, self.assertLogs("kiosk_fleet", "WARNING"):
            for n in range(20):
                await self._bad(5, address="198.51.100.%d" % n)
        worker_burst = 5 * limits.HandshakeGuard.WORKER_FACTOR
        self.assertGreaterEqual(looked_up(), worker_burst)
        self.assertLessEqual(looked_up(), worker_burst + 3)

    async def test_kiosks_that_connect_use_up_nothing(self):
        _, token = await db(create_kiosk)("lobby-1")
        for _ in range(20):
            client = KioskClient(token=token)
            self.assertTrue((await client.connect())[0])
            await client.close()


class RefusalLogTests(SimpleTestCase):
    def test_refusals_are_logged_at_once_then_once_per_interval_with_counts(self):
        async def scenario():
            log = limits.RefusalLog()
            for i in range(499):
                log.refused(limits.BAD_TOKEN, "203.0.113.9")
            log.refused(limits.OVER_CAP, "198.51.100.7", "lobby-1")
            await asyncio.sleep(0.25)
            log.refused(limits.NO_TOKEN, "203.0.113.9")
            await asyncio.sleep(0.25)
            await asyncio.sleep(0.25)  # a quiet interval: the next refusal is logged at once
            log.refused(limits.BAD_TOKEN, "203.0.113.9")
            await asyncio.sleep(0.25)

        with override_settings(KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS=0.2), self.assertLogs("kiosk_fleet", "WARNING") as logs:
            asyncio.run(scenario())
        lines = [record.getMessage() for record in logs.records]
        self.assertEqual(len(lines), 4, lines)
        self.assertIn("kiosk handshake from 203.0.113.9 refused: unknown or revoked token", lines[0])
        self.assertRegex(
            lines[1],
            r"^refused 500 kiosk handshakes in the last 0 s: 499 bad token, 1 over cap; most from 203\.0\.113\.9 \(499\); "
            r"over cap most often: kiosk lobby-1 \(1\)$",
        )
        self.assertRegex(lines[2], r"^refused 1 kiosk handshakes in the last 0 s: 1 no token; most from 203\.0\.113\.9 \(1\)$")
        self.assertIn("kiosk handshake from 203.0.113.9 refused", lines[3])

    def test_no_token_and_no_part_of_one_is_logged(self):
        token = "kfk_" + "S3cr3t" * 7

        async def scenario():
            client = KioskClient(token=token)
            await client.connect()
            await client.close()

        # Through the consumer, with the database guard first: refused before any lookup.
        guard = limits.HandshakeGuard()
        with mock.patch.object(limits, "guard", return_value=guard), \
                mock.patch.object(guard, "ticket", return_value=None), \
                self.assertLogs("kiosk_fleet", logging.DEBUG) as logs:
            asyncio.run(scenario())
        output = "\n".join(logs.output)
        self.assertIn("refused", output)
        for part in (token, token[4:12], "S3cr3t"):
            self.assertNotIn(part, output)
