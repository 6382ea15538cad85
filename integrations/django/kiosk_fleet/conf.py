"""Settings of kiosk_fleet, read on every use so that ``override_settings`` works in tests."""

from django.conf import settings

DEFAULTS = {
    # How long a command stays deliverable (and answerable) when no expiry is given: a reset
    # 10 minutes, any other command 15. A delivery with no terminal ack by then is "expired".
    "KIOSK_FLEET_RESET_EXPIRES_SECONDS": 600,
    "KIOSK_FLEET_COMMAND_EXPIRES_SECONDS": 900,
    # The longest expiry a sender may ask for.
    "KIOSK_FLEET_MAX_EXPIRES_SECONDS": 7 * 24 * 3600,
    # A kiosk is online exactly while it has a connection on a worker whose heartbeat is
    # younger than this; a worker that stops or dies takes its kiosks offline within it.
    # Workers beat every third of it.
    "KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS": 30,
    # On hello, commands owed to a kiosk go one at a time: the next once the kiosk answered
    # the previous one (accepted or terminal), or after this many seconds without an answer.
    "KIOSK_FLEET_BACKLOG_STEP_SECONDS": 10,
    # At most one database write per kiosk connection per this many seconds for kiosk.status.
    "KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS": 5,
    # Larger text frames from a kiosk are dropped unread (kiosk messages are a few hundred
    # bytes), except kiosk.screenshot frames on a connection that is owed one.
    "KIOSK_FLEET_MAX_FRAME_BYTES": 64 * 1024,
    # The longest base64 "data" of a kiosk.screenshot (the kiosk's screenshot.maxBytes default).
    "KIOSK_FLEET_SCREENSHOT_MAX_BYTES": 262144,
    # Screenshots kept per kiosk; older ones are deleted when a new one arrives.
    "KIOSK_FLEET_SCREENSHOTS_PER_KIOSK": 10,
    # The WebSocket frame and message limit that ``python -m kiosk_fleet.serve`` gives daphne,
    # enforced as the bytes arrive. None: the largest frame the consumer reads at all (a
    # screenshot frame). It applies to every WebSocket route of the site.
    "KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES": None,
    # Live connections per kiosk token, counted across all workers. One is normal; the rest
    # is room for a kiosk that reconnects while its old socket is still half-open (daphne
    # drops it after --ping-interval + --ping-timeout, 50 s by default). More are refused
    # (accepted, then closed with 4029).
    "KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK": 3,
    # Refused handshakes (no, unknown or revoked token, over the cap) per client address
    # that may cost a database lookup, per minute (also the burst); the worker as a whole
    # allows ten times that. Beyond it, a handshake whose token has not connected to this
    # worker before is refused without a query.
    "KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE": 10,
    # Handshakes a worker serves at once (token lookup, connection row, channel groups);
    # more are refused at once, before any lookup, and the kiosk retries with its backoff.
    "KIOSK_FLEET_MAX_PENDING_HANDSHAKES": 200,
    # A handshake not accepted within this many seconds of its start is refused and its
    # connection row deleted: daphne drops handshakes after --websocket_connect_timeout
    # (5 s by default), so later work would be for a kiosk that is gone. Keep it below that.
    "KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS": 3.5,
    # Refused handshakes are logged once per this many seconds, with counts.
    "KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS": 60,
}

# Before commands, offline kiosks got a reset within this many seconds; still honoured as
# the reset expiry when KIOSK_FLEET_RESET_EXPIRES_SECONDS is not set.
LEGACY_RESET_TTL = "KIOSK_FLEET_RESET_TTL_SECONDS"


def get(name):
    return getattr(settings, name, DEFAULTS[name])


def reset_expires_seconds():
    if not hasattr(settings, "KIOSK_FLEET_RESET_EXPIRES_SECONDS") and hasattr(settings, LEGACY_RESET_TTL):
        return int(getattr(settings, LEGACY_RESET_TTL))
    return int(get("KIOSK_FLEET_RESET_EXPIRES_SECONDS"))


def command_expires_seconds():
    return int(get("KIOSK_FLEET_COMMAND_EXPIRES_SECONDS"))


def max_expires_seconds():
    return int(get("KIOSK_FLEET_MAX_EXPIRES_SECONDS"))


def presence_timeout_seconds():
    return float(get("KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS"))


def heartbeat_seconds():
    return presence_timeout_seconds() / 3


def backlog_step_seconds():
    return float(get("KIOSK_FLEET_BACKLOG_STEP_SECONDS"))


def status_min_interval_seconds():
    return float(get("KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS"))


def max_frame_bytes():
    return int(get("KIOSK_FLEET_MAX_FRAME_BYTES"))


def screenshot_max_bytes():
    return int(get("KIOSK_FLEET_SCREENSHOT_MAX_BYTES"))


def screenshot_frame_bytes():
    """The largest kiosk.screenshot frame read: the data plus room for the other fields."""
    return screenshot_max_bytes() + 4096


def screenshots_per_kiosk():
    return max(1, int(get("KIOSK_FLEET_SCREENSHOTS_PER_KIOSK")))


def server_max_message_bytes():
    value = get("KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES")
    if value is None:
        return max(max_frame_bytes(), screenshot_frame_bytes())
    return int(value)


def max_connections_per_kiosk():
    return max(1, int(get("KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK")))


def refused_handshakes_per_minute():
    return max(1.0, float(get("KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE")))


def refusal_log_interval_seconds():
    return max(0.0, float(get("KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS")))


def max_pending_handshakes():
    return int(get("KIOSK_FLEET_MAX_PENDING_HANDSHAKES"))


def handshake_budget_seconds():
    return float(get("KIOSK_FLEET_HANDSHAKE_BUDGET_SECONDS"))
