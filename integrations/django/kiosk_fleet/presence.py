"""Who a connection is, whether a kiosk is online, and what it reports.

Presence is exact, not counted: each live WebSocket has a ``Connection`` row owned by its
process's ``Worker`` row, and a kiosk is online exactly while it has a connection on a
worker whose heartbeat is younger than KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS (30 s by
default; workers beat every third of it). So:

* a connection that closes deletes its row (and if that delete is lost, because the
  consumer was cancelled, the worker's next heartbeat deletes it);
* a worker that stops cleanly deletes its own rows at exit;
* a worker that is killed (kill -9, power cut) stops beating, and its kiosks count as
  offline once the timeout has passed; live workers delete its rows later;
* a worker whose row was deleted while it was alive (its heartbeat was held up for longer
  than twice the timeout) writes its row and its live connections back at its next beat.

The synchronous functions run in the fleet's database thread (``dbthread``).
"""

import asyncio
import atexit
import logging
import os
import secrets
import socket
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Tuple

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import conf, limits, updates
from .dbthread import fleet_db
from .models import Connection, Kiosk, Worker, live_connections
from .names import split_groups
from .tokens import hash_token
from .wire import iso_z

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KioskIdentity:
    """What a connection or API request knows about its kiosk; never holds the token."""

    pk: int
    kiosk_id: str
    groups: Tuple[str, ...]
    token_hash: str


def _identity(kiosk):
    return KioskIdentity(kiosk.pk, kiosk.kiosk_id, tuple(split_groups(kiosk.groups)), kiosk.token_hash)


def authenticate_token(token):
    """The identity of the non-revoked kiosk holding ``token``, or None."""
    kiosk = (
        Kiosk.objects.filter(token_hash=hash_token(token), revoked=False)
        .only("pk", "kiosk_id", "groups", "token_hash")
        .first()
    )
    return _identity(kiosk) if kiosk else None


def current_identity(kiosk_pk):
    """Re-read a connected kiosk; None if it was deleted or revoked meanwhile."""
    kiosk = Kiosk.objects.filter(pk=kiosk_pk, revoked=False).only("pk", "kiosk_id", "groups", "token_hash").first()
    return _identity(kiosk) if kiosk else None


# ---- connections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveConnection:
    id: str
    kiosk_pk: int
    channel_name: str
    client_host: str
    opened_at: object

    def row(self, worker_id):
        return Connection(
            id=self.id, worker_id=worker_id, kiosk_id=self.kiosk_pk, channel_name=self.channel_name,
            client_host=self.client_host, opened_at=self.opened_at,
        )


@dataclass(frozen=True)
class OverCap:
    """``open_connections``' answer for a kiosk that has as many live connections as it may."""

    identity: KioskIdentity
    live: int


# ``open_connections``' answer for a handshake whose time ran out before its turn: nothing
# was looked up or recorded.
TIMED_OUT = "timed out"


@dataclass(frozen=True)
class OpenRequest:
    """One handshake's part of an ``open_connections`` batch (the token's hash, never the token)."""

    token_hash: str
    worker: object  # the WorkerPresence of the consumer's loop
    connection_id: str
    channel_name: str
    client_host: str
    deadline: float = float("inf")  # time.monotonic() after which the handshake is not served


def enrolled_token_hashes():
    """The token hashes of every non-revoked kiosk (for ``limits``: hashes, never tokens)."""
    return list(Kiosk.objects.filter(revoked=False).values_list("token_hash", flat=True).iterator())


def open_connections(requests):
    """Authenticate many WebSocket handshakes and record them as live, in one transaction.

    One answer per request: the identity; None (nothing recorded) if the token is unknown
    or revoked or the connection was cancelled meanwhile; ``OverCap`` (nothing recorded) if
    the kiosk has KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK live connections already, on any
    worker; or ``TIMED_OUT`` (nothing looked up) if the request's deadline passed while it
    waited for this thread. Queries: one lookup for all the tokens (which also locks the
    kiosks' rows, in order), one update, one count and one insert, whatever the batch's size.
    """
    results = [None] * len(requests)
    started = time.monotonic()
    todo = []
    for i, request in enumerate(requests):
        if started > request.deadline:
            results[i] = TIMED_OUT
        else:
            todo.append(i)
    if not todo:
        return results
    now = timezone.now()
    try:
        answers = _open_within_caps(requests, todo, now)
    except IntegrityError:
        # A worker row is gone (a live worker deleted it as dead): write it back (with its
        # connections' rows), then count again.
        for worker in {id(requests[i].worker): requests[i].worker for i in todo}.values():
            worker.write_back()
        answers = _open_within_caps(requests, todo, now)
    for i, answer in answers.items():
        results[i] = answer
    return results


