"""Send a reset from the command line; prints the reset id alone on the last line.

A reset is a command: this is ``kiosk_command reset`` with a ``--reason``.
"""

from django.core.management.base import BaseCommand, CommandError

from kiosk_fleet.commands import send_reset
from kiosk_fleet.management.common import add_target_arguments, summary, target_from_options, warn_if_in_memory_layer
from kiosk_fleet.models import Kiosk


class Command(BaseCommand):
    help = "Send a reset to all kiosks, some kiosks or some groups, and print its id."

    def add_arguments(self, parser):
        add_target_arguments(parser)
        parser.add_argument("--reason", default="", help="Shown in the admin and sent to the kiosks.")
        parser.add_argument("--expires-in", type=float, metavar="SECONDS", help="Default: 600.")

    def handle(self, *args, **options):
        target = target_from_options(options)
        warn_if_in_memory_layer(self.stderr)
        try:
            reset = send_reset(target, reason=options["reason"], expires_in=options["expires_in"], origin="command line")
        except ValueError as exc:
            raise CommandError(str(exc))
        online = Kiosk.objects.filter(deliveries__command=reset).online().count()
        self.stdout.write(summary(reset, (reset.targeted, online)))
        self.stdout.write(reset.id)
