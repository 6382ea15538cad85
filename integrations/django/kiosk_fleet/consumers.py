"""The WebSocket endpoint kiosks connect to (``/ws/kiosk/``).

One consumer instance per kiosk connection. It authenticates by token before accepting,
records the connection as live (``presence``), writes the frames of commands to its kiosk
and records what the kiosk answers. A kiosk can never make it publish anything: the
consumer only listens to the layer, and everything a kiosk sends is checked against the
kiosk's own deliveries.

* A command published on the layer: the connection fetches its own kiosk's frame (if the
  kiosk has a pending delivery), writes it, and only then marks the delivery ``sent``.
* On hello: what the kiosk is owed goes one frame at a time, the next once the kiosk has
  answered the previous (or after KIOSK_FLEET_BACKLOG_STEP_SECONDS).
* Bad input (malformed frames, floods, giant frames, acks for commands never sent, answers
  that would move a terminal state, screenshots that are too large or not a JPEG) is
  dropped, counted on the kiosk (``rejected_frames``) and never closes the connection.

Efficiency matters (hundreds of kiosks per worker): the database work runs in a thread of
its own (``dbthread``), the writes of many connections at once share one transaction, status
reports are throttled in memory, and a token bucket drops floods before any parsing.
"""

import asyncio
import logging
import time
import uuid
from collections import deque

from channels.generic.websocket import AsyncWebsocketConsumer

from . import announcements, commands, conf, layer, limits, presence, protocol
from .dbthread import batcher, fleet_db
from .limits import TokenBucket
from .names import is_valid_name
from .tokens import hash_token, token_from_authorization

logger = logging.getLogger(__name__)

CLOSE_WRONG_KIOSK = 4003  # hello names another kiosk than the token's
CLOSE_CREDENTIALS_CHANGED = 4001  # revoked, deleted or token rotated while connected
CLOSE_TOO_MANY_CONNECTIONS = 4029  # the kiosk has KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK live connections already
REASON_TOO_MANY = "too many connections for this kiosk"


class RecentIds:
    """A bounded set: the last ``size`` ids added."""

    def __init__(self, size):
        self._order = deque()
        self._ids = set()
        self._size = size

    def add(self, value):
        if value in self._ids:
            return
        self._order.append(value)
        self._ids.add(value)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())

    def __contains__(self, value):
        return value in self._ids


