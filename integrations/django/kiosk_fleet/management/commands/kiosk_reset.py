"""Send a reset from the command line; prints the reset id on the last line."""

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.management.base import BaseCommand, CommandError

from kiosk_fleet.forms import known_groups
from kiosk_fleet.models import Kiosk
from kiosk_fleet.resets import delivery_counts, send_reset
from kiosk_fleet.targets import Target


class Command(BaseCommand):
    help = "Send a reset to all kiosks, some kiosks or some groups, and print its id."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every kiosk.")
        which.add_argument("--kiosk", action="append", metavar="ID", help="A kiosk id; repeat for several.")
        which.add_argument("--group", action="append", metavar="NAME", help="A group; repeat for several.")
        parser.add_argument("--reason", default="", help="Shown in the admin and sent to the kiosks.")

    def handle(self, *args, **options):
        target = self._target(options)
        if isinstance(get_channel_layer(), InMemoryChannelLayer):
            self.stderr.write(
                "Warning: the channel layer is in-memory, so this process cannot reach kiosks connected "
                "to a running server; they get the reset only if they reconnect in time. "
                "Set KIOSK_REDIS_URL (channels_redis) so commands and servers share one layer."
            )
        reset = send_reset(target, reason=options["reason"])
        counts = delivery_counts(reset)
        self.stdout.write(
            "Reset %s for %s: %d kiosk(s) targeted, %d connected, %d offline."
            % (reset.id, target, counts["total"], counts["sent"], counts["offline"])
        )
        self.stdout.write(reset.id)

    def _target(self, options):
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
