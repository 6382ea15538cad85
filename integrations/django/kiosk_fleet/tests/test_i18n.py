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

from kiosk_fleet.commands import send_command
from kiosk_fleet.models import Kiosk
from kiosk_fleet.targets import Target

from .helpers import IN_MEMORY_LAYER, create_kiosk

APP = Path(__file__).resolve().parent.parent
LOCALE = APP / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
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

    def spanish(self, method, url, data=None):
        with override_settings(LANGUAGE_CODE="es"):
            response = getattr(self.client, method)(url, data or {})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_kiosk_list_shows_spanish_model_names_columns_filters_and_actions(self):
        html = self.spanish("get", reverse("admin:kiosk_fleet_kiosk_changelist"))
        self.assertIn("Quioscos", html)  # the model's name, in the breadcrumbs
        for header in ("Id del quiosco", "En línea", "Requiere atención", "Pantalla", "Última conexión", "Revocado"):
            self.assertIn(header, html)
        for action in ("Reiniciar los quioscos seleccionados", "Apagar la pantalla", "Renovar el token (el anterior deja de funcionar)"):
            self.assertIn(action, html)
        self.assertIn("sin conexión", html)  # a filter's choice
        self.assertNotIn("Reset selected kiosks", html)
        self.assertNotIn("needs attention", html)

    def test_the_admin_index_names_the_models_in_spanish(self):
        html = self.spanish("get", reverse("admin:app_list", args=["kiosk_fleet"]))
        for name in ("Quioscos", "Órdenes", "Avisos"):
            self.assertIn(name, html)

    def test_a_command_confirmation_counts_with_a_spanish_plural(self):
        create_kiosk("lobby-2")
        pks = list(Kiosk.objects.values_list("pk", flat=True))
        page = self.spanish("post", reverse("admin:kiosk_fleet_kiosk_changelist"), {"action": "reset_selected", "_selected_action": pks})
        self.assertIn("¿Reiniciar 2 quioscos?", page)
        self.assertIn('value="Sí, reiniciar 2 quioscos"', page)
        self.assertIn("2 quioscos</strong> (los quioscos seleccionados)", page)
        page = self.spanish("post", reverse("admin:kiosk_fleet_kiosk_changelist"), {"action": "display_off_selected", "_selected_action": pks[:1]})
        self.assertIn("¿Enviar «pantalla» a 1 quiosco?", page)
        self.assertIn("la orden <strong>pantalla apagada</strong>", page)

    def test_a_command_page_in_spanish(self):
        create_kiosk("lobby-2")
        command = send_command("reset", Target.parse("all"), origin="admin")
        page = self.spanish("get", reverse("admin:kiosk_fleet_command_change", args=[command.pk]))
        self.assertIn("0 de 2 han recargado", page)
        self.assertIn("Destino: <strong>todos los quioscos</strong>", page)
        for label in ("pendiente", "recargado", "caducado", "Quioscos", "motivo", "actualizado"):
            self.assertIn(label, page)
        self.assertIn("desde: administración", page)
        for english in (">reloaded<", ">pending<", "of 2 reloaded", "Target:", "every kiosk"):
            self.assertNotIn(english, page)
        poll = self.client.get(reverse("admin:kiosk_fleet_command_progress", args=[command.pk]), HTTP_ACCEPT_LANGUAGE="es")
        self.assertEqual(poll.json()["summary"], "0 of 2 reloaded")  # the site's language, English here

    def test_a_kiosk_page_in_spanish(self):
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        send_command("home", Target.parse({"kiosks": ["lobby-1"]}), origin="admin")
        page = self.spanish("get", reverse("admin:kiosk_fleet_kiosk_change", args=[kiosk.pk]))
        for text in ("Flota", "Órdenes recientes", "volver al inicio", "pendiente", "Reiniciar este quiosco", "Informado por el quiosco"):
            self.assertIn(text, page)
        self.assertNotIn("Recent commands", page)

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

    def test_msgfmt_counts_no_untranslated_or_fuzzy_message(self):
        """The .mo leaves out what is untranslated, so ask msgfmt about the .po itself."""
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO)],
            check=True, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        )
        self.assertRegex(result.stderr.strip(), r"\A\d+ translated messages?\.\Z")

    def test_the_catalogue_covers_every_translatable_string(self):
        """makemessages would add nothing: every string marked in the app is in the .po."""
        with tempfile.TemporaryDirectory() as tmp:
            pot = os.path.join(tmp, "kiosk_fleet.pot")
            sources = sorted(
                str(path.relative_to(APP)) for path in APP.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts
            )
            subprocess.run(
                ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=gettext_lazy", "--keyword=ngettext:1,2",
                 "--keyword=pgettext_lazy:1c,2", "--keyword=_", "--keyword=gettext", "-o", pot, *sources],
                check=True, capture_output=True, cwd=APP,
            )
            with open(pot, encoding="utf-8") as handle:
                marked = {key for key in _msgids(handle.read()) if key[1]}
        self.assertGreater(len(marked), 150)
        with PO.open(encoding="utf-8") as handle:
            known = set(_msgids(handle.read()))
        self.assertEqual(marked - known, set())

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


def _msgids(text):
    """(context, msgid) of each entry of a .po or .pot, continuation lines joined."""
    import ast
    import re

    entries = []
    for block in text.split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if "msgid" in fields:
            entries.append((fields.get("msgctxt"), fields["msgid"]))
    return entries