def _open_within_caps(requests, todo, now):
    cap = conf.max_connections_per_kiosk()
    answers = {}
    with transaction.atomic():
        # The lookup locks the kiosks' rows in pk order (PostgreSQL: handshakes of one kiosk
        # on several workers count one after the other, and batches cannot deadlock); on
        # SQLite the update below locks the database.
        kiosks = {
            kiosk.token_hash: kiosk
            for kiosk in Kiosk.objects.select_for_update()
            .filter(token_hash__in={requests[i].token_hash for i in todo}, revoked=False)
            .order_by("pk")
            .only("pk", "kiosk_id", "groups", "token_hash")
        }
        entries = []  # (index, identity, LiveConnection)
        for i in todo:
            request = requests[i]
            kiosk = kiosks.get(request.token_hash)
            if kiosk is None:
                answers[i] = None
                continue
            live = LiveConnection(request.connection_id, kiosk.pk, request.channel_name, request.client_host[:64], now)
            # Registered before the insert: if the connection is cancelled from now on, the
            # heartbeat deletes the row. If it was cancelled already (while this call waited
            # for the thread), nothing is inserted.
            if not request.worker.add(live):
                answers[i] = None
                continue
            entries.append((i, _identity(kiosk), live))
        if not entries:
            return answers
        pks = sorted({live.kiosk_pk for _, _, live in entries})
        Kiosk.objects.filter(pk__in=pks).update(last_seen=now)
        ours = {live.id for _, _, live in entries}
        gone = set()
        for worker in {id(requests[i].worker): requests[i].worker for i, _, _ in entries}.values():
            gone |= worker.snapshot()[1]
        counts = Counter(
            kiosk_pk
            for pk, kiosk_pk in live_connections(now).filter(kiosk_id__in=pks).values_list("pk", "kiosk_id")
            if pk not in ours and pk not in gone
        )
        rows, over = [], []
        for i, identity, live in entries:
            if counts[live.kiosk_pk] >= cap:
                answers[i] = OverCap(identity, counts[live.kiosk_pk])
                over.append((i, live))
                continue
            counts[live.kiosk_pk] += 1
            answers[i] = identity
            rows.append(live.row(requests[i].worker.id))
        if over:
            # Their rows exist only if write_back() wrote them; no row may stay.
            Connection.objects.filter(pk__in=[live.id for _, live in over]).delete()
        Connection.objects.bulk_create(rows, ignore_conflicts=True)
    for i, live in over:
        requests[i].worker.remove(live.id)
        requests[i].worker.deleted(live.id)
    return answers


def open_connection(token, worker, connection_id, channel_name, client_host):
    """``open_connections`` for one handshake (the management commands and tests)."""
    return open_connections([OpenRequest(hash_token(token), worker, connection_id, channel_name, client_host)])[0]


def close_connection(connection_id, kiosk_pk, status=None, rejected=None):
    """The connection closed: delete its row, note when the kiosk was last seen, and write the
    status report and rejection count the throttle was still holding back."""
    return close_connections([(connection_id, kiosk_pk, status, rejected)])[0]


def close_connections(items):
    """``[(connection_id, kiosk_pk, status, rejected)]``: connections that closed, in one
    transaction (a worker stopping closes all of its connections at once)."""
    now = timezone.now()
    with transaction.atomic():
        Connection.objects.filter(pk__in=[item[0] for item in items]).delete()
        plain = sorted({kiosk_pk for _, kiosk_pk, status, rejected in items if not status and not rejected})
        if plain:
            Kiosk.objects.filter(pk__in=plain).update(last_seen=now)
        _save_kiosk_fields(
            [(kiosk_pk, _report_fields(status, rejected, now)) for _, kiosk_pk, status, rejected in items if status or rejected]
        )
    return [True] * len(items)


