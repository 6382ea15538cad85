"""What kiosk_reset and kiosk_command share: the target options and the in-memory layer warning."""

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.management.base import CommandError

from kiosk_fleet.forms import known_groups
from kiosk_fleet.models import Kiosk
from kiosk_fleet.targets import Target
from kiosk_fleet.wire import iso_z


def add_target_arguments(parser):
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="Every kiosk.")
    which.add_argument("--kiosk", action="append", metavar="ID", help="A kiosk id; repeat for several.")
    which.add_argument("--group", action="append", metavar="NAME", help="A group; repeat for several.")


def target_from_options(options):
    try:
        if options["all"]:
            return Target.parse("all")
        if options["kiosk"]:
            target = Target.of("kiosks", options["kiosk"])
            known = set(Kiosk.objects.filter(kiosk_id__in=target.names).values_list("kiosk_id", flat=True))
            missing = [name for name in target.names if name not in known]
            if missing:
                raise CommandError("no such kiosk: %s" % ", ".join(missing))
            return target
        target = Target.of("groups", options["group"])
    except ValueError as exc:
        raise CommandError(str(exc))
    groups = set(known_groups())
    missing = [name for name in target.names if name not in groups]
    if missing:
        raise CommandError("no (non-revoked) kiosk is in group: %s" % ", ".join(missing))
    return target


def warn_if_in_memory_layer(stderr):
    if isinstance(get_channel_layer(), InMemoryChannelLayer):
        stderr.write(
            "Warning: the channel layer is in-memory, so this process cannot reach kiosks connected "
            "to a running server; they get the command on their next hello, until it expires. "
            "Set KIOSK_REDIS_URL (channels_redis) so commands and servers share one layer."
        )


def summary(command, counts_online):
    targeted, online = counts_online
    return "%s %s for %s: %d kiosk(s) targeted, %d online now; expires %s." % (
        command.command.capitalize(), command.id, command.target, targeted, online, iso_z(command.expires_at, seconds=True),
    )
