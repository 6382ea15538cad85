"""Translations: the admin in Spanish, and a Spanish catalogue that is complete and compiled."""

import gettext
import os
import subprocess
import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from .helpers import create_kiosk

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


class SpanishAdminTests(TestCase):
    def setUp(self):
        create_kiosk("lobby-1")
        self.client.force_login(User.objects.create_superuser("admin", "admin@example.org", password=None))

    def test_the_kiosk_list_in_spanish_shows_spanish_labels(self):
        with override_settings(LANGUAGE_CODE="es"):
            html = self.client.get(reverse("admin:kiosk_fleet_kiosk_changelist")).content.decode()
        self.assertIn("Reiniciar todos los quioscos", html)
        self.assertIn("Flota de quioscos", html)  # the app's name, in the breadcrumbs
        self.assertIn("0 de 1 en línea", html)
        self.assertNotIn("Reset all kiosks", html)

    def test_the_confirmation_page_in_spanish_counts_in_spanish(self):
        with override_settings(LANGUAGE_CODE="es"):
            page = self.client.post(reverse("admin:kiosk_fleet_kiosk_reset_all"), {"reason": ""}).content.decode()
        self.assertIn("Esto envía", page)
        self.assertIn("1 quiosco</strong>", page)

    def test_english_stays_the_default(self):
        html = self.client.get(reverse("admin:kiosk_fleet_kiosk_changelist")).content.decode()
        self.assertIn("Reset all kiosks", html)


class CatalogueTests(TestCase):
    def test_every_message_is_translated_and_none_is_fuzzy(self):
        text = PO.read_text(encoding="utf-8")
        self.assertNotIn("#, fuzzy", text)
        with MO.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        msgids = {key if isinstance(key, str) else key[0] for key in catalogue if key}
        self.assertGreater(len(msgids), 30)
        for key, value in catalogue.items():
            if key:
                self.assertTrue(value, "untranslated: %r" % (key,))

    def test_the_committed_mo_is_what_msgfmt_makes_of_the_po(self):
        """Edit the .po, then run msgfmt: the .mo ships in the package (see the README)."""
        with tempfile.TemporaryDirectory() as tmp:
            fresh = os.path.join(tmp, "django.mo")
            subprocess.run(["msgfmt", "--check", "-o", fresh, str(PO)], check=True, capture_output=True)
            with open(fresh, "rb") as a, MO.open("rb") as b:
                self.assertEqual(gettext.GNUTranslations(a)._catalog, gettext.GNUTranslations(b)._catalog)

    def test_the_app_name_is_lazy(self):
        from django.apps import apps

        config = apps.get_app_config("kiosk_fleet")
        with translation.override("es"):
            self.assertEqual(str(config.verbose_name), "Flota de quioscos")
        with translation.override("en"):
            self.assertEqual(str(config.verbose_name), "Kiosk fleet")
