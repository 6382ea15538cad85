"""Writes kiosks' acks to the database in batches.

A reset for the whole fleet makes every kiosk ack within a few hundred milliseconds. Written one
by one, that is one transaction (and one commit: a disk flush on SQLite) per kiosk, all queued on
Django's single database thread, and the admin's own page waits behind them. Acks that arrive
while a write is in flight are written together by the next one, in one transaction: no timer and
no added delay when acks are rare, one commit per batch when they come in a wave.
"""

import asyncio
import weakref

from channels.db import database_sync_to_async

from . import resets

# A bound on one transaction's length; a wave larger than this is written in several.
MAX_BATCH = 200


class AckWriter:
    """Batches ``resets.record_ack`` calls made from one event loop."""

    def __init__(self):
        self._queue = []  # ((kiosk_pk, reset_id, status, ms), future)
        self._drainer = None  # the task writing the queue; held so that it cannot be collected

    async def record(self, kiosk_pk, reset_id, status, ms=None):
        """Record one ack; returns what ``resets.record_ack`` returns, or raises what it raised."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append(((kiosk_pk, reset_id, status, ms), future))
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self):
        batch = []
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    results = await database_sync_to_async(resets.record_acks)([ack for ack, _ in batch])
                except Exception as exc:  # noqa: BLE001 -- the transaction as a whole failed
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
                    future.set_exception(RuntimeError("the ack writer was stopped before writing this ack"))


_writers = weakref.WeakKeyDictionary()


def ack_writer():
    """The writer for the running event loop (one per loop: futures belong to their loop)."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = AckWriter()
    return writer
