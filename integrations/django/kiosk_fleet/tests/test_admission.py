"""A fleet reconnecting at once (every worker restarted): the handshake guard does not throttle
enrolled kiosks, whatever address they share; the worker serves at most
KIOSK_FLEET_MAX_PENDING_HANDSHAKES at once and refuses the rest before any lookup; a
handshake that runs out of time is refused and leaves no presence; the connect path costs a
few queries per batch, not per kiosk. (The 2,000-kiosk storm itself is the django-restart
bench.)"""

import asyncio
import contextlib
import time
from unittest import mock

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kiosk_fleet import layer, limits, presence
from kiosk_fleet.models import Connection, Kiosk

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, db

ADDRESS = "203.0.113.9"  # one NAT address for the whole fleet


@contextlib.contextmanager
def lookups():
    """Counts the tokens looked up in the database (handshakes batch their lookups)."""
    with mock.patch.object(presence, "open_connections", wraps=presence.open_connections) as spy:
        yield lambda: sum(len(call.args[0]) for call in spy.call_args_list)


def client_from(token, address=ADDRESS, port=40000):
    client = KioskClient(token=token)
    client.ws.scope["client"] = [address, port]
    return client


def enrol(count, prefix="k"):
    return [create_kiosk("%s-%d" % (prefix, i), groups="city")[1] for i in range(count)]


def rows():
    return Connection.objects.count()


@override_settings(KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE=5)
class ReconnectStormTests(FleetTransactionTestCase):
    async def test_a_whole_fleet_behind_one_address_reconnects_at_once_to_a_fresh_worker(self):
        # A fresh worker (this test's event loop) knows no token from a connection yet; its
        # address buckets allow 5. Every enrolled kiosk gets in all the same.
        tokens = await db(enrol)(40)
        clients = [client_from(token, port=40000 + i) for i, token in enumerate(tokens)]
        results = await asyncio.gather(*(client.connect() for client in clients))
        self.assertEqual([ok for ok, _ in results], [True] * 40)
        self.assertEqual(await db(rows)(), 40)
        for client in clients:
            await client.close()

    async def test_a_flood_of_bad_tokens_from_the_fleets_address_holds_up_no_enrolled_kiosk(self):
        tokens = await db(enrol)(20)
        good = [client_from(token, port=40000 + i) for i, token in enumerate(tokens)]
        bad = [client_from("kfk_not-a-token-%04d-%s" % (i, "x" * 30), port=50000 + i) for i in range(60)]
        with lookups() as looked_up, self.assertLogs("kiosk_fleet", "WARNING"):
            results = await asyncio.gather(*(client.connect() for client in bad + good))
        accepted = [ok for ok, _ in results]
        self.assertEqual(accepted[60:], [True] * 20)
        self.assertEqual(accepted[:60], [False] * 60)
        # The enrolled 20, and the address's burst of bad ones: the rest cost no lookup.
        self.assertIn(looked_up() - 20, (5, 6))
        for client in bad + good:
            await client.close()

    async def test_a_kiosk_enrolled_after_the_worker_started_takes_from_its_address_until_it_connects(self):
        first = await db(enrol)(1)
        client = client_from(first[0])
        self.assertTrue((await client.connect())[0])  # the worker has read the enrolled kiosks
        await client.close()
        new = await db(enrol)(8, prefix="new")
        clients = [client_from(token, port=41000 + i) for i, token in enumerate(new)]
        with self.assertLogs("kiosk_fleet", "WARNING") as logs:
            results = await asyncio.gather(*(c.connect() for c in clients))
        self.assertEqual(sum(ok for ok, _ in results), 5)  # the address's burst at once
        self.assertIn(limits.REASONS[limits.THROTTLED], "\n".join(logs.output))
        for c in clients:
            await c.close()
        # Those that got in gave their tickets back, and are known now.
        clients = [client_from(token, port=42000 + i) for i, token in enumerate(new)]
        results = [await c.connect() for c in clients[:5]]
        self.assertEqual([ok for ok, _ in results], [True] * 5)
        for c in clients:
            await c.close()


@override_settings(KIOSK_FLEET_MAX_PENDING_HANDSHAKES=5)
class GateTests(FleetTransactionTestCase):
    async def test_beyond_the_gate_handshakes_are_refused_at_once_without_a_lookup(self):
        tokens = await db(enrol)(20)
        clients = [client_from(token, port=40000 + i) for i, token in enumerate(tokens)]
        with lookups() as looked_up, self.assertLogs("kiosk_fleet", "WARNING") as logs:
            results = await asyncio.gather(*(client.connect() for client in clients))
        self.assertEqual(sum(ok for ok, _ in results), 5)
        self.assertEqual(looked_up(), 5)
        self.assertIn(limits.REASONS[limits.BUSY], "\n".join(logs.output))
        self.assertEqual(await db(rows)(), 5)
        self.assertEqual(limits.guard().gate.in_progress, 0)
        for client in clients:
            await client.close()
        # Refused ones retry and get in: nothing was used up.
        clients = [client_from(token, port=41000 + i) for i, token in enumerate(tokens[5:10])]
        results = await asyncio.gather(*(client.connect() for client in clients))
        self.assertEqual([ok for ok, _ in results], [True] * 5)
        for client in clients:
            await client.close()


