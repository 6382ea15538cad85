"""Limits on kiosk handshakes: who may cost a database lookup, and how refusals are logged.

Every handshake that carries a token costs at least one indexed query, so a flood of bad
tokens would be a flood of queries. Before the lookup, a handshake takes a ticket:

* a token that authenticated on this worker before (its SHA-256 is remembered, never the
  token) takes from its own bucket, which only refusals empty (a kiosk over its connection
  cap that retries in a loop);
* any other token takes from its client address's bucket and from the worker's, so a flood
  from many addresses is bounded too.

A successful lookup gives its ticket back, so kiosks that connect never use up anything.
Without a ticket the handshake is refused at once, with no query. A bucket allows
``KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE`` at once and that many per minute after; the
worker's ten times that. Tickets are taken before the lookup, so a thousand handshakes
arriving together cost no more queries than a thousand arriving one by one.

The price: while a flood from one address goes on, a kiosk behind that same address (a NAT)
that has not connected to this worker before waits for a ticket with the flood (it retries
with backoff); kiosks that have connected before are not held up. Behind a reverse proxy,
run daphne with ``--proxy-headers`` so that the address is the client's, not the proxy's.

Refusals are logged once per ``KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS``: the first at
once, then one line per interval with the counts while they go on. No token, and no part of
one, is ever logged.
"""

import asyncio
import logging
import sys
import time
import weakref
from collections import Counter, OrderedDict

from . import conf

logger = logging.getLogger("kiosk_fleet.consumers")

NO_TOKEN = "no token"
BAD_TOKEN = "bad token"
THROTTLED = "throttled"
OVER_CAP = "over cap"
DATABASE_ERROR = "database error"

REASONS = {
    NO_TOKEN: "no 'Authorization: Token ...' header",
    BAD_TOKEN: "unknown or revoked token",
    THROTTLED: "too many refused handshakes from this address; refused without a lookup",
    OVER_CAP: "the kiosk has as many live connections as KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK allows",
    DATABASE_ERROR: "database error (the kiosk retries)",
}


class TokenBucket:
    """Allows ``burst`` events at once and ``rate`` per second after that."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def _refill(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self):
        self._refill()
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def give_back(self):
        self.tokens = min(self.burst, self.tokens + 1)

    @property
    def full(self):
        self._refill()
        return self.tokens >= self.burst


class _Bounded(OrderedDict):
    """A dict that forgets its least recently used keys beyond ``size``."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def get_or_create(self, key, factory):
        value = self.get(key)
        if value is None:
            value = self[key] = factory()
            if len(self) > self.size:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value


class HandshakeGuard:
    """The tickets of one worker (event loop), and its refusal log."""

    ADDRESSES = 10000  # client addresses remembered (least recently used forgotten)
    KNOWN_TOKENS = 10000  # token hashes remembered as having authenticated here
    WORKER_FACTOR = 10

    def __init__(self):
        self._addresses = _Bounded(self.ADDRESSES)
        self._known = _Bounded(self.KNOWN_TOKENS)
        self._worker_bucket = self._new_bucket(self.WORKER_FACTOR)
        self.log = RefusalLog()

    @staticmethod
    def _new_bucket(factor=1):
        per_minute = conf.refused_handshakes_per_minute() * factor
        return TokenBucket(per_minute / 60.0, per_minute)

    def ticket(self, address, token_hash):
        """The buckets taken from for one lookup, or None: refuse without a lookup."""
        own = self._known.get(token_hash)
        if own is not None:
            self._known.move_to_end(token_hash)
            return (own,) if own.take() else None
        bucket = self._addresses.get_or_create(address, self._new_bucket)
        if not bucket.take():
            return None
        if not self._worker_bucket.take():
            bucket.give_back()
            return None
        return (bucket, self._worker_bucket)

    def authenticated(self, ticket, token_hash, admitted):
        """The lookup found the kiosk: the token is known from now on; if it was admitted,
        the ticket is given back."""
        own = self._known.get_or_create(token_hash, self._new_bucket)
        if admitted:
            for bucket in ticket:
                bucket.give_back()
        elif own not in ticket:
            # Over the cap on its first try here: its own bucket pays from now on, and the
            # address's ticket is given back (the address did nothing wrong).
            for bucket in ticket:
                bucket.give_back()
            own.take()

    def give_back(self, ticket):
        for bucket in ticket:
            bucket.give_back()

    def forget_token(self, token_hash):
        self._known.pop(token_hash, None)


class RefusalLog:
    """One WARNING at once, then one per interval with the counts, while refusals go on."""

    def __init__(self):
        self._counts = Counter()
        self._addresses = Counter()
        self._kiosks = Counter()
        self._window = None  # the TimerHandle ending the current window
        self._already_logged = 0
        self._started = 0.0

    def refused(self, kind, address, kiosk_id=None):
        if self._window is None:
            # A quiet worker: say it now, so that one misconfigured kiosk shows at once.
            who = "kiosk %s: handshake" % kiosk_id if kiosk_id else "kiosk handshake"
            logger.warning("%s from %s refused: %s", who, address, REASONS[kind])
            self._open_window(already_logged=1)
        self._counts[kind] += 1
        self._addresses[address] += 1
        if kiosk_id:
            self._kiosks[kiosk_id] += 1

    def _open_window(self, already_logged):
        self._counts.clear()
        self._addresses.clear()
        self._kiosks.clear()
        self._already_logged = already_logged
        self._started = time.monotonic()
        self._window = asyncio.get_running_loop().call_later(conf.refusal_log_interval_seconds(), self.flush)

    def flush(self):
        """End the window: log its counts, unless it holds only the line logged already."""
        self._window = None
        total = sum(self._counts.values())
        if total <= self._already_logged:
            return  # quiet again: the next refusal is logged at once
        kinds = ", ".join("%d %s" % (n, kind) for kind, n in self._counts.most_common())
        address, from_top = self._addresses.most_common(1)[0]
        extra = ""
        if self._kiosks:
            kiosk, n = self._kiosks.most_common(1)[0]
            extra = "; over cap most often: kiosk %s (%d)" % (kiosk, n)
        logger.warning(
            "refused %d kiosk handshakes in the last %.0f s: %s; most from %s (%d)%s",
            total, time.monotonic() - self._started, kinds, address, from_top, extra,
        )
        # Refusals may go on: the next line one interval from now at the earliest.
        self._open_window(already_logged=0)


_guards = weakref.WeakKeyDictionary()


def guard():
    """The handshake guard of the running event loop (one per daphne process)."""
    loop = asyncio.get_running_loop()
    current = _guards.get(loop)
    if current is None:
        current = _guards[loop] = HandshakeGuard()
    return current


def warn_if_frames_unlimited():
    """Under daphne started without kiosk_fleet.serve, say that frames are not limited."""
    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None or not getattr(reactor, "running", False):
        return False  # not daphne (tests, uvicorn: its --ws-max-size is 16 MiB by default)
    serve = sys.modules.get("kiosk_fleet.serve")
    if serve is not None and serve.limits_applied:
        return False
    logger.warning(
        "daphne is not limiting the size of WebSocket frames: a token holder can make this worker "
        "buffer frames of any size. Start it with `python -m kiosk_fleet.serve` (daphne's options, "
        "with the limit of KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES)."
    )
    return True
