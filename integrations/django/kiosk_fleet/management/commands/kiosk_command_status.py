"""Print one command's state as one JSON object:

    {"id": ..., "command": ..., "expiresAt": ..., "kiosks": {"KIOSK_ID": {"status": S, "reason": R}}}
"""

import json

from django.core.management.base import BaseCommand, CommandError

from kiosk_fleet.commands import status_report
from kiosk_fleet.models import Command as FleetCommand


class Command(BaseCommand):
    help = "Print a command's status per kiosk as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("id", help="The command id (c-… or r-…), as kiosk_command printed it.")

    def handle(self, *args, **options):
        try:
            report = status_report(options["id"])
        except FleetCommand.DoesNotExist:
            raise CommandError("no such command: %s" % options["id"])
        self.stdout.write(json.dumps(report, ensure_ascii=False))
