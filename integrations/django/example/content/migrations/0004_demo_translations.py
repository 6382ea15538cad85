"""Translates the demo events and offices that are still as the demo made them."""

from django.db import migrations


def translate(apps, schema_editor):
    from content.demo import translate_demo_data

    translate_demo_data(apps.get_model("content", "Event"), apps.get_model("content", "Office"))


class Migration(migrations.Migration):
    dependencies = [("content", "0003_translations")]

    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
