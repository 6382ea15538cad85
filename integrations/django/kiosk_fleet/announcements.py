"""Announcements on the kiosks' screens: what each kiosk is shown, and how it gets there.

An announcement reaches a kiosk three ways, all built from the same rows:

* when it is saved (published, edited, withdrawn), every live connection is told over the
  channel layer (``layer.publish_announcements``) and brings its own kiosk up to date: the
  ``announcement`` frames of what is current and targeted at that kiosk, and
  ``announcement.withdrawn`` for what it was sent on this connection and is no longer
  (withdrawn, ended, edited to another target). Each connection decides for its own kiosk,
  from the groups in the database, so no frame goes to a kiosk it does not target;
* on a kiosk's hello, the same: what is current for it, plus ``announcement.withdrawn`` for
  anything that changed recently and is not current for it (it may have been shown before
  the kiosk lost its connection);
* in the content API's answer, through ``KIOSK_CONTENT_ANNOUNCEMENTS =
  "kiosk_fleet.announcements.for_request"``: the whole current set for the asking kiosk,
  the source of truth on load.

"Current" includes announcements scheduled to start later: the frame carries ``startsAt``
and the kiosk shows it from then (and stops at ``endsAt``) by itself; the connection also
sends ``announcement.withdrawn`` when the end comes. Texts are plain text: nothing here
builds HTML, and the kiosk escapes what it shows.
"""

import json
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from . import layer
from .models import Announcement
from .wire import iso_z

logger = logging.getLogger(__name__)

# How far back a hello looks for announcements that stopped applying (withdrawn, ended,
# retargeted) while the kiosk may have been away, to tell it to drop them.
RECENT_CHANGES = timedelta(days=7)


def wire(announcement, now=None, with_type=True):
    """The announcement as the kiosk reads it (a frame, or an item of the API's list)."""
    now = now or timezone.now()
    # Already started by the server's clock: null, so a kiosk whose clock lags shows it at once.
    starts = announcement.starts_at if announcement.starts_at is not None and announcement.starts_at > now else None
    item = {
        "id": announcement.wire_id,
        "level": announcement.level,
        "text": announcement.texts(),
        "startsAt": iso_z(starts),
        "endsAt": iso_z(announcement.ends_at),
    }
    return {"type": "announcement", **item} if with_type else item


def withdrawn_frame(wire_id):
    return json.dumps({"type": "announcement.withdrawn", "id": wire_id}, separators=(",", ":"))


def current_for(kiosk_id, groups, now=None, current=None):
    """The current announcements targeted at one kiosk, oldest first."""
    now = now or timezone.now()
    if current is None:
        current = list(Announcement.objects.current(now).order_by("created_at", "pk"))
    return [a for a in current if a.target.matches(kiosk_id, groups)]


def for_request(request):
    """The provider for ``KIOSK_CONTENT_ANNOUNCEMENTS``: the asking kiosk's current set.

    The kiosk is the one ``KioskTokenAuthentication`` found by its token (``request.auth``);
    any other caller gets none.
    """
    from .presence import KioskIdentity

    identity = getattr(request, "auth", None)
    if not isinstance(identity, KioskIdentity):
        return []
    now = timezone.now()
    return [wire(a, now, with_type=False) for a in current_for(identity.kiosk_id, identity.groups, now)]


class KioskAnnouncements:
    """What one connection should hold now: ``frames`` {wire id: (version, frame text)},
    ``gone`` (ids to withdraw if held), and ``next_change`` (seconds until one of them ends)."""

    __slots__ = ("frames", "gone", "next_change")

    def __init__(self, frames, gone, next_change):
        self.frames = frames
        self.gone = gone
        self.next_change = next_change


def for_connections(items):
    """For ``[(kiosk_id, groups, on_hello)]``: one ``KioskAnnouncements`` each, in two queries.

    Run in the fleet's database thread, batched across a worker's connections.
    """
    now = timezone.now()
    current = list(Announcement.objects.current(now).order_by("created_at", "pk"))
    recent = None
    if any(on_hello for _, _, on_hello in items):
        recent = list(
            Announcement.objects.filter(updated_at__gte=now - RECENT_CHANGES).values_list("pk", flat=True)
        )
    results = []
    for kiosk_id, groups, on_hello in items:
        mine = current_for(kiosk_id, groups, now, current)
        frames = {
            a.wire_id: (a.updated_at.isoformat(), json.dumps(wire(a, now), separators=(",", ":"), ensure_ascii=False))
            for a in mine
        }
        gone = ()
        if on_hello:
            gone = tuple("a-%s" % pk for pk in recent if "a-%s" % pk not in frames)
        ends = [(a.ends_at - now).total_seconds() for a in mine if a.ends_at is not None]
        results.append(KioskAnnouncements(frames, gone, min(ends) if ends else None))
    return results


@receiver(post_save, sender=Announcement, dispatch_uid="kiosk_fleet_announcement_saved")
def publish_on_save(sender, instance, **kwargs):
    """Saved (published, edited, withdrawn): once committed, every connection updates its kiosk."""

    def publish():
        try:
            layer.publish_announcements()
        except Exception:
            # Saved all the same: kiosks get it on their next hello and in the API's list.
            logger.exception("announcement %s: could not publish", instance.wire_id)

    transaction.on_commit(publish)
