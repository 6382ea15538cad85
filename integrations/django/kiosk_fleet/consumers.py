"""The WebSocket endpoint kiosks connect to (``/ws/kiosk/``).

One consumer instance per kiosk connection. It authenticates by token before accepting,
forwards resets published on the channel layer, and records what the kiosk reports.
A kiosk can never make it publish anything: the consumer only listens to the layer.

Efficiency matters (hundreds of kiosks per worker): each kiosk message costs at most one
round trip to the database thread, acks arriving in a wave share one transaction
(``ack_writer``), status reports are throttled in memory, and a token bucket drops floods
before any parsing.
"""

import logging
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from . import conf, layer, presence, protocol, resets
from .ack_writer import ack_writer
from .tokens import token_from_authorization

logger = logging.getLogger(__name__)

CLOSE_WRONG_KIOSK = 4003  # hello names another kiosk than the token's
CLOSE_CREDENTIALS_CHANGED = 4001  # revoked, deleted or token rotated while connected


class TokenBucket:
    """Allows ``burst`` events at once and ``rate`` per second after that."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _hello_sync(kiosk_pk, version):
    # One trip to the database thread for the hello: record it and fetch what is owed.
    presence.record_hello(kiosk_pk, version)
    return resets.take_pending_resets(kiosk_pk)


class KioskConsumer(AsyncWebsocketConsumer):
    # A kiosk sends one hello, a status every ~30 s and one ack per reset; far more than
    # that is a bug or abuse, dropped before it costs JSON parsing or a query.
    RATE_PER_SECOND = 10.0
    RATE_BURST = 30
    # Warnings logged per connection before the rest are muted (a broken kiosk must not flood logs).
    MAX_COMPLAINTS = 10
    # Channel layers expire group memberships (default 1 day); re-join well before that.
    GROUP_REFRESH_SECONDS = 3600
    # Reset ids already forwarded on this connection (a kiosk in two targeted groups gets
    # the same event twice; it would ignore the repeat, but there is no need to send it).
    RECENT_RESETS = 64

    identity = None

    async def connect(self):
        self._closing = False
        self._complaints = 0
        self._bucket = TokenBucket(self.RATE_PER_SECOND, self.RATE_BURST)
        self._channel_groups = set()
        self._groups_joined_at = 0.0
        self._recent_resets = deque(maxlen=self.RECENT_RESETS)
        self._pending_status = None
        self._last_status_write = float("-inf")

        token = self._token_from_headers()
        identity = None
        if token is not None:
            # Counted as connected before it joins its channel groups: a reset sent in that
            # instant is marked "sent" and, being unanswered, is delivered again at hello.
            identity = await self._db(presence.open_connection, token)
        if identity is None:
            # Closing before accept makes the server refuse the handshake (HTTP 403).
            logger.warning(
                "kiosk connection from %s refused: %s",
                self._client_host(),
                "no 'Authorization: Token ...' header" if token is None else "unknown or revoked token",
            )
            await self.close()
            return
        try:
            await self._set_groups(layer.channel_groups_for_kiosk(identity.kiosk_id, identity.groups))
        except Exception:
            # Without its groups the kiosk would never hear a reset: refuse, it will retry.
            logger.exception("kiosk %s refused: the channel layer is unavailable", identity.kiosk_id)
            await self._db(presence.mark_disconnected, identity.pk)
            await self.close()
            return
        self.identity = identity
        await self.accept()
        logger.info("kiosk %s connected from %s", identity.kiosk_id, self._client_host())

    async def disconnect(self, code):
        if self.identity is None:
            return
        # The database first: it is what the admin shows, and the layer may be the thing failing.
        await self._db(presence.mark_disconnected, self.identity.pk, self._pending_status)
        self._pending_status = None
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
            self._complain("too many messages, dropped")
            return
        if text_data is None:
            self._complain("binary frame")
            return
        try:
            message = protocol.decode(text_data, conf.max_frame_bytes())
            handler = self._handlers.get(message["type"])
            if handler is None:
                # Kiosks may relay app-specific frames (relay.allowUp); they are not for us.
                logger.debug("kiosk %s: ignored message type %.40r", self.identity.kiosk_id, message["type"])
            else:
                await handler(self, message)
            await self._refresh_group_membership_if_due()
        except protocol.Malformed as exc:
            self._complain(str(exc))
        except Exception:
            # Never let one bad message (or a database or layer hiccup) drop the connection.
            logger.exception("kiosk %s: error while handling a message", self.identity.kiosk_id)

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
        pending = await self._db(_hello_sync, self.identity.pk, hello.version) or []
        for reset_id, text in pending:
            await self._forward_reset(reset_id, text)
        if pending:
            logger.info("kiosk %s: delivered %d pending reset(s) on hello", self.identity.kiosk_id, len(pending))

    async def _on_status(self, message):
        status = protocol.parse_status(message)
        if status.kiosk is not None and status.kiosk != self.identity.kiosk_id:
            self._complain("status for another kiosk")
            return
        # Keep the newest values; write at most once per interval. What is held back is
        # written by the next status after the interval, or on disconnect.
        self._pending_status = {**(self._pending_status or {}), **status.fields}
        now = time.monotonic()
        if now - self._last_status_write >= conf.status_min_interval_seconds():
            fields, self._pending_status = self._pending_status, None
            self._last_status_write = now
            await self._db(presence.save_status, self.identity.pk, fields)

    async def _on_ack(self, message):
        ack = protocol.parse_ack(message)
        if ack.kiosk is not None and ack.kiosk != self.identity.kiosk_id:
            self._complain("ack for another kiosk")
            return
        recorded = await self._guarded(ack_writer().record(self.identity.pk, ack.reset_id, ack.status, ack.ms), "record_ack")
        if recorded is None:  # a database error, logged
            return
        if not recorded:
            self._complain("ack for a reset that is unknown, not for this kiosk, or already acknowledged")

    _handlers = {
        protocol.HELLO: _on_hello,
        protocol.STATUS: _on_status,
        protocol.ACK: _on_ack,
    }

    # ---- channel layer → kiosk (method names follow layer.*_EVENT) -------------------------

    async def fleet_reset(self, event):
        await self._forward_reset(event["id"], event["text"])

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
        self.identity = current
        await self._set_groups(layer.channel_groups_for_kiosk(current.kiosk_id, current.groups))

    async def _forward_reset(self, reset_id, text):
        if self._closing or reset_id in self._recent_resets:
            return
        self._recent_resets.append(reset_id)
        await self.send(text_data=text)

    # ---- helpers ---------------------------------------------------------------------------

    async def _set_groups(self, wanted):
        for group in self._channel_groups - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in wanted - self._channel_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self._channel_groups = set(wanted)
        self._groups_joined_at = time.monotonic()

    async def _refresh_group_membership_if_due(self):
        if time.monotonic() - self._groups_joined_at < self.GROUP_REFRESH_SECONDS:
            return
        for group in self._channel_groups:
            await self.channel_layer.group_add(group, self.channel_name)  # renews the expiry
        self._groups_joined_at = time.monotonic()

    async def _db(self, func, *args):
        """Run ORM code in the database thread; log and swallow errors (returns None)."""
        return await self._guarded(database_sync_to_async(func)(*args), getattr(func, "__name__", "?"))

    async def _guarded(self, awaitable, what):
        """Await database work; log and swallow its errors (returns None)."""
        try:
            return await awaitable
        except Exception:
            who = self.identity.kiosk_id if self.identity else "(unauthenticated)"
            logger.exception("kiosk %s: database error in %s", who, what)
            return None

    def _complain(self, reason):
        self._complaints += 1
        if self._complaints <= self.MAX_COMPLAINTS:
            logger.warning("kiosk %s: ignored a message: %s", self.identity.kiosk_id, reason)
            if self._complaints == self.MAX_COMPLAINTS:
                logger.warning("kiosk %s: further ignored messages on this connection are not logged", self.identity.kiosk_id)

    def _token_from_headers(self):
        values = [value for name, value in self.scope.get("headers", []) if name.lower() == b"authorization"]
        if len(values) != 1:
            return None
        return token_from_authorization(values[0])

    def _client_host(self):
        client = self.scope.get("client") or ("?", None)
        return client[0]
