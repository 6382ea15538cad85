"""Print the fleet as one JSON object:

    {"kiosks": {"KIOSK_ID": {"online": BOOL, "lastSeen": ISO, "version": V, "display": D}}}

``online`` is true exactly while the kiosk has a live connection to some worker.
"""

import json

from django.core.management.base import BaseCommand

from kiosk_fleet.presence import fleet_status


class Command(BaseCommand):
    help = "Print every kiosk's presence, last seen time, version and display state as one JSON object."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(fleet_status(), ensure_ascii=False))
