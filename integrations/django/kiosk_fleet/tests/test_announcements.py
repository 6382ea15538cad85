"""Announcements: the translated texts, the schedule, permissions and the admin's record,
the frames that reach (only) the targeted kiosks, and the content API's list."""

import asyncio
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from kiosk_fleet.announcements import for_request
from kiosk_fleet.models import Announcement, Kiosk
from kiosk_fleet.wire import parse_iso

from .helpers import FleetTransactionTestCase, KioskClient, create_kiosk, db

CHANGELIST = "admin:kiosk_fleet_announcement_changelist"
ADD = "admin:kiosk_fleet_announcement_add"
PROVIDER = "kiosk_fleet.announcements.for_request"


def staff_user(username, *perms):
    user = User.objects.create_user(username, is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def announce(text="Main entrance closed", **fields):
    announcement = Announcement(text_en=text, **fields)
    announcement.full_clean()
    announcement.save()
    return announcement


def withdraw(announcement):
    announcement.withdrawn_at = timezone.now()
    announcement.save()
    return announcement


def add_form(**fields):
    data = {
        "text_en": "Fire drill at 11:00", "text_es": "", "text_zh_hant": "", "text_fil": "",
        "level": "urgent", "target_kind": "groups", "target_names": "lobby",
        "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "",
    }
    data.update(fields)
    return data


class ModelTests(TestCase):
    def test_english_is_required_and_the_translations_are_optional(self):
        with self.assertRaises(ValidationError) as raised:
            Announcement(text_en="  ", text_es="Entrada cerrada").full_clean()
        self.assertIn("text_en", raised.exception.message_dict)
        announcement = announce("Entrance  closed\n today", text_es="Entrada cerrada", text_zh_hant="入口關閉")
        # Plain single-paragraph text; only the languages that have one are sent.
        self.assertEqual(announcement.texts(), {"en": "Entrance closed today", "es": "Entrada cerrada", "zh-Hant": "入口關閉"})

    def test_the_end_must_come_after_the_start(self):
        now = timezone.now()
        for starts, ends in ((now + timedelta(hours=2), now + timedelta(hours=1)), (now + timedelta(hours=1), now + timedelta(hours=1))):
            with self.assertRaises(ValidationError) as raised:
                Announcement(text_en="x", starts_at=starts, ends_at=ends).full_clean()
            self.assertIn("ends_at", raised.exception.message_dict)
        with self.assertRaises(ValidationError) as raised:
            Announcement(text_en="x", ends_at=now - timedelta(minutes=1)).full_clean()
        self.assertIn("ends_at", raised.exception.message_dict)
        announce(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))

    def test_targets_are_checked_and_normalised(self):
        for kind, names in (("groups", ""), ("groups", "lobby, bad name!"), ("kiosks", " , ")):
            with self.assertRaises(ValidationError) as raised:
                Announcement(text_en="x", target_kind=kind, target_names=names).full_clean()
            self.assertIn("target_names", raised.exception.message_dict)
        self.assertEqual(announce(target_kind="groups", target_names="lobby floor-2, lobby").target_names, "floor-2,lobby")
        self.assertEqual(announce(target_kind="all", target_names="lobby").target_names, "")

    def test_states_follow_the_schedule(self):
        now = timezone.now()
        announcement = announce(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
        self.assertEqual(announcement.state(now), "scheduled")
        self.assertEqual(announcement.state(now + timedelta(hours=1)), "showing")
        self.assertEqual(announcement.state(now + timedelta(hours=2)), "ended")
        self.assertEqual(announce().state(now + timedelta(days=3650)), "showing")  # no end: until withdrawn
        self.assertEqual(withdraw(announcement).state(now), "withdrawn")
        # Current: what a kiosk holds, scheduled ones included (it shows them at their start).
        current = Announcement.objects.current(now)
        self.assertEqual(list(Announcement.objects.current(now + timedelta(hours=1, minutes=30))), list(current))
        self.assertEqual(current.count(), 1)


class ProviderTests(TestCase):
    """What the content API lists for the asking kiosk: its whole current set, and nothing else."""

    def setUp(self):
        _, self.lobby_token = create_kiosk("lobby-1", "lobby")
        _, self.floor_token = create_kiosk("floor2-1", "floor-2")

    def events(self, token):
        return self.client.get("/api/events/", HTTP_AUTHORIZATION="Token " + token)

    @override_settings(KIOSK_CONTENT_ANNOUNCEMENTS=PROVIDER)
    def test_each_kiosk_gets_what_targets_it_now_and_later(self):
        now = timezone.now()
        everyone = announce("Welcome", text_fil="Maligayang pagdating")
        urgent = announce("Lobby closed", level="urgent", target_kind="groups", target_names="lobby", ends_at=now + timedelta(hours=1))
        later = announce("Lobby drill at 3", target_kind="groups", target_names="lobby", starts_at=now + timedelta(hours=2))
        announce("Floor 2 only", target_kind="groups", target_names="floor-2")
        announce("For one kiosk", target_kind="kiosks", target_names="floor2-1")
        withdraw(announce("Withdrawn", target_kind="groups", target_names="lobby"))
        ended = announce("Ended", ends_at=now + timedelta(hours=1))
        Announcement.objects.filter(pk=ended.pk).update(ends_at=now - timedelta(seconds=1))

        data = self.events(self.lobby_token).json()
        self.assertIsInstance(data["events"], list)
        items = {item["id"]: item for item in data["announcements"]}
        self.assertEqual(set(items), {everyone.wire_id, urgent.wire_id, later.wire_id})
        self.assertEqual(items[everyone.wire_id], {
            "id": everyone.wire_id, "level": "info", "text": {"en": "Welcome", "fil": "Maligayang pagdating"},
            "startsAt": None, "endsAt": None,
        })
        self.assertEqual(items[urgent.wire_id]["level"], "urgent")
        self.assertEqual(parse_iso(items[urgent.wire_id]["endsAt"]), urgent.ends_at.replace(microsecond=urgent.ends_at.microsecond // 1000 * 1000))
        self.assertIsNotNone(items[later.wire_id]["startsAt"])  # the kiosk shows it from then
        floor = {item["text"]["en"] for item in self.events(self.floor_token).json()["announcements"]}
        self.assertEqual(floor, {"Welcome", "Floor 2 only", "For one kiosk"})

    @override_settings(KIOSK_CONTENT_ANNOUNCEMENTS=PROVIDER)
    def test_no_kiosk_token_no_list(self):
        announce()
        self.assertEqual(self.client.get("/api/events/").status_code, 401)
        Kiosk.objects.filter(kiosk_id="lobby-1").update(revoked=True)
        self.assertEqual(self.events(self.lobby_token).status_code, 401)

        class Request:
            auth = None

        self.assertEqual(for_request(Request()), [])  # a caller that is not a kiosk


class AdminTests(TestCase):
    def setUp(self):
        self.publisher = staff_user("publisher", "publish_announcement")
        self.viewer = staff_user("viewer", "view_announcement")

    def test_view_only_staff_see_the_list_but_cannot_publish_edit_or_withdraw(self):
        announcement = announce(target_kind="groups", target_names="lobby")
        self.client.force_login(self.viewer)
        page = self.client.get(reverse(CHANGELIST))
        self.assertContains(page, "Main entrance closed")
        self.assertContains(page, "showing")
        self.assertNotContains(page, "withdraw_selected")
        self.assertEqual(self.client.get(reverse(ADD)).status_code, 403)
        self.assertEqual(self.client.post(reverse(ADD), add_form()).status_code, 403)
        change = reverse("admin:kiosk_fleet_announcement_change", args=[announcement.pk])
        self.assertNotContains(self.client.get(change), 'name="text_en"')  # read-only
        self.client.post(change, add_form(text_en="Changed"))
        self.client.post(reverse(CHANGELIST), {"action": "withdraw_selected", "_selected_action": [announcement.pk], "confirm": "yes"})
        announcement.refresh_from_db()
        self.assertEqual((announcement.text_en, announcement.withdrawn), ("Main entrance closed", False))
        self.assertEqual(Announcement.objects.count(), 1)
        self.assertFalse(LogEntry.objects.exists())

    def test_staff_without_any_announcement_permission_see_nothing(self):
        self.client.force_login(staff_user("kiosk-operator", "view_kiosk", "send_reset"))
        self.assertEqual(self.client.get(reverse(CHANGELIST)).status_code, 403)

    def test_publishing_records_who_and_logs_it(self):
        self.client.force_login(self.publisher)
        form = self.client.get(reverse(ADD))
        self.assertContains(form, "Text (Español)")
        self.assertContains(form, 'lang="zh-Hant"')
        response = self.client.post(reverse(ADD), add_form(text_es="Simulacro de incendio"))
        self.assertEqual(response.status_code, 302, getattr(response, "context_data", {}).get("errors"))
        announcement = Announcement.objects.get()
        self.assertEqual((announcement.level, announcement.target_names, announcement.created_by_username), ("urgent", "lobby", "publisher"))
        entry = LogEntry.objects.get()
        self.assertEqual((entry.user, entry.object_id), (self.publisher, str(announcement.pk)))
        self.assertIn("Published a urgent announcement for groups: lobby", entry.get_change_message())

    def test_the_form_refuses_an_end_before_the_start(self):
        self.client.force_login(self.publisher)
        response = self.client.post(reverse(ADD), add_form(
            starts_at_0="2030-01-02", starts_at_1="10:00", ends_at_0="2030-01-02", ends_at_1="09:00",
        ))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The end must be after the start.")
        self.assertFalse(Announcement.objects.exists())

    def test_withdraw_asks_first_then_withdraws_and_logs(self):
        first, second = announce("First"), announce("Second")
        self.client.force_login(self.publisher)
        data = {"action": "withdraw_selected", "_selected_action": [first.pk, second.pk], "index": "0"}
        page = self.client.post(reverse(CHANGELIST), data)
        self.assertContains(page, "Yes, withdraw 2 announcements")
        self.assertFalse(Announcement.objects.filter(withdrawn_at__isnull=False).exists())  # nothing yet

        response = self.client.post(reverse(CHANGELIST), {"action": "withdraw_selected", "_selected_action": [first.pk, second.pk], "confirm": "yes"})
        self.assertEqual(response.status_code, 302)
        for announcement in (first, second):
            announcement.refresh_from_db()
            self.assertEqual((announcement.state(), announcement.withdrawn_by_username), ("withdrawn", "publisher"))
        self.assertEqual(LogEntry.objects.filter(action_flag=CHANGE, change_message="Withdrawn.").count(), 2)
        self.assertContains(self.client.get(reverse(CHANGELIST) + "?state=withdrawn"), "First")
        # A withdrawn announcement is a record: it cannot be edited back.
        change = reverse("admin:kiosk_fleet_announcement_change", args=[first.pk])
        self.assertNotContains(self.client.get(change), 'name="text_en"')

    def test_the_state_filter(self):
        now = timezone.now()
        announce("Later", starts_at=now + timedelta(hours=1))
        announce("Now")
        self.client.force_login(self.publisher)
        scheduled = self.client.get(reverse(CHANGELIST) + "?state=scheduled")
        self.assertContains(scheduled, "Later")
        self.assertNotContains(scheduled, "a-2: Now")
        self.assertContains(self.client.get(reverse(CHANGELIST) + "?state=showing"), "Now")
        self.assertNotContains(self.client.get(reverse(CHANGELIST) + "?state=showing"), "Later")

    def test_nobody_deletes_announcements(self):
        announcement = announce()
        self.client.force_login(User.objects.create_superuser("root", "root@example.org", password=None))
        delete = reverse("admin:kiosk_fleet_announcement_delete", args=[announcement.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(Announcement.objects.exists())


class DeliveryTests(FleetTransactionTestCase):
    """Frames over the live connections: only the targeted kiosks, on save, on hello, on withdrawal."""

    async def test_frames_reach_only_the_targeted_kiosks_and_withdrawal_follows(self):
        lobby = await self.connect("lobby-1", "lobby")
        floor = await self.connect("floor2-1", "floor-2")
        announcement = await db(announce)("Fire drill", level="urgent", target_kind="groups", target_names="lobby", text_es="Simulacro")
        frame = await lobby.receive_json()
        self.assertEqual(frame, {
            "type": "announcement", "id": announcement.wire_id, "level": "urgent",
            "text": {"en": "Fire drill", "es": "Simulacro"}, "startsAt": None, "endsAt": None,
        })
        self.assertTrue(await floor.receives_nothing())

        await db(withdraw)(announcement)
        self.assertEqual(await lobby.receive_json(), {"type": "announcement.withdrawn", "id": announcement.wire_id})
        self.assertTrue(await floor.receives_nothing())
        for client in (lobby, floor):
            await client.close()

    async def test_an_edit_resends_and_a_retarget_withdraws_from_the_kiosks_no_longer_targeted(self):
        lobby = await self.connect("lobby-1", "lobby")
        floor = await self.connect("floor2-1", "floor-2")
        announcement = await db(announce)("Lift out of order", target_kind="groups", target_names="lobby")
        await lobby.receive_json()

        def retarget():
            announcement.text_en = "Lift out of order until noon"
            announcement.target_names = "floor-2"
            announcement.save()

        await db(retarget)()
        self.assertEqual(await lobby.receive_json(), {"type": "announcement.withdrawn", "id": announcement.wire_id})
        self.assertEqual((await floor.receive_json())["text"], {"en": "Lift out of order until noon"})
        # An unrelated save (another announcement) sends nothing again to who has it already.
        await db(announce)("Floor 1 only", target_kind="groups", target_names="floor-1")
        self.assertTrue(await floor.receives_nothing())
        self.assertTrue(await lobby.receives_nothing())
        for client in (lobby, floor):
            await client.close()

    async def test_a_kiosk_that_connects_later_gets_the_current_set_on_hello(self):
        now = timezone.now()
        showing = await db(announce)("Showing", target_kind="groups", target_names="lobby")
        later = await db(announce)("Later", starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
        gone = await db(withdraw)(await db(announce)("Gone", target_kind="groups", target_names="lobby"))
        await db(announce)("Elsewhere", target_kind="groups", target_names="floor-2")

        _, token = await db(create_kiosk)("lobby-1", "lobby")
        client = KioskClient(token=token, kiosk_id="lobby-1")
        await client.connect()
        await client.send_json({"type": "kiosk.hello", "kiosk": "lobby-1", "groups": ["lobby"], "version": "1"})
        frames = [await client.receive_json() for _ in range(4)]
        by_id = {frame["id"]: frame for frame in frames}
        # Withdrawn while the kiosk was away: it is told to drop it, in case it showed it before.
        self.assertEqual(by_id[gone.wire_id]["type"], "announcement.withdrawn")
        self.assertEqual(by_id[showing.wire_id]["type"], "announcement")
        # Scheduled: the frame carries its start, and the kiosk shows it from then.
        self.assertTrue(by_id[later.wire_id]["startsAt"].endswith("Z"))
        self.assertEqual(parse_iso(by_id[later.wire_id]["startsAt"]), later.starts_at.replace(microsecond=later.starts_at.microsecond // 1000 * 1000))
        self.assertNotIn("Elsewhere", str(frames))
        self.assertTrue(await client.receives_nothing())
        await client.close()

    async def test_the_end_withdraws_it_on_time(self):
        lobby = await self.connect("lobby-1", "lobby")
        announcement = await db(announce)("Short", ends_at=timezone.now() + timedelta(seconds=1))
        self.assertEqual((await lobby.receive_json())["id"], announcement.wire_id)
        self.assertTrue(await lobby.receives_nothing(0.5))
        self.assertEqual(await lobby.receive_json(timeout=3), {"type": "announcement.withdrawn", "id": announcement.wire_id})
        await lobby.close()

    async def test_a_kiosk_moved_into_a_group_gets_its_announcements_at_once(self):
        lobby = await self.connect("lobby-1", "lobby")
        announcement = await db(announce)("Floor 2 closed", target_kind="groups", target_names="floor-2")
        self.assertTrue(await lobby.receives_nothing())

        def regroup(groups):
            kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
            kiosk.groups = groups
            kiosk.save()

        await db(regroup)("lobby, floor-2")
        self.assertEqual((await lobby.receive_json())["id"], announcement.wire_id)
        await db(regroup)("lobby")
        self.assertEqual(await lobby.receive_json(), {"type": "announcement.withdrawn", "id": announcement.wire_id})
        await lobby.close()

    async def test_publishing_from_the_admin_reaches_the_kiosk(self):
        lobby = await self.connect("lobby-1", "lobby")
        publisher = await db(staff_user)("publisher", "publish_announcement")
        await sync_to_async(self.client.force_login)(publisher)
        response = await sync_to_async(self.client.post)(reverse(ADD), add_form())
        self.assertEqual(response.status_code, 302)
        frame = await lobby.receive_json()
        self.assertEqual((frame["level"], frame["text"]), ("urgent", {"en": "Fire drill at 11:00"}))
        await asyncio.sleep(0)
        await lobby.close()
