"""Limits on kiosk handshakes: who may cost a database lookup, how many at once, and how
refusals are logged.

Every handshake that carries a token costs a share of a query, so a flood of bad tokens
would be a flood of queries. Before the lookup, a handshake takes a ticket:

* a token of a kiosk that was enrolled when the worker started (the worker reads the
  SHA-256 of every non-revoked kiosk's token once, with its first handshake: hashes, never
  tokens), or that authenticated on this worker since, takes from its own bucket, which
  only refusals empty (a kiosk over its connection cap that retries in a loop);
* any other token takes from its client address's bucket and from the worker's, so a flood
  from many addresses is bounded too.

A successful lookup gives its ticket back, so kiosks that connect never use up anything. A
handshake cancelled while it waits gives its ticket back too. Without a ticket the handshake
is refused at once, with no query. A bucket allows ``KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE``
at once and that many per minute after; the worker's ten times that. Tickets are taken before
the lookup, so a thousand handshakes arriving together cost no more queries than a thousand
arriving one by one.

So after a restart the fleet is not throttled: its tokens are known from the worker's first
handshake on, whatever address they come from. Many kiosks behind one address (a NAT, or
nginx without ``--proxy-headers``) share nothing but that address's bucket, which only a
kiosk enrolled after the worker started uses, until its first success. While a flood of bad
tokens from that same address goes on, such a new kiosk waits for a ticket with the flood
(it retries with backoff); every other kiosk is not held up. Behind a reverse proxy, run
daphne with ``--proxy-headers`` so that the address is the client's, not the proxy's.

Admission (``HandshakeGate``): a worker serves at most ``KIOSK_FLEET_MAX_PENDING_HANDSHAKES``
handshakes at once, and a handshake must reach its accept within
``KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS`` (daphne drops a handshake after its
``--websocket_connect_timeout``, 5 s by default, and the work done for it is then wasted).
Beyond either, the handshake is refused at once (before its ticket and its lookup when the
gate is full; with its connection row deleted again when it ran out of time), and the
kiosk's backoff spreads its retry. A reconnecting fleet therefore meets a worker that does
only work it can finish in time, and the backlog drains instead of growing.

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
BUSY = "busy"
TOO_LATE = "too late"

REASONS = {
    NO_TOKEN: "no 'Authorization: Token ...' header",
    BAD_TOKEN: "unknown or revoked token",
    THROTTLED: "too many refused handshakes from this address; refused without a lookup",
    OVER_CAP: "the kiosk has as many live connections as KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK allows",
    DATABASE_ERROR: "database error (the kiosk retries)",
    BUSY: "the worker serves KIOSK_FLEET_MAX_PENDING_HANDSHAKES handshakes already; refused without a lookup (the kiosk retries)",
    TOO_LATE: "not served within KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS; undone (the kiosk retries)",
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
        self._enrolled = frozenset()  # token hashes of the kiosks enrolled at the worker's start
        self._loading = None
        self._worker_bucket = self._new_bucket(self.WORKER_FACTOR)
        self.gate = HandshakeGate()
        self.log = RefusalLog()
        self.stats = HandshakeStats()

    async def load_enrolled(self, load):
        """Once per worker (again after a failure): ``await load()`` gives the token hashes of
        the enrolled kiosks, whose handshakes then never take from their address's bucket."""
        if self._loading is not None and self._loading.done() and self._loading.exception() is None:
            if asyncio.iscoroutine(load):
                load.close()
            return
        if self._loading is None or (self._loading.done() and self._loading.exception() is not None):
            self._loading = asyncio.get_running_loop().create_task(self._load(load))
        try:
            await asyncio.shield(self._loading)
        except Exception:  # noqa: BLE001 -- logged; the address buckets apply meanwhile
            logger.exception("could not read the enrolled kiosks' token hashes")

    async def _load(self, load):
        self._enrolled = frozenset(await load())

    @staticmethod
    def _new_bucket(factor=1):
        per_minute = conf.refused_handshakes_per_minute() * factor
        return TokenBucket(per_minute / 60.0, per_minute)

    def ticket(self, address, token_hash):
        """The buckets taken from for one lookup, or None: refuse without a lookup."""
        own = self._known.get(token_hash)
        if own is None and token_hash in self._enrolled:
            own = self._known.get_or_create(token_hash, self._new_bucket)
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
        """The token is unknown or revoked (now): from now on it takes from its address's bucket."""
        self._known.pop(token_hash, None)
        if token_hash in self._enrolled:
            self._enrolled = self._enrolled - {token_hash}


class HandshakeGate:
    """How many handshakes a worker serves at once, and the time each may take.

    ``enter()`` is False when ``KIOSK_FLEET_MAX_PENDING_HANDSHAKES`` are in progress: the
    handshake is refused before it costs anything. ``deadline()`` is the monotonic time by
    which a handshake that entered now must be accepted.
    """

    def __init__(self):
        self.in_progress = 0

    def enter(self):
        if self.in_progress >= conf.max_pending_handshakes():
            return False
        self.in_progress += 1
        return True

    def leave(self):
        self.in_progress -= 1

    @staticmethod
    def deadline(started):
        return started + conf.handshake_budget_seconds()


class HandshakeStats:
    """While handshakes come in, one INFO line per ``INTERVAL`` seconds: how many were
    accepted and how long they took (from the consumer's start to its accept), how many were
    refused and why, and how many the gate held at most."""

    INTERVAL = 10.0

    def __init__(self):
        self._times = []
        self._refused = Counter()
        self._window = None

    def accepted(self, seconds):
        self._times.append(seconds)
        self._open()

    def refused(self, kind):
        self._refused[kind] += 1
        self._open()

    def _open(self):
        if self._window is None:
            self._window = asyncio.get_running_loop().call_later(self.INTERVAL, self.flush)

    def flush(self):
        self._window = None
        times, self._times = sorted(self._times), []
        refused, self._refused = self._refused, Counter()
        if not times and not refused:
            return
        took = ""
        if times:
            pick = lambda q: times[min(len(times) - 1, int(len(times) * q))] * 1000  # noqa: E731
            took = " (handshake p50 %.0f ms, p99 %.0f ms, max %.0f ms)" % (pick(0.5), pick(0.99), times[-1] * 1000)
        kinds = ", ".join("%d %s" % (n, kind) for kind, n in refused.most_common()) or "none"
        logger.info(
            "kiosk handshakes in the last %.0f s: %d accepted%s; refused: %s",
            self.INTERVAL, len(times), took, kinds,
        )


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
