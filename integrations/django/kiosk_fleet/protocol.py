"""Parsing of kiosk → server frames. Pure functions: no I/O, no Django models.

Anything that does not fit the contract raises ``Malformed`` with a short reason that is
safe to log (it never echoes the frame's content). Extra fields are ignored, so kiosks on a
newer version of the contract keep working.
"""

import json
from dataclasses import dataclass
from typing import Optional

from .names import is_valid_name

HELLO = "kiosk.hello"
STATUS = "kiosk.status"
ACK = "kiosk.ack"
ACK_STATUSES = ("reloaded", "ignored", "failed")
MAX_MS = 24 * 3600 * 1000
MAX_UPTIME = 2**31 - 1


class Malformed(ValueError):
    pass


# ``kiosk`` is the raw claimed id (any JSON value, None if absent); the consumer compares it
# with the authenticated kiosk's id, so a wrong type simply does not match.


@dataclass(frozen=True)
class Hello:
    kiosk: object
    version: Optional[str]
    groups: Optional[tuple]  # what the kiosk's config says; informational, the database decides


@dataclass(frozen=True)
class Ack:
    kiosk: object
    reset_id: str
    status: str
    ms: Optional[int]


@dataclass(frozen=True)
class Status:
    kiosk: object
    fields: dict


def decode(text, max_bytes):
    """The JSON object in a text frame. Length is checked before parsing anything."""
    # len(str) <= bytes in UTF-8, so this is a cheap, safe pre-check; then the exact one.
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise Malformed("frame larger than %d bytes" % max_bytes)
    try:
        message = json.loads(text)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(message, dict):
        raise Malformed("not a JSON object")
    if not isinstance(message.get("type"), str):
        raise Malformed("no string 'type'")
    return message


def is_number(value):
    # bool is an int in Python but not a number in JSON; NaN is not a useful number either.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def parse_hello(message):
    version = message.get("version")
    version = _short_text(version, 100) if isinstance(version, str) or is_number(version) else None
    groups = message.get("groups")
    if isinstance(groups, list) and len(groups) <= 100 and all(is_valid_name(g) for g in groups):
        groups = tuple(sorted(set(groups)))
    else:
        groups = None
    return Hello(kiosk=message.get("kiosk"), version=version, groups=groups)


def parse_ack(message):
    reset_id = message.get("id")
    if not is_valid_name(reset_id):
        raise Malformed("ack without a valid 'id'")
    status = message.get("status")
    if status not in ACK_STATUSES:
        raise Malformed("ack 'status' not one of %s" % "/".join(ACK_STATUSES))
    ms = message.get("ms")
    if ms is not None:
        if not is_number(ms):
            raise Malformed("ack 'ms' is not a number")
        ms = int(min(max(ms, 0), MAX_MS))
    return Ack(kiosk=message.get("kiosk"), reset_id=reset_id, status=status, ms=ms)


def parse_status(message):
    """Keep each known field that has a sensible value; drop the rest one by one."""
    fields = {}
    for key, limit in (("version", 100), ("renderer", 32), ("uplink", 32)):
        value = message.get(key)
        if isinstance(value, str):
            fields[key] = _short_text(value, limit)
    uptime = message.get("uptimeSeconds")
    if is_number(uptime):
        fields["uptimeSeconds"] = int(min(max(uptime, 0), MAX_UPTIME))
    last_ok = message.get("lastApiOkAt")
    if last_ok is None and "lastApiOkAt" in message:
        fields["lastApiOkAt"] = ""
    elif isinstance(last_ok, str) or is_number(last_ok):
        fields["lastApiOkAt"] = _short_text(last_ok, 64)
    return Status(kiosk=message.get("kiosk"), fields=fields)


def _short_text(value, limit):
    # Printable only: these values end up in the admin and in logs.
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text.strip()[:limit]
