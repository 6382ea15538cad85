"""What a kiosk's reports add up to for people: its display and schedule, and whether it
needs attention.

A kiosk whose display is off on purpose (``off-scheduled`` by its schedule,
``off-commanded`` by a display command) is not failing: it is dark, its page may be
covered, and a screenshot of it is black, all as intended. Only being offline, or a
renderer that crashed, hangs or has no page while the display is on, counts.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext_lazy as _

from .wire import parse_iso

OFF = ("off-scheduled", "off-commanded")
RENDERER_TROUBLE = ("crashed", "unresponsive", "none")

POWER_LABELS = {"on": _("on"), "off": _("off")}  # a display command's power argument

DISPLAY_LABELS = {
    "on": _("on"),
    "off-scheduled": _("off (scheduled)"),
    "off-commanded": _("off (commanded)"),
}


def attention_q():
    """Non-revoked kiosks that need attention; the queryset must be annotated ``with_online()``."""
    return Q(revoked=False) & (Q(online=False) | (Q(renderer_state__in=RENDERER_TROUBLE) & ~Q(display_state__in=OFF)))


def needs_attention(kiosk, online):
    if kiosk.revoked:
        return False
    if not online:
        return True
    if kiosk.display_state in OFF:
        return False  # dark on purpose
    return kiosk.renderer_state in RENDERER_TROUBLE


def _at(value, now):
    at = parse_iso(value)
    if at is None:
        return None
    local = timezone.localtime(at)
    return _("%(when)s (in %(delta)s)") % {"when": date_format(local, "DATETIME_FORMAT"), "delta": timeuntil(at, now)} if at > now else date_format(local, "DATETIME_FORMAT")


def display_text(kiosk, now=None):
    """``off (scheduled), on at 3 Dec 2026, 07:00 (in 9 hours)``, ``on, off at …``, or ``-``."""
    now = now or timezone.now()
    state = kiosk.display_state
    if not state:
        return "-"
    label = DISPLAY_LABELS.get(state, state)
    schedule = kiosk.schedule or {}
    if state == "off-scheduled" and _at(schedule.get("nextDisplayOn"), now):
        return _("%(state)s, on at %(at)s") % {"state": label, "at": _at(schedule["nextDisplayOn"], now)}
    if state == "on" and _at(schedule.get("nextDisplayOff"), now):
        return _("%(state)s, off at %(at)s") % {"state": label, "at": _at(schedule["nextDisplayOff"], now)}
    return str(label)


def schedule_rows(kiosk, now=None):
    """The reported schedule as (label, text) rows for the kiosk's page; empty if none."""
    now = now or timezone.now()
    schedule = kiosk.schedule
    if not schedule:
        return []
    never = _("none scheduled")
    return [
        (_("Time zone"), schedule.get("timezone") or _("not reported")),
        (_("Next display off"), _at(schedule.get("nextDisplayOff"), now) or never),
        (_("Next display on"), _at(schedule.get("nextDisplayOn"), now) or never),
        (_("Next restart"), _at(schedule.get("nextRestart"), now) or never),
    ]
