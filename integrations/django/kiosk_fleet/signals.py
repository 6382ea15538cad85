"""Keep live kiosk connections in step with admin edits.

When a kiosk row is saved (groups changed, revoked, token rotated) or deleted, its open
connections are told to re-read it: they re-join the right channel groups, or close if the
kiosk may no longer connect. The consumer's own writes use queryset.update(), which sends
no signals, so this costs nothing on the hot path.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import layer
from .models import Kiosk

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Kiosk, dispatch_uid="kiosk_fleet_kiosk_saved")
@receiver(post_delete, sender=Kiosk, dispatch_uid="kiosk_fleet_kiosk_deleted")
def refresh_live_connections(sender, instance, created=False, **kwargs):
    if created:
        return  # nobody can be connected with a kiosk that did not exist

    def publish():
        try:
            layer.publish_refresh(instance.kiosk_id)
        except Exception:
            # The edit itself succeeded; a connection that missed this is re-read on reconnect.
            logger.exception("could not notify connections of kiosk %s", instance.kiosk_id)

    transaction.on_commit(publish)


# The announcements' own receiver (published on save) lives with them.
from . import announcements  # noqa: E402,F401
