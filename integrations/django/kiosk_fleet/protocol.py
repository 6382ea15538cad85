"""Parsing of kiosk → server frames. Pure functions: no I/O, no Django models.

Anything that does not fit the contract raises ``Malformed`` with a short reason that is
safe to log (it never echoes the frame's content). Extra fields are ignored, so kiosks on a
newer version of the contract keep working.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Optional

from . import jpeg
from .names import is_valid_name
from .wire import iso_z, parse_iso

HELLO = "kiosk.hello"
STATUS = "kiosk.status"
ACK = "kiosk.ack"
SCREENSHOT = "kiosk.screenshot"

ACCEPTED = "accepted"
TERMINAL_STATUSES = ("reloaded", "done", "ignored", "failed", "expired", "withheld")
ACK_STATUSES = (ACCEPTED,) + TERMINAL_STATUSES
WAITING_FOR = ("idle", "stagger", "privacy")
COMMANDS = ("reset", "home", "clear-session", "restart", "screenshot", "display")
DISPLAY_STATES = ("on", "off-scheduled", "off-commanded")
MAX_MS = 24 * 3600 * 1000
MAX_UPTIME = 2**31 - 1
MAX_IMAGE_SIDE = 16384


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
    command_id: str
    status: str
    ms: Optional[int] = None
    command: Optional[str] = None  # absent in acks of kiosks older than commands
    reason: str = ""
    waiting_for: str = ""

    @property
    def is_terminal(self):
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class Status:
    kiosk: object
    fields: dict


@dataclass(frozen=True)
class Screenshot:
    kiosk: object
    command_id: str
    width: int
    height: int
    taken_at: object  # an aware datetime, or None when the kiosk's takenAt is not ISO 8601
    image: bytes


def decode(text, max_bytes):
    """The JSON object in a text frame. Length is checked before parsing anything."""
    check_length(text, max_bytes)
    try:
        message = json.loads(text)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(message, dict):
        raise Malformed("not a JSON object")
    if not isinstance(message.get("type"), str):
        raise Malformed("no string 'type'")
    return message


def check_length(text, max_bytes):
    # len(str) <= bytes in UTF-8, so this is a cheap, safe pre-check; then the exact one.
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise Malformed("frame larger than %d bytes" % max_bytes)


def is_number(value):
    # bool is an int in Python but not a number in JSON; NaN is not a useful number either.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def parse_hello(message):
    version = message.get("version")
    version = short_text(version, 100) if isinstance(version, str) or is_number(version) else None
    groups = message.get("groups")
    if isinstance(groups, list) and len(groups) <= 100 and all(is_valid_name(g) for g in groups):
        groups = tuple(sorted(set(groups)))
    else:
        groups = None
    return Hello(kiosk=message.get("kiosk"), version=version, groups=groups)


def parse_ack(message):
    command_id = message.get("id")
    if not is_valid_name(command_id):
        raise Malformed("ack without a valid 'id'")
    status = message.get("status")
    if status not in ACK_STATUSES:
        raise Malformed("ack 'status' not one of %s" % "/".join(ACK_STATUSES))
    ms = message.get("ms")
    if ms is not None:
        if not is_number(ms):
            raise Malformed("ack 'ms' is not a number")
        ms = int(min(max(ms, 0), MAX_MS))
    command = message.get("command")
    if command is not None and command not in COMMANDS:
        raise Malformed("ack 'command' not one of %s" % "/".join(COMMANDS))
    reason = message.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise Malformed("ack 'reason' is not a string")
    waiting_for = message.get("waitingFor")
    if status == ACCEPTED:
        if waiting_for is not None and waiting_for not in WAITING_FOR:
            raise Malformed("ack 'waitingFor' not one of %s" % "/".join(WAITING_FOR))
    else:
        waiting_for = None
    return Ack(
        kiosk=message.get("kiosk"),
        command_id=command_id,
        status=status,
        ms=ms,
        command=command,
        reason=short_text(reason, 200) if reason else "",
        waiting_for=waiting_for or "",
    )


def parse_status(message):
    """Keep each known field that has a sensible value; drop the rest one by one."""
    fields = {}
    for key, limit in (("version", 100), ("renderer", 32), ("uplink", 32)):
        value = message.get(key)
        if isinstance(value, str):
            fields[key] = short_text(value, limit)
    if message.get("display") in DISPLAY_STATES:
        fields["display"] = message["display"]
    schedule = parse_schedule(message.get("schedule"))
    if schedule is not None:
        fields["schedule"] = schedule
    uptime = message.get("uptimeSeconds")
    if is_number(uptime):
        fields["uptimeSeconds"] = int(min(max(uptime, 0), MAX_UPTIME))
    last_ok = message.get("lastApiOkAt")
    if last_ok is None and "lastApiOkAt" in message:
        fields["lastApiOkAt"] = ""
    elif isinstance(last_ok, str) or is_number(last_ok):
        fields["lastApiOkAt"] = short_text(last_ok, 64)
    return Status(kiosk=message.get("kiosk"), fields=fields)


SCHEDULE_TIMES = ("nextDisplayOff", "nextDisplayOn", "nextRestart")


def parse_schedule(value):
    """The status's schedule summary, ``{"timezone", "nextDisplayOff", "nextDisplayOn",
    "nextRestart"}``: the times as ISO 8601 in UTC or None, the zone as short text; None if
    it is not an object. A time that is not ISO 8601 is dropped (None), not kept as text."""
    if not isinstance(value, dict):
        return None
    zone = value.get("timezone")
    schedule = {"timezone": short_text(zone, 64) if isinstance(zone, str) else None}
    for key in SCHEDULE_TIMES:
        at = parse_iso(value.get(key))
        schedule[key] = iso_z(at) if at is not None else None
    return schedule


def parse_screenshot(message, max_data_bytes):
    """A kiosk.screenshot whose data is a JPEG of the width and height it claims."""
    command_id = message.get("id")
    if not is_valid_name(command_id):
        raise Malformed("screenshot without a valid 'id'")
    if message.get("mime") != "image/jpeg":
        raise Malformed("screenshot 'mime' is not image/jpeg")
    width, height = message.get("width"), message.get("height")
    for value in (width, height):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_IMAGE_SIDE:
            raise Malformed("screenshot 'width'/'height' are not sizes in pixels")
    data = message.get("data")
    if not isinstance(data, str) or not data:
        raise Malformed("screenshot without 'data'")
    if len(data) > max_data_bytes:
        raise Malformed("screenshot 'data' longer than %d bytes" % max_data_bytes)
    try:
        image = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("screenshot 'data' is not base64") from None
    size = jpeg.dimensions(image)
    if size is None:
        raise Malformed("screenshot 'data' is not a JPEG")
    if size != (width, height):
        raise Malformed("screenshot is %dx%d, not the %dx%d it claims" % (size + (width, height)))
    return Screenshot(
        kiosk=message.get("kiosk"),
        command_id=command_id,
        width=width,
        height=height,
        taken_at=parse_iso(message.get("takenAt")),
        image=image,
    )


def short_text(value, limit):
    # Printable only: these values end up in the admin and in logs.
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text.strip()[:limit]
