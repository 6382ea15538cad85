"""Display state and schedule as the kiosk reports them, and a display off on purpose is
never counted as a failure."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from kiosk_fleet import health, protocol
from kiosk_fleet.commands import mark_sent, record_ack, send_command
from kiosk_fleet.models import Connection, Delivery, Kiosk, Worker
from kiosk_fleet.presence import fleet_status
from kiosk_fleet.wire import iso_z

from .helpers import FleetTransactionTestCase, create_kiosk, db, eventually

CHANGELIST = "admin:kiosk_fleet_kiosk_changelist"


def schedule_in(hours_off=None, hours_on=None, hours_restart=None, zone="America/Los_Angeles"):
    now = timezone.now()
    at = lambda hours: iso_z(now + timedelta(hours=hours)) if hours is not None else None  # noqa: E731
    return {"timezone": zone, "nextDisplayOff": at(hours_off), "nextDisplayOn": at(hours_on), "nextRestart": at(hours_restart)}


def online(*kiosks):
    worker = Worker.objects.get_or_create(id="test-worker")[0]
    for kiosk in kiosks:
        Connection.objects.create(id="conn-%s" % kiosk.pk, worker=worker, kiosk=kiosk, channel_name="x")


class ScheduleParsingTests(TestCase):
    def test_the_summary_is_kept_checked(self):
        fields = protocol.parse_status({"type": "kiosk.status", "display": "off-scheduled", "schedule": {
            "timezone": "America/Los_Angeles", "nextDisplayOff": None, "nextDisplayOn": "2026-12-03T15:00:00.000Z",
            "nextRestart": "2026-12-03T11:30:00Z", "extra": "ignored",
        }}).fields
        self.assertEqual(fields["display"], "off-scheduled")
        self.assertEqual(fields["schedule"], {
            "timezone": "America/Los_Angeles", "nextDisplayOff": None,
            "nextDisplayOn": "2026-12-03T15:00:00.000Z", "nextRestart": "2026-12-03T11:30:00.000Z",
        })

    def test_bad_values_are_dropped_not_stored(self):
        self.assertNotIn("schedule", protocol.parse_status({"type": "kiosk.status", "schedule": "mon-fri"}).fields)
        schedule = protocol.parse_status({"type": "kiosk.status", "schedule": {
            "timezone": 5, "nextDisplayOff": "<b>soon</b>", "nextDisplayOn": 12, "nextRestart": "x" * 100,
        }}).fields["schedule"]
        self.assertEqual(schedule, {"timezone": None, "nextDisplayOff": None, "nextDisplayOn": None, "nextRestart": None})


class StatusReachesTheAdminTests(FleetTransactionTestCase):
    async def test_the_reported_display_and_schedule_are_stored(self):
        client = await self.connect("lobby-1", "lobby")
        schedule = schedule_in(hours_on=9, hours_off=33, hours_restart=5)
        await client.send_json({"type": "kiosk.status", "kiosk": "lobby-1", "display": "off-scheduled", "schedule": schedule, "renderer": "alive"})
        await client.close()  # the held-back status is written on disconnect
        kiosk = await eventually(lambda: Kiosk.objects.filter(kiosk_id="lobby-1", display_state="off-scheduled").first())
        self.assertEqual(kiosk.schedule, schedule)


class OffOnPurposeIsNotAFailureTests(TestCase):
    def setUp(self):
        self.client.force_login(User.objects.create_superuser("admin", "admin@example.org", password=None))
        self.dark, _ = create_kiosk("dark-1", "lobby")
        self.commanded, _ = create_kiosk("commanded-1", "lobby")
        self.crashed, _ = create_kiosk("crashed-1", "lobby")
        self.fine, _ = create_kiosk("fine-1", "lobby")
        self.gone, _ = create_kiosk("gone-1", "lobby")
        # While dark, the page may be covered and report no live renderer: still not a failure.
        Kiosk.objects.filter(pk=self.dark.pk).update(display_state="off-scheduled", renderer_state="none", schedule=schedule_in(hours_on=9, hours_off=33))
        Kiosk.objects.filter(pk=self.commanded.pk).update(display_state="off-commanded", renderer_state="unresponsive")
        Kiosk.objects.filter(pk=self.crashed.pk).update(display_state="on", renderer_state="crashed")
        Kiosk.objects.filter(pk=self.fine.pk).update(display_state="on", renderer_state="alive", schedule=schedule_in(hours_off=3, hours_on=15))
        online(self.dark, self.commanded, self.crashed, self.fine)

    def test_the_attention_filter_counts_only_real_problems(self):
        flagged = set(Kiosk.objects.with_online().filter(health.attention_q()).values_list("kiosk_id", flat=True))
        self.assertEqual(flagged, {"crashed-1", "gone-1"})
        # The list's column says the same, kiosk by kiosk.
        for kiosk in Kiosk.objects.with_online():
            self.assertEqual(health.needs_attention(kiosk, kiosk.online), kiosk.kiosk_id in flagged, kiosk.kiosk_id)
        page = self.client.get(reverse(CHANGELIST) + "?attention=yes")
        self.assertContains(page, "crashed-1")
        self.assertContains(page, "gone-1")
        self.assertNotContains(page, "dark-1")
        self.assertNotContains(page, "commanded-1")
        self.assertContains(self.client.get(reverse(CHANGELIST) + "?attention=no"), "dark-1")

    def test_the_list_and_the_page_show_the_display_and_the_schedule(self):
        page = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertIn("off (scheduled), on at", page)
        self.assertIn("off (commanded)", page)
        self.assertIn("on, off at", page)
        detail = self.client.get(reverse("admin:kiosk_fleet_kiosk_change", args=[self.dark.pk])).content.decode()
        self.assertIn("off (scheduled), on at", detail)
        self.assertIn("America/Los_Angeles", detail)
        self.assertIn("Next display off", detail)
        self.assertIn("(in 1\xa0day, 8\xa0hours)", detail)  # the next off, 33 hours away less a moment

    def test_the_fleet_status_says_online_and_off(self):
        kiosks = fleet_status()["kiosks"]
        self.assertEqual((kiosks["dark-1"]["online"], kiosks["dark-1"]["display"]), (True, "off-scheduled"))

    def test_commands_answered_while_dark_are_successes(self):
        shot = send_command("screenshot", {"kiosks": ["dark-1"]})
        mark_sent(list(Delivery.objects.filter(command=shot).values_list("pk", flat=True)))
        record_ack(self.dark.pk, protocol.Ack(kiosk=None, command_id=shot.id, status="done", ms=40, command="screenshot"))
        self.assertEqual(Delivery.objects.get(command=shot).state, Delivery.DONE)
        page = self.client.get(reverse("admin:kiosk_fleet_command_change", args=[shot.pk])).content.decode()
        self.assertIn("1 of 1 done", page)
