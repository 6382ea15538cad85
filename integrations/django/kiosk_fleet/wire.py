"""Times on the wire and in the management commands' JSON: ISO 8601 in UTC with a ``Z``."""

from datetime import timezone as dt_timezone

from django.utils.dateparse import parse_datetime


def iso_z(value, seconds=False):
    """``2026-12-02T10:00:00Z`` (``seconds=True``) or ``2026-12-02T10:00:00.123Z``; None for None."""
    if value is None:
        return None
    value = value.astimezone(dt_timezone.utc)
    if seconds:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


def parse_iso(value):
    """An aware datetime from an ISO 8601 string the kiosk sent, or None if it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_timezone.utc)
    return parsed


def whole_seconds(value):
    """``value`` without its microseconds: what a frame's ``expiresAt`` can say exactly."""
    return value.replace(microsecond=0)

