"""Loads the city hall demo content into a fresh database (skipped if there is content)."""

from django.db import migrations


def load_demo(apps, schema_editor):
    from content.demo import create_demo_data

    Event = apps.get_model("content", "Event")
    Office = apps.get_model("content", "Office")
    if Event.objects.exists() or Office.objects.exists():
        return
    create_demo_data(Event, Office)


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(load_demo, migrations.RunPython.noop)]