class KioskConsumer(AsyncWebsocketConsumer):
    # A kiosk sends one hello, a status every ~30 s, an ack or two and maybe a screenshot
    # per command; far more than that is a bug or abuse, dropped before it costs JSON
    # parsing or a query.
    RATE_PER_SECOND = 10.0
    RATE_BURST = 30
    # Warnings logged per connection before the rest are muted (a broken kiosk must not flood logs).
    MAX_COMPLAINTS = 10
    # Channel layers expire group memberships (default 1 day); re-join well before that.
    GROUP_REFRESH_SECONDS = 3600
    # Command ids remembered per connection (written frames, layer events seen).
    RECENT_IDS = 256
    SCREENSHOT_BATCH = 5  # screenshots are up to 256 KiB: fewer per transaction

    identity = None
    connection_id = None
    _presence = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the connection ends (even cancelled by the server, when disconnect()
            # never runs), it stops counting: its row is deleted now or by the next heartbeat.
            if self.connection_id is not None and self._presence is not None:
                self._presence.remove(self.connection_id)
            if getattr(self, "_tick", None) is not None:
                self._tick.cancel()
            self._cancel_announcement_timer()

    async def connect(self):
        self._closing = False
        self._complaints = 0
        self._bucket = TokenBucket(self.RATE_PER_SECOND, self.RATE_BURST)
        self._channel_groups = set()
        self._groups_joined_at = 0.0
        self._written = RecentIds(self.RECENT_IDS)
        self._hints = {}  # command id -> commands.Hint, for frames written on this connection
        self._marks = set()  # "sent" marks on their way to the database
        self._events_seen = RecentIds(self.RECENT_IDS)
        self._screenshots_owed = {}  # command id -> maxWidth, for screenshot frames written here
        self._backlog = deque()
        self._awaiting = None
        self._tick = None
        self._pending_status = None
        self._rejected = 0
        self._last_rejected = ""
        self._last_flush = float("-inf")
        self._announced = {}  # announcement wire id -> version written on this connection
        self._announcement_timer = None

        started = time.monotonic()
        guard = limits.guard()
        identity = await self._authenticate(guard, started)
        if identity is None:
            return
        try:
            try:
                await self._set_groups(layer.channel_groups_for_kiosk(identity.kiosk_id, identity.groups))
            except Exception:
                # Without its groups the kiosk would never hear a command: refuse, it will retry.
                logger.exception("kiosk %s refused: the channel layer is unavailable", identity.kiosk_id)
                await self._undo_handshake(identity)
                await self.close()
                return
            if time.monotonic() > guard.gate.deadline(started):
                # Daphne is about to drop (or has dropped) this handshake: accepting now would
                # only make work for a kiosk that is gone. Undone; the kiosk retries.
                await self._undo_handshake(identity)
                await self._refuse(guard, limits.TOO_LATE, self._client_host(), identity.kiosk_id)
                return
            self.identity = identity
            await self.accept()
        finally:
            guard.gate.leave()
        guard.stats.accepted(time.monotonic() - started)
        logger.info("kiosk %s connected from %s", identity.kiosk_id, self._client_host())

    async def _undo_handshake(self, identity):
        """The handshake is refused after its row was written: no presence may stay."""
        self._presence.remove(self.connection_id)
        done = await self._guarded(
            batcher(presence.close_connections).submit((self.connection_id, identity.pk, None, None)), "close_connection"
        )
        if done is not None:
            self._presence.deleted(self.connection_id)
        try:
            await self._set_groups(set())
        except Exception:
            logger.exception("kiosk %s: could not leave channel groups", identity.kiosk_id)

    async def _authenticate(self, guard, started):
        """The kiosk's identity with its connection recorded, or None: the handshake was
        refused (closed before accept: HTTP 403; over the cap: accepted, then closed 4029).

        Guards, in order: an ``Authorization: Token`` header (no query without one); room in
        the worker's handshake gate (``limits.HandshakeGate``; none: refused at once); a
        ticket from the handshake guard (no query without one, see ``limits``); the token's
        lookup, batched with the other handshakes waiting for the database thread and skipped
        if the handshake's time ran out meanwhile; the kiosk's connection cap (counted across
        workers in the same transaction that records the connection). A handshake that got
        past the gate leaves it in ``connect`` (or here, if refused).
        """
        address = self._client_host()
        token = self._token_from_headers()
        if token is None:
            return await self._refuse(guard, limits.NO_TOKEN, address)
        token_hash = hash_token(token)
        del token
        if not guard.gate.enter():
            return await self._refuse(guard, limits.BUSY, address)
        admitted = False
        try:
            self._presence = presence.worker()
            try:
                await self._presence.start()
            except Exception:
                logger.exception("kiosk connection from %s: database error", address)
                return await self._refuse(guard, limits.DATABASE_ERROR, address)
            await guard.load_enrolled(fleet_db(presence.enrolled_token_hashes))
            ticket = guard.ticket(address, token_hash)
            if ticket is None:
                return await self._refuse(guard, limits.THROTTLED, address)
            try:
                self.connection_id = uuid.uuid4().hex
                request = presence.OpenRequest(
                    token_hash, self._presence, self.connection_id, self.channel_name, address, guard.gate.deadline(started)
                )
                result = await batcher(presence.open_connections).submit(request)
            except Exception:
                guard.give_back(ticket)  # not the client's doing
                logger.exception("kiosk connection from %s: database error", address)
                return await self._refuse(guard, limits.DATABASE_ERROR, address)
            except BaseException:
                guard.give_back(ticket)  # cancelled while it waited: not the client's doing
                raise
            if result is presence.TIMED_OUT:
                guard.give_back(ticket)
                return await self._refuse(guard, limits.TOO_LATE, address)
            if result is None:
                guard.forget_token(token_hash)
                return await self._refuse(guard, limits.BAD_TOKEN, address)
            if isinstance(result, presence.OverCap):
                guard.authenticated(ticket, token_hash, admitted=False)
                return await self._refuse(guard, limits.OVER_CAP, address, result.identity.kiosk_id)
            guard.authenticated(ticket, token_hash, admitted=True)
            admitted = True
            return result
        finally:
            if not admitted:
                guard.gate.leave()

    async def _refuse(self, guard, kind, address, kiosk_id=None):
        guard.log.refused(kind, address, kiosk_id)
        guard.stats.refused(kind)
        if kind == limits.OVER_CAP:
            # Accepted so that the close can say why (a refused handshake is a bare 403).
            # Daphne 4.0 sends the code only; uvicorn sends the reason too.
            await self.accept()
            await self.base_send({"type": "websocket.close", "code": CLOSE_TOO_MANY_CONNECTIONS, "reason": REASON_TOO_MANY})
        else:
            # Closing before accept makes the server refuse the handshake (HTTP 403).
            await self.close()
        return None

    async def disconnect(self, code):
        if self.identity is None:
            return
        self._closing = True
        if self._tick is not None:
            self._tick.cancel()
        self._cancel_announcement_timer()
        self._presence.remove(self.connection_id)
        # The database first: it is what the admin shows, and the layer may be the thing failing.
        rejected = (self._rejected, self._last_rejected) if self._rejected else None
        done = await self._guarded(
            batcher(presence.close_connections).submit((self.connection_id, self.identity.pk, self._pending_status, rejected)),
            "close_connection",
        )
        if done is not None:
            self._presence.deleted(self.connection_id)
        self._pending_status, self._rejected = None, 0
        try:
            await self._set_groups(set())
        except Exception:
            logger.exception("kiosk %s: could not leave channel groups", self.identity.kiosk_id)
        logger.info("kiosk %s disconnected (code %s)", self.identity.kiosk_id, code)

    # ---- kiosk → server ------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.identity is None or self._closing:
            return
        if not self._bucket.take():
            self._reject("too many messages, dropped")
            return
        if text_data is None:
            self._reject("binary frame")
            return
        try:
            limit = conf.max_frame_bytes()
            large = len(text_data) > limit
            if large:
                # Only a screenshot may be larger, and only on a connection that is owed one.
                if not self._screenshots_owed:
                    raise protocol.Malformed("frame larger than %d bytes" % limit)
                limit = conf.screenshot_frame_bytes()
            message = protocol.decode(text_data, limit)
            if large and message["type"] != protocol.SCREENSHOT:
                raise protocol.Malformed("frame larger than %d bytes" % conf.max_frame_bytes())
            handler = self._handlers.get(message["type"])
            if handler is None:
                # Kiosks may relay app-specific frames (relay.allowUp); they are not for us.
                logger.debug("kiosk %s: ignored message type %.40r", self.identity.kiosk_id, message["type"])
            else:
                await handler(self, message)
            await self._refresh_group_membership_if_due()
        except protocol.Malformed as exc:
            self._reject(str(exc))
        except Exception:
            # Never let one bad message (or a database or layer hiccup) drop the connection.
            logger.exception("kiosk %s: error while handling a message", self.identity.kiosk_id)
        await self._flush_if_due()

    async def _on_hello(self, message):
        hello = protocol.parse_hello(message)
        if hello.kiosk is not None and hello.kiosk != self.identity.kiosk_id:
            logger.warning(
                "kiosk %s: hello claims to be kiosk %.70r; closing (%d)",
                self.identity.kiosk_id, hello.kiosk, CLOSE_WRONG_KIOSK,
            )
            self._closing = True
            await self.close(code=CLOSE_WRONG_KIOSK)
            return
        if hello.groups is not None and hello.groups != self.identity.groups:
            logger.info(
                "kiosk %s: its config lists groups %s, the server's are %s; the server's apply",
                self.identity.kiosk_id, ",".join(hello.groups) or "(none)", ",".join(self.identity.groups) or "(none)",
            )
        owed = await self._db(commands.owed_on_hello, self.identity.pk, hello.version) or []
        owed = [item for item in owed if item.command_id not in self._written]
        if owed:
            logger.info("kiosk %s: owed %d command(s) on hello; sending them one at a time", self.identity.kiosk_id, len(owed))
            self._backlog = deque(owed)
            if self._awaiting is None:
                await self._send_next_owed()
        await self._sync_announcements(on_hello=True)

    async def _on_status(self, message):
        status = protocol.parse_status(message)
        if status.kiosk is not None and status.kiosk != self.identity.kiosk_id:
            self._reject("status for another kiosk")
            return
        # Keep the newest values; written at most once per interval (by _flush_if_due, the
        # next report after the interval, or on disconnect).
        self._pending_status = {**(self._pending_status or {}), **status.fields}

    async def _on_ack(self, message):
        ack = protocol.parse_ack(message)
        if ack.kiosk is not None and ack.kiosk != self.identity.kiosk_id:
            self._reject("ack for another kiosk")
            return
        item = (self.identity.pk, ack, self._hints.get(ack.command_id))
        result = await self._guarded(batcher(commands.record_acks).submit(item), "record_ack")
        if result is None:  # a database error, logged
            return
        outcome, detail = result
        if outcome == commands.REFUSED:
            self._reject(detail)
        elif outcome == commands.LATE:
            logger.info("kiosk %s: %s: %s", self.identity.kiosk_id, ack.command_id, detail)
        if ack.is_terminal:
            self._screenshots_owed.pop(ack.command_id, None)
        if ack.command_id == self._awaiting:
            await self._send_next_owed()

    async def _on_screenshot(self, message):
        try:
            shot = protocol.parse_screenshot(message, conf.screenshot_max_bytes())
        except protocol.Malformed as exc:
            command_id = message.get("id")
            if is_valid_name(command_id) and command_id in self._screenshots_owed:
                await self._db(commands.note_refused_screenshot, self.identity.pk, command_id, str(exc))
            raise
        if shot.kiosk is not None and shot.kiosk != self.identity.kiosk_id:
            self._reject("screenshot for another kiosk")
            return
        result = await self._guarded(
            batcher(commands.store_screenshots, self.SCREENSHOT_BATCH).submit((self.identity.pk, shot)), "store_screenshot"
        )
        if result is None:
            return
        if result[0] == commands.REFUSED:
            self._reject(result[1])
        else:
            # Stored (or stored already): no more large frames for this id.
            self._screenshots_owed.pop(shot.command_id, None)

    _handlers = {
        protocol.HELLO: _on_hello,
        protocol.STATUS: _on_status,
        protocol.ACK: _on_ack,
        protocol.SCREENSHOT: _on_screenshot,
    }

    # ---- channel layer → kiosk (method names follow layer.*_EVENT) -------------------------

    async def fleet_command(self, event):
        """A command was sent: write this kiosk's frame if it has a pending delivery."""
        command_id = event["id"]
        if self.identity is None or self._closing or command_id in self._events_seen or command_id in self._written:
            return
        self._events_seen.add(command_id)
        owed = await self._guarded(batcher(commands.claim_live).submit((command_id, self.identity.pk)), "claim_live")
        if owed is not None:
            await self._write(owed)

    async def fleet_backlog(self, event):
        """No answer to the owed frame in time: go on with the next one."""
        if not self._closing and event.get("id") == self._awaiting:
            await self._send_next_owed()

    async def fleet_refresh(self, event):
        """The kiosk was edited in the admin: re-read it, close if it may no longer connect."""
        if self.identity is None or self._closing:
            return
        current = await self._db(presence.current_identity, self.identity.pk)
        if current is None or current.token_hash != self.identity.token_hash:
            logger.info("kiosk %s: revoked, deleted or token rotated; closing", self.identity.kiosk_id)
            self._closing = True
            await self.close(code=CLOSE_CREDENTIALS_CHANGED)
            return
        regrouped = current.groups != self.identity.groups
        self.identity = current
        await self._set_groups(layer.channel_groups_for_kiosk(current.kiosk_id, current.groups))
        if regrouped:
            await self._sync_announcements()

    async def fleet_announcements(self, event):
        """Announcements changed (or one of this kiosk's ends now): bring the kiosk up to date."""
        if self.identity is not None and not self._closing:
            await self._sync_announcements()

    async def _sync_announcements(self, on_hello=False):
        """Write the announcements current for this kiosk that this connection has not written
        in their latest version, and withdraw those it wrote that no longer apply."""
        wanted = await self._guarded(
            batcher(announcements.for_connections).submit((self.identity.kiosk_id, self.identity.groups, on_hello)),
            "announcements",
        )
        if wanted is None or self._closing:
            return
        for wire_id in [wire_id for wire_id in self._announced if wire_id not in wanted.frames] + [
            wire_id for wire_id in wanted.gone if wire_id not in self._announced
        ]:
            self._announced.pop(wire_id, None)
            await self.send(text_data=announcements.withdrawn_frame(wire_id))
        for wire_id, (version, text) in wanted.frames.items():
            if self._announced.get(wire_id) != version:
                await self.send(text_data=text)
                self._announced[wire_id] = version
        self._cancel_announcement_timer()
        if wanted.next_change is not None:
            self._announcement_timer = asyncio.get_running_loop().create_task(
                self._announcement_tick(min(wanted.next_change, 86400.0) + 0.5)
            )

    async def _announcement_tick(self, delay):
        await asyncio.sleep(delay)
        # Through the layer, so that the consumer handles it in turn with everything else.
        await self.channel_layer.send(self.channel_name, {"type": layer.ANNOUNCEMENTS_EVENT})

    def _cancel_announcement_timer(self):
        timer = getattr(self, "_announcement_timer", None)
        if timer is not None:
            timer.cancel()
            self._announcement_timer = None

    async def _send_next_owed(self):
        self._awaiting = None
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        while self._backlog and not self._closing:
            owed = self._backlog.popleft()
            if owed.command_id in self._written:
                continue
            if await self._write(owed):
                self._awaiting = owed.command_id
                self._tick = asyncio.get_running_loop().create_task(self._backlog_tick(owed.command_id))
                return

    async def _backlog_tick(self, command_id):
        await asyncio.sleep(conf.backlog_step_seconds())
        # Through the layer, so that the consumer handles it in turn with everything else.
        await self.channel_layer.send(self.channel_name, {"type": layer.BACKLOG_EVENT, "id": command_id})

    async def _write(self, owed):
        """Write a frame to the kiosk, then mark its delivery sent. False if the connection is closing."""
        if self._closing:
            return False
        await self.send(text_data=owed.text)
        self._written.add(owed.command_id)
        self._hints[owed.command_id] = owed.hint
        while len(self._hints) > self.RECENT_IDS:
            self._hints.pop(next(iter(self._hints)))
        if owed.command == "screenshot":
            self._screenshots_owed[owed.command_id] = owed.max_width
            while len(self._screenshots_owed) > 16:
                self._screenshots_owed.pop(next(iter(self._screenshots_owed)))
        # Not awaited: the kiosk's answer may be handled first, and is then recorded through
        # the hint (this connection wrote the frame); the mark only moves pending to sent.
        task = asyncio.ensure_future(self._guarded(batcher(commands.mark_sent).submit(owed.delivery_pk), "mark_sent"))
        self._marks.add(task)
        task.add_done_callback(self._marks.discard)
        return True

    # ---- helpers ---------------------------------------------------------------------------

    async def _flush_if_due(self):
        """Write the held-back status report and rejection count, at most once per interval."""
        if self._pending_status is None and not self._rejected:
            return
        now = time.monotonic()
        if now - self._last_flush < conf.status_min_interval_seconds():
            return
        self._last_flush = now
        status, self._pending_status = self._pending_status, None
        rejected = (self._rejected, self._last_rejected) if self._rejected else None
        self._rejected = 0
        await self._guarded(batcher(presence.save_statuses).submit((self.identity.pk, status, rejected)), "save_status")

    async def _set_groups(self, wanted):
        # Concurrently: each is a round trip to the layer (two for an add, with Redis).
        discard, add = self._channel_groups - wanted, wanted - self._channel_groups
        self._channel_groups |= add  # if an add fails part-way, leaving discards them all
        await asyncio.gather(*(self.channel_layer.group_discard(g, self.channel_name) for g in discard))
        self._channel_groups -= discard
        await asyncio.gather(*(self.channel_layer.group_add(g, self.channel_name) for g in add))
        self._channel_groups = set(wanted)
        self._groups_joined_at = time.monotonic()

    async def _refresh_group_membership_if_due(self):
        if time.monotonic() - self._groups_joined_at < self.GROUP_REFRESH_SECONDS:
            return
        for group in self._channel_groups:
            await self.channel_layer.group_add(group, self.channel_name)  # renews the expiry
        self._groups_joined_at = time.monotonic()

    async def _db(self, func, *args):
        """Run ORM code in the fleet's database thread; log and swallow errors (returns None)."""
        return await self._guarded(fleet_db(func)(*args), getattr(func, "__name__", "?"))

    async def _guarded(self, awaitable, what):
        """Await database work; log and swallow its errors (returns None)."""
        try:
            return await awaitable
        except Exception:
            who = self.identity.kiosk_id if self.identity else "(unauthenticated)"
            logger.exception("kiosk %s: database error in %s", who, what)
            return None

    def _reject(self, reason):
        """Count a refused or dropped frame (written to the kiosk's row) and log the first few."""
        self._rejected += 1
        self._last_rejected = reason
        self._complaints += 1
        if self._complaints <= self.MAX_COMPLAINTS:
            logger.warning("kiosk %s: refused a message: %s", self.identity.kiosk_id, reason)
            if self._complaints == self.MAX_COMPLAINTS:
                logger.warning("kiosk %s: further refused messages on this connection are not logged", self.identity.kiosk_id)

    def _token_from_headers(self):
        values = [value for name, value in self.scope.get("headers", []) if name.lower() == b"authorization"]
        if len(values) != 1:
            return None
        return token_from_authorization(values[0])

    def _client_host(self):
        client = self.scope.get("client") or ("?", None)
        return str(client[0])
