"""The kiosk API: plain JSON lists behind the kiosk token."""

from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kiosk_fleet.models import Kiosk

from .demo import EVENTS, OFFICES
from .hours import parse_hours
from .models import Event, Office

EVENT_KEYS = {"id", "title", "starts_at", "ends_at", "location", "description", "floor", "room", "url"}
OFFICE_KEYS = {"id", "name", "floor", "room", "hours", "opening_hours", "phone", "description", "services", "keywords", "url", "information_desk"}


# The plain list: the example's settings add the announcements (tested below).
@override_settings(KIOSK_CONTENT_ANNOUNCEMENTS=None)
class ApiTests(TestCase):
    def setUp(self):
        Event.objects.all().delete()
        Office.objects.all().delete()
        kiosk = Kiosk(kiosk_id="lobby-1")
        self.token = kiosk.issue_token()
        kiosk.save()
        now = timezone.now()
        self.upcoming = Event.objects.create(title="Council meeting", starts_at=now + timedelta(days=1), location="Chamber")
        self.ongoing = Event.objects.create(
            title="Exhibition", starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=5), location="Hall"
        )
        Event.objects.create(title="Past", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
        self.office = Office.objects.create(name="Registry Office", floor="1st floor", room="1.04", hours="Mon–Fri 8–12", phone="+1 555 0110")

    def get(self, url, token=None):
        extra = {"HTTP_AUTHORIZATION": "Token " + token} if token else {}
        return self.client.get(url, **extra)

    def test_events_with_token(self):
        response = self.get("/api/events/", self.token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        data = response.json()
        self.assertIsInstance(data, list)  # no pagination envelope
        self.assertEqual([event["title"] for event in data], ["Exhibition", "Council meeting"])  # not ended, by start
        for event in data:
            self.assertEqual(set(event), EVENT_KEYS)
            self.assertIsNotNone(parse_datetime(event["starts_at"]))
        self.assertIsNone(data[1]["ends_at"])
        self.assertEqual(parse_datetime(data[0]["ends_at"]), self.ongoing.ends_at)

    def test_offices_with_token(self):
        response = self.get("/api/offices/", self.token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), [{
            "id": self.office.pk, "name": "Registry Office", "floor": "1st floor", "room": "1.04",
            "hours": "Mon–Fri 8–12", "opening_hours": [{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "12:00"}],
            "phone": "+1 555 0110", "description": "",
            "services": [], "keywords": [], "url": None, "information_desk": False,
        }])

    def test_401_without_or_with_a_bad_token(self):
        for url in ("/api/events/", "/api/offices/"):
            for token in (None, "wrong-token"):
                response = self.get(url, token)
                self.assertEqual(response.status_code, 401, (url, token))
                self.assertEqual(response["WWW-Authenticate"], "Token")
                self.assertNotIn("Registry", response.content.decode())

    def test_revoked_kiosk_gets_401(self):
        Kiosk.objects.update(revoked=True)
        self.assertEqual(self.get("/api/events/", self.token).status_code, 401)

    def test_an_admin_session_is_not_a_kiosk(self):
        self.client.force_login(User.objects.create_superuser("admin", "a@example.org", password=None))
        self.assertEqual(self.get("/api/offices/").status_code, 401)


# The plain list: the example's settings add the announcements (tested below).
@override_settings(KIOSK_CONTENT_ANNOUNCEMENTS=None)
class TranslationTests(TestCase):
    """Each text per language, served in the language asked for, English where a translation is blank."""

    def setUp(self):
        Event.objects.all().delete()
        Office.objects.all().delete()
        kiosk = Kiosk(kiosk_id="lobby-1")
        self.token = kiosk.issue_token()
        kiosk.save()
        self.clerk = Office.objects.create(
            name="County Clerk", name_es="Secretario del Condado", name_zh_hant="縣書記官",
            floor="1", room="168", hours="Mon–Fri 8:00–16:00",
            description="Marriage licences.", description_es="Licencias de matrimonio.",
            services="Marriage licences\nNotary registration", services_es="Licencias de matrimonio\nRegistro de notarios",
            keywords="marriage, wedding", keywords_es="matrimonio, boda", url="https://cityhall.example.org/clerk",
        )
        self.event = Event.objects.create(
            title="Civil weddings", title_fil="Kasal sibil", starts_at=timezone.now() + timedelta(days=1),
            location="Mayor's Balcony", description="By appointment.",
        )

    def get(self, url):
        return self.client.get(url, HTTP_AUTHORIZATION="Token " + self.token)

    def office_in(self, lang):
        response = self.get("/api/offices/?lang=%s" % lang)
        self.assertEqual(response.status_code, 200)
        return response, response.json()[0]

    def test_the_language_asked_for_with_english_per_field(self):
        response, office = self.office_in("es")
        self.assertEqual(response["Content-Language"], "es")
        self.assertEqual(office["name"], "Secretario del Condado")
        self.assertEqual(office["description"], "Licencias de matrimonio.")
        self.assertEqual(office["hours"], "Mon–Fri 8:00–16:00")  # no Spanish hours: English
        self.assertEqual(office["services"], ["Licencias de matrimonio", "Registro de notarios"])
        self.assertEqual(office["keywords"], ["matrimonio", "boda"])
        _, office = self.office_in("zh-Hant")
        self.assertEqual(office["name"], "縣書記官")
        self.assertEqual(office["description"], "Marriage licences.")
        self.assertEqual(office["keywords"], ["marriage", "wedding"])
        _, office = self.office_in("fil")
        self.assertEqual(office["name"], "County Clerk")
        self.assertEqual(office["url"], "https://cityhall.example.org/clerk")

    def test_language_tags_in_any_case_and_with_a_region_and_unknown_ones_as_english(self):
        for lang, name in (("ES", "Secretario del Condado"), ("es-US", "Secretario del Condado"), ("zh-hant", "縣書記官"),
                           ("zh-TW", "縣書記官"), ("xx", "County Clerk"), ("", "County Clerk")):
            response, office = self.office_in(lang)
            self.assertEqual(office["name"], name, lang)
        self.assertEqual(self.get("/api/offices/")["Content-Language"], "en")

    def test_events_are_translated_too(self):
        response = self.get("/api/events/?lang=fil")
        event = response.json()[0]
        self.assertEqual(event["title"], "Kasal sibil")
        self.assertEqual(event["location"], "Mayor's Balcony")
        self.assertEqual(set(event), EVENT_KEYS)

    def test_a_blank_translation_of_spaces_is_english(self):
        Office.objects.filter(pk=self.clerk.pk).update(name_es="   ")
        _, office = self.office_in("es")
        self.assertEqual(office["name"], "County Clerk")

    def test_the_admin_edits_every_language_side_by_side(self):
        self.client.force_login(User.objects.create_superuser("admin", "a@example.org", password=None))
        page = self.client.get("/admin/content/office/%d/change/" % self.clerk.pk).content.decode()
        for field in ("name", "name_es", "name_zh_hant", "name_fil", "keywords_es", "services_fil"):
            self.assertIn('name="%s"' % field, page)
        self.assertIn("縣書記官", page)
        # One row per field, its languages beside each other.
        self.assertIn("field-name_es", page)
        response = self.client.post("/admin/content/office/%d/change/" % self.clerk.pk, {
            "floor": "1", "room": "168", "phone": "", "url": "", "name": "County Clerk", "name_es": "Secretaría",
            "name_zh_hant": "", "name_fil": "Klerk", "hours": "", "hours_es": "", "hours_zh_hant": "", "hours_fil": "",
            "description": "", "description_es": "", "description_zh_hant": "", "description_fil": "",
            "services": "", "services_es": "", "services_zh_hant": "", "services_fil": "",
            "keywords": "", "keywords_es": "", "keywords_zh_hant": "", "keywords_fil": "",
        })
        self.assertEqual(response.status_code, 302)
        self.clerk.refresh_from_db()
        self.assertEqual((self.clerk.name_es, self.clerk.name_fil), ("Secretaría", "Klerk"))

    def test_the_demo_content_is_translated(self):
        call_command("seed_demo", "--replace", stdout=StringIO())
        registry = Office.objects.get(name="Registry Office")
        self.assertEqual(registry.name_es, "Registro Civil")
        self.assertIn("matrimonio", registry.keywords_es)
        self.assertTrue(Office.objects.get(name="Citizens' Service Centre").is_information_desk)
        self.assertEqual(Event.objects.get(title="Citizenship ceremony").title_zh_hant, "入籍儀式")


def demo_announcements(request):
    return [{"id": "a-1", "level": "urgent", "text": {"en": "Fire drill for %s" % request.auth.kiosk_id}, "startsAt": None, "endsAt": None}]


class AnnouncementsAlongWithEventsTests(TestCase):
    def setUp(self):
        kiosk = Kiosk(kiosk_id="lobby-1")
        self.token = kiosk.issue_token()
        kiosk.save()

    def get(self):
        return self.client.get("/api/events/?lang=es", HTTP_AUTHORIZATION="Token " + self.token)

    @override_settings(KIOSK_CONTENT_ANNOUNCEMENTS=None)
    def test_plain_list_without_a_provider(self):
        self.assertIsInstance(self.get().json(), list)

    @override_settings(KIOSK_CONTENT_ANNOUNCEMENTS="content.tests.demo_announcements")
    def test_events_and_the_kiosk_s_announcements_with_one(self):
        data = self.get().json()
        self.assertIsInstance(data["events"], list)
        self.assertEqual(data["announcements"][0]["text"]["en"], "Fire drill for lobby-1")


class OpeningHoursTests(SimpleTestCase):
    """Hours typed as text become data the kiosk writes per language ("8:00 AM – 4:00 PM", "上午8:00至下午4:00")."""

    def test_the_common_written_forms(self):
        self.assertEqual(parse_hours("Mon–Fri 8:00–18:00, Sat 9:00–12:00"), [
            {"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "18:00"},
            {"days": [6], "opens": "09:00", "closes": "12:00"},
        ])
        self.assertEqual(parse_hours("Mon, Wed, Fri 8:30–12:30"), [{"days": [1, 3, 5], "opens": "08:30", "closes": "12:30"}])
        self.assertEqual(parse_hours("Tue and Thu 9:00–12:00"), [{"days": [2, 4], "opens": "09:00", "closes": "12:00"}])
        self.assertEqual(parse_hours("Mon–Fri 8:00–12:00, Thu also 14:00–18:00")[1], {"days": [4], "opens": "14:00", "closes": "18:00"})
        self.assertEqual(parse_hours("Mon-Fri 9am - 5pm"), [{"days": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:00"}])
        self.assertEqual(parse_hours("Mon–Fri 9–5pm"), [{"days": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:00"}])

    def test_anything_else_stays_text(self):
        for text in ("By appointment", "", None, "Mon–Fri", "8:00–16:00", "Mon 25:00–26:00", "Fri–Mon 8:00–16:00", "Mon 16:00–8:00", "x" * 300):
            self.assertIsNone(parse_hours(text), text)

    def test_every_demo_office_s_hours_read_or_stay_text_on_purpose(self):
        for name, floor, room, hours, phone, description in OFFICES:
            self.assertEqual(parse_hours(hours) is None, hours == "By appointment", hours)


class DemoDataTests(TestCase):
    def test_seed_demo(self):
        out = StringIO()
        call_command("seed_demo", "--replace", stdout=out)
        self.assertEqual((Event.objects.count(), Office.objects.count()), (len(EVENTS), len(OFFICES)))
        self.assertTrue(Event.objects.filter(starts_at__gte=timezone.now() + timedelta(days=1)).exists())
        with self.assertRaises(CommandError):
            call_command("seed_demo", stdout=out)  # refuses to add a second copy
        self.assertEqual(Office.objects.count(), len(OFFICES))
