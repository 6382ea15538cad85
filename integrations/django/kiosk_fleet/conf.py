"""Settings of kiosk_fleet, read on every use so that ``override_settings`` works in tests."""

from django.conf import settings

DEFAULTS = {
    # How long a reset stays deliverable to a kiosk that was offline when it was sent.
    "KIOSK_FLEET_RESET_TTL_SECONDS": 300,
    # At most one database write per kiosk connection per this many seconds for kiosk.status.
    "KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS": 5,
    # A kiosk counts as connected only if it was heard from within this window. This heals
    # connection counters left behind by a worker that died without running disconnect().
    # Kiosks send kiosk.status every 30 s by default, so 180 s tolerates a few lost ones.
    "KIOSK_FLEET_ONLINE_TIMEOUT_SECONDS": 180,
    # Larger text frames from a kiosk are dropped unread (kiosk messages are a few hundred bytes).
    "KIOSK_FLEET_MAX_FRAME_BYTES": 64 * 1024,
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])


def reset_ttl_seconds():
    return int(get("KIOSK_FLEET_RESET_TTL_SECONDS"))


def status_min_interval_seconds():
    return float(get("KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS"))


def online_timeout_seconds():
    return int(get("KIOSK_FLEET_ONLINE_TIMEOUT_SECONDS"))


def max_frame_bytes():
    return int(get("KIOSK_FLEET_MAX_FRAME_BYTES"))
