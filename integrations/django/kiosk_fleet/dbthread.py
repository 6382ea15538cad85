"""The kiosk connections' own database thread, and batching of their writes.

Django runs synchronous views (the admin) in one shared thread, and
``database_sync_to_async`` would put the consumers' ORM calls in that same thread: an admin
page taking a second then makes every kiosk on the worker wait a second to connect or to
have its ack recorded. Consumers here use a thread of their own instead (one per process:
one database connection, writes in order), so the admin and the fleet do not queue behind
each other.

``Batcher`` coalesces calls made from many consumers at once (a fleet-wide wave of acks, of
"sent" marks) into one call of a function that takes them all, in one transaction: no timer
and no added delay when calls are rare, one commit per batch when they come in a wave.
"""

import asyncio
import functools
import random
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import django
from channels.db import DatabaseSyncToAsync
from django.db import OperationalError, connection, connections

# A bound on one transaction's length; a wave larger than this is written in several.
MAX_BATCH = 200

# SQLite refuses a transaction that read and then wants to write while another process
# wrote meanwhile ("database is locked" at once, without waiting for the busy timeout).
# Such a transaction was rolled back whole, so running it again is safe.
LOCKED_RETRIES = 8

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-fleet-db")

# With CONN_HEALTH_CHECKS, Django 4.1 and later check a kept connection before reusing it;
# 3.2 ignores the setting, so the thread checks it itself (a database restart would fail
# the next call otherwise).
_CHECK_CONNECTION_HERE = django.VERSION < (4, 1)


def fleet_db(func):
    """``func`` as an awaitable run in the fleet's database thread (old connections closed around it)."""
    return DatabaseSyncToAsync(_retrying_when_locked(func), thread_sensitive=False, executor=_executor)


def close_connections():
    """Close the fleet thread's database connections (they persist with ``CONN_MAX_AGE``).

    For the end of a test run: PostgreSQL refuses to drop a test database someone is connected to.
    """
    _executor.submit(connections.close_all).result()


def _replace_broken_connection():
    if (
        connection.connection is not None
        and connection.settings_dict.get("CONN_HEALTH_CHECKS")
        and not connection.in_atomic_block
        and not connection.is_usable()
    ):
        connection.close()


def _retrying_when_locked(func):
    @functools.wraps(func)
    def call(*args, **kwargs):
        if _CHECK_CONNECTION_HERE:
            _replace_broken_connection()
        for attempt in range(LOCKED_RETRIES):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if "locked" not in str(exc) or connection.in_atomic_block or attempt == LOCKED_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")

    return call


class Batcher:
    """Calls ``func(items)`` → one result per item (a value, or the exception that item raised)."""

    def __init__(self, func, max_batch=None):
        self.func = func
        self.max_batch = max_batch
        self._queue = []  # (item, future)
        self._drainer = None  # the task writing the queue; held so that it cannot be collected

    async def submit(self, item):
        """Hand ``item`` to the next batch; returns its result, or raises its exception."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((item, future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self):
        batch = []
        try:
            while self._queue:
                size = self.max_batch or MAX_BATCH
                batch, self._queue = self._queue[:size], self._queue[size:]
                try:
                    results = await fleet_db(self.func)([item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 -- the call as a whole failed
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results):
                    if future.done():  # its consumer went away while it waited
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                batch = []
        finally:
            self._drainer = None
            # Cancelled mid-write (the loop is shutting down): no consumer may wait forever,
            # since a consumer handles its kiosk's next message only after this one.
            waiting, self._queue = batch + self._queue, []
            for _, future in waiting:
                if not future.done():
                    future.set_exception(RuntimeError("the batch was stopped before it was written"))


_batchers = weakref.WeakKeyDictionary()


def batcher(func, max_batch=None):
    """The batcher of ``func`` for the running event loop (futures belong to their loop)."""
    loop = asyncio.get_running_loop()
    per_loop = _batchers.setdefault(loop, {})
    key = (func, max_batch)
    if key not in per_loop:
        per_loop[key] = Batcher(func, max_batch)
    return per_loop[key]
