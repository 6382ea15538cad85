"""The kiosk API: plain JSON lists behind the kiosk token."""

from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kiosk_fleet.models import Kiosk

from .demo import EVENTS, OFFICES
from .models import Event, Office

EVENT_KEYS = {"id", "title", "starts_at", "ends_at", "location", "description"}
OFFICE_KEYS = {"id", "name", "floor", "room", "hours", "phone", "description"}


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
            "hours": "Mon–Fri 8–12", "phone": "+1 555 0110", "description": "",
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


class DemoDataTests(TestCase):
    def test_seed_demo(self):
        out = StringIO()
        call_command("seed_demo", "--replace", stdout=out)
        self.assertEqual((Event.objects.count(), Office.objects.count()), (len(EVENTS), len(OFFICES)))
        self.assertTrue(Event.objects.filter(starts_at__gte=timezone.now() + timedelta(days=1)).exists())
        with self.assertRaises(CommandError):
            call_command("seed_demo", stdout=out)  # refuses to add a second copy
        self.assertEqual(Office.objects.count(), len(OFFICES))
