"""Channel layer group names and the only code that publishes to kiosks.

Every kiosk connection joins three kinds of group:

* ``kiosk-fleet.all``                 — the whole fleet;
* ``kiosk-fleet.group.<group name>``  — one per group the database puts the kiosk in;
* ``kiosk-fleet.kiosk.<kiosk id>``    — the kiosk alone.

Names use the kiosk id charset, which is valid in channel group names (< 100 characters).
Nothing a kiosk sends is ever published: only server-side code calls these functions.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .targets import ALL, GROUPS, KIOSKS

logger = logging.getLogger(__name__)

FLEET_GROUP = "kiosk-fleet.all"

# Channel layer event types; Channels calls the consumer method with dots replaced by "_".
COMMAND_EVENT = "fleet.command"  # {"id"}: a command was created; targeted connections fetch their frame
REFRESH_EVENT = "fleet.refresh"  # the kiosk was edited: re-read it
BACKLOG_EVENT = "fleet.backlog"  # {"id"}: a connection's own timer: the owed frame "id" got no answer in time
ANNOUNCEMENTS_EVENT = "fleet.announcements"  # announcements changed: each connection brings its kiosk up to date


def group_for_kiosk(kiosk_id):
    return "kiosk-fleet.kiosk." + kiosk_id


def group_for_group(group_name):
    return "kiosk-fleet.group." + group_name


def channel_groups_for_kiosk(kiosk_id, kiosk_groups):
    return {FLEET_GROUP, group_for_kiosk(kiosk_id)} | {group_for_group(g) for g in kiosk_groups}


def channel_groups_for_target(target):
    if target.kind == ALL:
        return [FLEET_GROUP]
    if target.kind == KIOSKS:
        return [group_for_kiosk(name) for name in target.names]
    if target.kind == GROUPS:
        return [group_for_group(name) for name in target.names]
    raise ValueError(target.kind)


def publish_command(command):
    """Tell the connections of every channel group the command's target names about it.

    The event carries only the id: each connection fetches (in a batch with the others on
    its worker) the frame for its own kiosk, and only if that kiosk has a delivery, so a
    kiosk enrolled or regrouped since the command was sent gets nothing. A kiosk in two
    targeted groups gets the event twice; the consumer drops the repeat.
    """
    _group_send_all(channel_groups_for_target(command.target), {"type": COMMAND_EVENT, "id": command.id})


async def apublish_command(command):
    await _agroup_send_all(channel_groups_for_target(command.target), {"type": COMMAND_EVENT, "id": command.id})


def publish_refresh(kiosk_id):
    """Tell a kiosk's live connections to re-read it (groups changed, revoked, token rotated)."""
    _group_send_all([group_for_kiosk(kiosk_id)], {"type": REFRESH_EVENT})


def publish_announcements():
    """Tell every connection that announcements changed. The event names none: each
    connection reads what is current for its own kiosk, so a frame reaches only the kiosks
    an announcement targets, by the groups in the database."""
    _group_send_all([FLEET_GROUP], {"type": ANNOUNCEMENTS_EVENT})


def _group_send_all(groups, event):
    async_to_sync(_agroup_send_all)(groups, event)


async def _agroup_send_all(groups, event):
    layer = get_channel_layer()
    if layer is None:
        logger.warning("no channel layer configured (CHANNEL_LAYERS); nothing published")
        return
    for group in groups:
        await layer.group_send(group, event)