class DeadlineTests(FleetTransactionTestCase):
    @override_settings(KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS=0)
    async def test_a_handshake_whose_time_ran_out_while_it_waited_is_refused_before_the_lookup(self):
        _, token = await db(create_kiosk)("lobby-1")
        with lookups() as looked_up, self.assertLogs("kiosk_fleet", "WARNING") as logs:
            self.assertFalse((await client_from(token).connect())[0])
        self.assertEqual(looked_up(), 1)  # handed to the database thread, which skipped it
        self.assertIn(limits.REASONS[limits.TOO_LATE], "\n".join(logs.output))
        self.assertEqual(await db(rows)(), 0)
        self.assertEqual(limits.guard().gate.in_progress, 0)

    @override_settings(KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS=0.3)
    async def test_a_handshake_that_runs_out_of_time_after_its_row_was_written_is_undone(self):
        _, token = await db(create_kiosk)("lobby-1", groups="city")
        original = InMemoryChannelLayer.group_add

        async def slow_group_add(self, group, channel):
            await asyncio.sleep(0.5)  # the layer is slow: the handshake's time runs out here
            await original(self, group, channel)

        with mock.patch.object(InMemoryChannelLayer, "group_add", slow_group_add), \
                self.assertLogs("kiosk_fleet", "WARNING") as logs:
            self.assertFalse((await client_from(token).connect())[0])
        self.assertIn(limits.REASONS[limits.TOO_LATE], "\n".join(logs.output))
        self.assertEqual(await db(rows)(), 0)
        self.assertFalse(await db(lambda: Kiosk.objects.online().exists())())
        channel_layer = get_channel_layer()
        for group in layer.channel_groups_for_kiosk("lobby-1", ("city",)):
            self.assertEqual(channel_layer.groups.get(group, {}), {})
        self.assertEqual(limits.guard().gate.in_progress, 0)
        # And with time to spare it connects.
        client = client_from(token)
        self.assertTrue((await client.connect())[0])
        self.assertEqual(await db(rows)(), 1)
        await client.close()

    @override_settings(KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE=1)
    async def test_a_handshake_cancelled_while_it_waits_gives_its_ticket_back(self):
        first = await db(enrol)(1)
        client = client_from(first[0])
        self.assertTrue((await client.connect())[0])  # the worker has read the enrolled kiosks
        await client.close()
        _, token = await db(create_kiosk)("new-1")  # unknown to the worker: its address's bucket (1)
        original = presence.open_connections

        def slow_database(requests):
            time.sleep(0.6)
            return original(requests)

        with mock.patch.object(presence, "open_connections", slow_database):
            cancelled = client_from(token)
            with self.assertRaises(asyncio.TimeoutError):
                await cancelled.ws.connect(timeout=0.2)  # the server cancels the consumer
            await asyncio.sleep(0.8)
        self.assertEqual(limits.guard().gate.in_progress, 0)
        again = client_from(token, port=40001)
        self.assertTrue((await again.connect())[0])  # the ticket came back: not throttled
        await again.close()
        self.assertEqual(await db(rows)(), 0)


class BatchTests(FleetTransactionTestCase):
    def test_one_batch_of_handshakes_costs_the_same_queries_as_one(self):
        worker = presence.WorkerPresence()
        presence.register_worker(worker.id, worker.host, worker.pid)
        tokens = enrol(60)

        def requests(tokens, tag):
            return [
                presence.OpenRequest(presence.hash_token(t), worker, "%s-%d" % (tag, i), "chan-%s-%d" % (tag, i), "10.0.0.1")
                for i, t in enumerate(tokens)
            ]

        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len([r for r in presence.open_connections(requests(tokens[:1], "a")) if r]), 1)
        bad = ["kfk_not-a-token-%04d-%s" % (i, "x" * 30) for i in range(10)]
        with CaptureQueriesContext(connection) as many:
            results = presence.open_connections(requests(tokens[1:] + bad, "b"))
        self.assertEqual([r.kiosk_id for r in results[:59]], ["k-%d" % i for i in range(1, 60)])
        self.assertEqual(results[59:], [None] * 10)
        self.assertEqual(len(many.captured_queries), len(one.captured_queries))
        self.assertLessEqual(len(one.captured_queries), 6)  # savepoint/begin, lookup, update, count, insert, commit
        self.assertEqual(Connection.objects.count(), 60)

    @override_settings(KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK=2)
    def test_the_cap_counts_within_a_batch_too(self):
        worker = presence.WorkerPresence()
        presence.register_worker(worker.id, worker.host, worker.pid)
        (token,) = enrol(1)
        requests = [presence.OpenRequest(presence.hash_token(token), worker, "c-%d" % i, "chan-%d" % i, "10.0.0.1") for i in range(4)]
        results = presence.open_connections(requests)
        self.assertEqual([type(r).__name__ for r in results], ["KioskIdentity", "KioskIdentity", "OverCap", "OverCap"])
        self.assertEqual(Connection.objects.count(), 2)
        self.assertEqual(len(worker.snapshot()[0]), 2)

    def test_closing_many_connections_is_one_transaction(self):
        worker = presence.WorkerPresence()
        presence.register_worker(worker.id, worker.host, worker.pid)
        tokens = enrol(30)
        requests = [presence.OpenRequest(presence.hash_token(t), worker, "c-%d" % i, "chan-%d" % i, "10.0.0.1") for i, t in enumerate(tokens)]
        identities = presence.open_connections(requests)
        with CaptureQueriesContext(connection) as closing:
            presence.close_connections([(r.connection_id, i.pk, None, None) for r, i in zip(requests, identities)])
        self.assertEqual(Connection.objects.count(), 0)
        self.assertLessEqual(len(closing.captured_queries), 4)
