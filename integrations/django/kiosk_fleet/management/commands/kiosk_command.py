"""Send a command from the command line; prints its id alone on the last line.

    manage.py kiosk_command COMMAND (--all | --kiosk ID | --group NAME)
        [--when idle] [--expires-in SECONDS] [--arg KEY=VALUE ...]
"""

from django.core.management.base import BaseCommand, CommandError

from kiosk_fleet.commands import COMMAND_NAMES, send_command
from kiosk_fleet.management.common import add_target_arguments, summary, target_from_options, warn_if_in_memory_layer
from kiosk_fleet.models import Kiosk


class Command(BaseCommand):
    help = (
        "Send a command (reset, home, clear-session, restart, screenshot, display) to all kiosks, "
        "some kiosks or some groups, and print its id."
    )

    def add_arguments(self, parser):
        parser.add_argument("command", choices=COMMAND_NAMES, help="What the kiosks do.")
        add_target_arguments(parser)
        parser.add_argument("--when", choices=("now", "idle"), default="now",
                            help="idle: once nobody has touched the kiosk for its idle time.")
        parser.add_argument("--expires-in", type=float, metavar="SECONDS",
                            help="Not run after this (default: 600 for a reset, 900 for other commands).")
        parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                            help="An argument: maxWidth=640 (screenshot), power=off|on (display).")
        parser.add_argument("--reason", default="", help="Recorded with the command (and sent with a reset).")

    def handle(self, *args, **options):
        command_args = {}
        for item in options["arg"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError("--arg takes KEY=VALUE, not %r" % item)
            command_args[key] = value
        target = target_from_options(options)
        warn_if_in_memory_layer(self.stderr)
        try:
            command = send_command(
                options["command"], target, args=command_args, when=options["when"],
                expires_in=options["expires_in"], reason=options["reason"], origin="command line",
            )
        except ValueError as exc:
            raise CommandError(str(exc))
        online = Kiosk.objects.filter(deliveries__command=command).online().count()
        self.stdout.write(summary(command, (command.targeted, online)))
        self.stdout.write(command.id)