def save_statuses(items):
    """``[(kiosk_pk, fields, rejected)]``: status reports (and rejection counts) in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        _save_kiosk_fields([(kiosk_pk, _report_fields(status, rejected, now)) for kiosk_pk, status, rejected in items])
    return [True] * len(items)


def _report_fields(status, rejected, now):
    fields = {"last_seen": now}
    if status:
        fields.update(_status_fields(status, now))
    if rejected:
        fields.update(_rejected_fields(*rejected, now=now))
    return fields


def _save_kiosk_fields(items):
    """Write ``[(kiosk_pk, fields)]`` as one UPDATE per set of fields (and per updates.CHUNK
    kiosks), each kiosk its own values: a wave of status reports is a few statements, not
    one per kiosk. A kiosk with several items (two connections) has them written one by
    one, in order, as before (later values win, rejection counts add up)."""
    per_kiosk = Counter(kiosk_pk for kiosk_pk, _ in items)
    by_fields = {}
    for kiosk_pk, fields in items:
        if per_kiosk[kiosk_pk] == 1:
            by_fields.setdefault(tuple(sorted(fields)), []).append((kiosk_pk, fields))
    for group in by_fields.values():
        for chunk in updates.chunks(group):
            Kiosk.objects.filter(pk__in=[kiosk_pk for kiosk_pk, _ in chunk]).update(
                **updates.per_row(Kiosk, [(Q(pk=kiosk_pk), fields) for kiosk_pk, fields in chunk])
            )
    for kiosk_pk, fields in items:
        if per_kiosk[kiosk_pk] > 1:
            Kiosk.objects.filter(pk=kiosk_pk).update(**fields)


# kiosk.status field -> model field; values were already cleaned by protocol.parse_status().
STATUS_FIELDS = {
    "version": "version",
    "renderer": "renderer_state",
    "uplink": "uplink_state",
    "display": "display_state",
    "schedule": "schedule",
    "uptimeSeconds": "uptime_seconds",
    "lastApiOkAt": "last_api_ok_at",
}


def _status_fields(status, now):
    fields = {STATUS_FIELDS[key]: value for key, value in status.items() if key in STATUS_FIELDS}
    fields["last_status_at"] = now
    return fields


def _rejected_fields(count, reason, now):
    return {"rejected_frames": F("rejected_frames") + count, "last_rejected_reason": reason[:200], "last_rejected_at": now}


# ---- workers -----------------------------------------------------------------------------------


def register_worker(worker_id, host, pid):
    # One INSERT (the id is new with each process): no read before the write, which SQLite
    # would refuse outright while another worker writes.
    now = timezone.now()
    Worker.objects.create(id=worker_id, host=host, pid=pid, started_at=now, last_heartbeat=now)


def heartbeat(worker_id, host, pid, live, gone):
    """One beat: refresh the worker's row (writing it and its connections back if it was
    deleted), delete the rows of connections that closed without cleaning up, delete dead
    workers, and expire what is due. Returns True if the rows had to be written back."""
    from .commands import expire_due

    now = timezone.now()
    written_back = False
    with transaction.atomic():
        if not Worker.objects.filter(pk=worker_id).update(last_heartbeat=now):
            Worker.objects.create(id=worker_id, host=host, pid=pid, started_at=now, last_heartbeat=now)
            Connection.objects.bulk_create([c.row(worker_id) for c in live], ignore_conflicts=True)
            written_back = True
        if gone:
            Connection.objects.filter(pk__in=list(gone)).delete()
    dead = Worker.objects.filter(last_heartbeat__lt=now - timedelta(seconds=2 * conf.presence_timeout_seconds()))
    if dead.exists():
        dead.delete()  # their connections go with them
    expire_due(now)
    return written_back


def other_live_workers(worker_id):
    cutoff = timezone.now() - timedelta(seconds=conf.presence_timeout_seconds())
    return list(Worker.objects.filter(last_heartbeat__gte=cutoff).exclude(pk=worker_id).values_list("pk", flat=True)[:10])


def _layer_is_in_memory():
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def drop_worker(worker_id, kiosk_pks=()):
    """The worker stops: its kiosks are offline now, not a timeout later."""
    now = timezone.now()
    Worker.objects.filter(pk=worker_id).delete()
    if kiosk_pks:
        Kiosk.objects.filter(pk__in=list(kiosk_pks)).update(last_seen=now)


class WorkerPresence:
    """The presence of one event loop's kiosk connections (one per daphne process)."""

    def __init__(self):
        self.host = socket.gethostname()[:60]
        self.pid = os.getpid()
        self.id = "%s:%d:%s" % (self.host, self.pid, secrets.token_hex(4))
        self._live = {}  # connection id -> LiveConnection
        self._gone = set()  # closed, row maybe not deleted yet
        self._lock = threading.Lock()  # _live and _gone are touched from the loop and the DB thread
        self._started = None
        self._task = None
        self.stopped = False

    # Called from the loop and from the DB thread.
    def add(self, live):
        """Count ``live`` as open; False if its connection already ended (do not record it)."""
        with self._lock:
            if live.id in self._gone:
                return False
            self._live[live.id] = live
            return True

    def remove(self, connection_id):
        """The connection ended: its row must go (now by its consumer, or by the next beat)."""
        with self._lock:
            self._live.pop(connection_id, None)
            self._gone.add(connection_id)

    def deleted(self, connection_id):
        with self._lock:
            self._gone.discard(connection_id)

    def snapshot(self):
        with self._lock:
            return list(self._live.values()), set(self._gone)

    def write_back(self):
        """(DB thread) Write the worker row and its live connections again."""
        live, _ = self.snapshot()
        now = timezone.now()
        if not Worker.objects.filter(pk=self.id).update(last_heartbeat=now):
            Worker.objects.create(id=self.id, host=self.host, pid=self.pid, started_at=now, last_heartbeat=now)
        Connection.objects.bulk_create([c.row(self.id) for c in live], ignore_conflicts=True)

    async def start(self):
        """Register the worker (once; again after a failure, e.g. a database that was down)."""
        if self._started is None or (self._started.done() and self._started.exception() is not None):
            self._started = asyncio.get_running_loop().create_task(self._register())
        await asyncio.shield(self._started)

    async def _register(self):
        await fleet_db(register_worker)(self.id, self.host, self.pid)
        _at_exit_workers.add(self)
        self._task = asyncio.get_running_loop().create_task(self._beat_forever())
        logger.info("worker %s serves kiosk connections (presence timeout %.0f s)", self.id, conf.presence_timeout_seconds())
        limits.warn_if_frames_unlimited()
        others = await fleet_db(other_live_workers)(self.id)
        if others and _layer_is_in_memory():
            logger.warning(
                "worker %s: %d other worker(s) serve kiosks too (%s), but the channel layer is in-memory: "
                "a command reaches only the kiosks of the process that sent it. Use channels_redis.",
                self.id, len(others), ", ".join(others[:3]),
            )

    async def beat(self):
        live, gone = self.snapshot()
        written_back = await fleet_db(heartbeat)(self.id, self.host, self.pid, live, gone)
        for connection_id in gone:
            self.deleted(connection_id)
        if written_back:
            logger.warning("worker %s: its presence rows had been deleted as dead; wrote them back", self.id)

    async def _beat_forever(self):
        try:
            while True:
                await asyncio.sleep(conf.heartbeat_seconds())
                try:
                    await self.beat()
                except Exception:
                    logger.exception("worker %s: heartbeat failed", self.id)
        finally:
            # The loop is closing (asyncio.run cancels us): leave no presence behind.
            self.stopped = True
            live, _ = self.snapshot()
            try:
                await fleet_db(drop_worker)(self.id, {c.kiosk_pk for c in live})
            except BaseException:  # noqa: BLE001 -- the process is going away; at worst the timeout applies
                pass

    def at_exit(self):
        """(main thread, interpreter exit) Delete this worker's rows if the loop did not."""
        if self.stopped or self._task is None:
            return
        self.stopped = True
        live, _ = self.snapshot()
        try:
            drop_worker(self.id, {c.kiosk_pk for c in live})
        except Exception:  # noqa: BLE001 -- at worst the presence timeout takes its kiosks offline
            logger.warning("worker %s: could not delete its presence at exit", self.id, exc_info=True)


_workers = weakref.WeakKeyDictionary()
_at_exit_workers = weakref.WeakSet()


def worker():
    """The presence of the running event loop's connections."""
    loop = asyncio.get_running_loop()
    presence = _workers.get(loop)
    if presence is None:
        presence = _workers[loop] = WorkerPresence()
    return presence


@atexit.register
def _delete_presence_at_exit():
    for presence in list(_at_exit_workers):
        presence.at_exit()


# ---- the fleet as a whole ----------------------------------------------------------------------


def fleet_status(now=None):
    """What ``kiosk_fleet_status`` prints: ``{"kiosks": {id: {online, lastSeen, version, display}}}``."""
    rows = Kiosk.objects.with_online(now).order_by("kiosk_id").values(
        "kiosk_id", "online", "last_seen", "version", "display_state"
    )
    return {
        "kiosks": {
            row["kiosk_id"]: {
                "online": bool(row["online"]),
                "lastSeen": iso_z(row["last_seen"]),
                "version": row["version"] or None,
                "display": row["display_state"] or None,
            }
            for row in rows
        }
    }
