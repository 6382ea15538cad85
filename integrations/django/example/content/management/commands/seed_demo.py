from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from content.demo import create_demo_data, translate_demo_data
from content.models import Event, Office


class Command(BaseCommand):
    help = "Create the city hall demo events and offices (event dates relative to today)."

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="Delete ALL events and offices first.")

    def handle(self, replace, **options):
        with transaction.atomic():
            if replace:
                Event.objects.all().delete()
                Office.objects.all().delete()
            elif Event.objects.exists() or Office.objects.exists():
                raise CommandError("there are events or offices already; use --replace to delete them and re-seed")
            create_demo_data(Event, Office)
            translate_demo_data(Event, Office)
        self.stdout.write("Created %d events and %d offices." % (Event.objects.count(), Office.objects.count()))
