"""The admin: the reset button and its permission, reset pages, enrolment and token rotation."""

import re

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiosk_fleet import presence
from kiosk_fleet.models import Kiosk, ResetCommand, ResetDelivery
from kiosk_fleet.resets import record_ack, send_reset
from kiosk_fleet.tokens import hash_token

from .helpers import FleetTransactionTestCase, KioskClient, capture_all_logs, create_kiosk, eventually

CHANGELIST = "admin:kiosk_fleet_kiosk_changelist"
RESET_ALL = "admin:kiosk_fleet_kiosk_reset_all"
RESET_GROUP = "admin:kiosk_fleet_kiosk_reset_group"
BUTTON = "Reset all kiosks"


def reset_page(reset):
    return reverse("admin:kiosk_fleet_resetcommand_change", args=[reset.pk])


def staff_user(username, *perms):
    user = User.objects.create_user(username, is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


class ResetButtonTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        create_kiosk("lobby-1", "lobby")
        create_kiosk("office-7", "floor-2")

    def test_button_is_on_the_changelist_as_a_csrf_protected_post_form(self):
        self.client.force_login(self.admin)
        html = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertIn(BUTTON, html)
        form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        self.assertIsNotNone(form)
        self.assertEqual(form.group(1), reverse(RESET_ALL))
        self.assertIn('name="csrfmiddlewaretoken"', form.group(2))
        self.assertIn(BUTTON, form.group(2))

    def test_superuser_post_creates_a_reset_and_redirects_to_its_page(self):
        self.client.force_login(self.admin)
        response = self.client.post(reverse(RESET_ALL), {"reason": "new content"})
        reset = ResetCommand.objects.get()
        self.assertRedirects(response, reset_page(reset))
        self.assertEqual((reset.target_kind, reset.reason, reset.created_by), ("all", "new content", self.admin))
        self.assertEqual(reset.deliveries.count(), 2)

    def test_get_does_not_send(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse(RESET_ALL))
        self.assertEqual(response.status_code, 405)
        self.assertFalse(ResetCommand.objects.exists())

    def test_post_without_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        response = client.post(reverse(RESET_ALL))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ResetCommand.objects.exists())

    def test_staff_without_the_permission_gets_403_and_nothing_is_sent(self):
        self.client.force_login(staff_user("viewer", "view_kiosk", "change_kiosk"))
        html = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertNotIn(BUTTON, html)
        self.assertEqual(self.client.post(reverse(RESET_ALL)).status_code, 403)
        self.assertEqual(self.client.post(reverse(RESET_GROUP), {"groups": ["lobby"]}).status_code, 403)
        # The admin action is not offered either, and posting it anyway does nothing.
        self.client.post(reverse(CHANGELIST), {
            "action": "reset_selected", "_selected_action": list(Kiosk.objects.values_list("pk", flat=True)),
        })
        self.assertFalse(ResetCommand.objects.exists())

    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(reverse(RESET_ALL))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        self.assertFalse(ResetCommand.objects.exists())

    def test_staff_with_the_permission_can_send_and_see_the_reset(self):
        self.client.force_login(staff_user("operator", "view_kiosk", "send_reset"))
        self.assertIn(BUTTON, self.client.get(reverse(CHANGELIST)).content.decode())
        response = self.client.post(reverse(RESET_ALL), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "0 of 2 reloaded")

    def test_reset_selected_action_targets_only_the_selection(self):
        self.client.force_login(self.admin)
        office = Kiosk.objects.get(kiosk_id="office-7")
        response = self.client.post(reverse(CHANGELIST), {"action": "reset_selected", "_selected_action": [office.pk]})
        reset = ResetCommand.objects.get()
        self.assertRedirects(response, reset_page(reset))
        self.assertEqual(reset.target.to_wire(), {"kiosks": ["office-7"]})
        self.assertEqual(list(reset.deliveries.values_list("kiosk__kiosk_id", flat=True)), ["office-7"])

    def test_reset_by_group_form(self):
        self.client.force_login(self.admin)
        page = self.client.get(reverse(RESET_GROUP))
        self.assertContains(page, 'value="floor-2"')
        self.assertContains(page, 'value="lobby"')
        self.assertFalse(ResetCommand.objects.exists())
        response = self.client.post(reverse(RESET_GROUP), {"groups": ["floor-2"], "reason": "floor 2 only"})
        reset = ResetCommand.objects.get()
        self.assertRedirects(response, reset_page(reset))
        self.assertEqual(reset.target.to_wire(), {"groups": ["floor-2"]})
        self.assertEqual(list(reset.deliveries.values_list("kiosk__kiosk_id", flat=True)), ["office-7"])
        # An unknown group is a form error, not a reset.
        response = self.client.post(reverse(RESET_GROUP), {"groups": ["nowhere"]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ResetCommand.objects.count(), 1)


class ResetPageTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.client.force_login(self.admin)
        self.kiosks = {kiosk_id: create_kiosk(kiosk_id)[0] for kiosk_id in ("a-1", "a-2", "a-3", "a-4", "a-5")}
        Kiosk.objects.filter(kiosk_id__in=["a-1", "a-2", "a-3", "a-4"]).update(connections=1, last_seen=self.now())

    @staticmethod
    def now():
        from django.utils import timezone

        return timezone.now()

    def test_counts_per_state_and_rows_per_kiosk(self):
        reset = send_reset("all", reason="counting")
        record_ack(self.kiosks["a-1"].pk, reset.id, "reloaded", 640)
        record_ack(self.kiosks["a-2"].pk, reset.id, "reloaded", 700)
        record_ack(self.kiosks["a-3"].pk, reset.id, "failed", 10)
        response = self.client.get(reset_page(reset))
        self.assertContains(response, "2 of 5 reloaded")
        html = response.content.decode()
        counts = dict(re.findall(r'<td id="count-(\w+)">(\d+)</td>', html))
        self.assertEqual(counts, {"sent": "1", "acknowledged": "2", "failed": "1", "ignored": "0", "offline": "1", "total": "5"})
        for kiosk_id in self.kiosks:
            self.assertIn("<td>%s</td>" % kiosk_id, html)
        self.assertContains(response, "640")
        self.assertContains(response, "counting")
        self.assertContains(response, '<meta http-equiv="refresh"')  # answers still pending

        changelist = self.client.get(reverse("admin:kiosk_fleet_resetcommand_changelist"))
        self.assertContains(changelist, "2 of 5 reloaded")

    def test_page_stops_refreshing_when_settled(self):
        reset = send_reset({"kiosks": ["a-1"]})
        record_ack(self.kiosks["a-1"].pk, reset.id, "reloaded", 100)
        response = self.client.get(reset_page(reset))
        self.assertContains(response, "1 of 1 reloaded")
        self.assertNotContains(response, 'http-equiv="refresh"')

    def test_resets_cannot_be_added_or_edited_in_the_admin(self):
        reset = send_reset("all")
        self.assertEqual(self.client.get(reverse("admin:kiosk_fleet_resetcommand_add")).status_code, 403)
        self.assertEqual(self.client.post(reset_page(reset), {"reason": "changed"}).status_code, 405)
        reset.refresh_from_db()
        self.assertEqual(reset.reason, "")

    def test_staff_without_permission_cannot_see_reset_pages(self):
        reset = send_reset("all")
        self.client.force_login(staff_user("viewer", "view_kiosk"))
        self.assertEqual(self.client.get(reset_page(reset)).status_code, 403)


class TokenAdminTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.client.force_login(self.admin)

    def add_kiosk(self, kiosk_id="lobby-1", groups="lobby, floor-2"):
        response = self.client.post(
            reverse("admin:kiosk_fleet_kiosk_add"), {"kiosk_id": kiosk_id, "name": "Lobby", "groups": groups}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        return response

    @staticmethod
    def token_in(response):
        match = re.search(r"<code>Token ([A-Za-z0-9_-]{43})</code>", response.content.decode())
        return match.group(1) if match else None

    def test_token_is_shown_once_after_creation_and_only_its_hash_is_stored(self):
        with capture_all_logs("kiosk_fleet", "django") as records, CaptureQueriesContext(connection) as queries:
            response = self.add_kiosk()
        token = self.token_in(response)
        self.assertIsNotNone(token, "token not shown after creation")
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        self.assertEqual(kiosk.groups, "floor-2,lobby")
        self.assertEqual(kiosk.token_hash, hash_token(token))
        self.assertNotIn(token, str(Kiosk.objects.filter(pk=kiosk.pk).values().get()))
        self.assertEqual(presence.authenticate_token(token).kiosk_id, "lobby-1")
        # Nowhere else: not on the next pages, not in the admin log, not in log output.
        for url in (reverse(CHANGELIST), reverse("admin:kiosk_fleet_kiosk_change", args=[kiosk.pk])):
            self.assertNotIn(token, self.client.get(url).content.decode())
        self.assertNotIn(token, " ".join(str(entry.change_message) for entry in LogEntry.objects.all()))
        self.assertTrue(records)  # the capture works: SQL is logged at DEBUG while queries are captured
        self.assertNotIn(token, " ".join(query["sql"] for query in queries.captured_queries))
        # The message was consumed when shown: the session keeps no copy.
        self.assertNotIn("_messages", self.client.session.keys())
        self.assertNotIn(token, "\n".join(str(record.getMessage()) + str(record.args) for record in records))

    def test_invalid_kiosk_id_or_group_is_rejected(self):
        response = self.client.post(reverse("admin:kiosk_fleet_kiosk_add"), {"kiosk_id": "lobby 1!", "groups": "ok, not ok!"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid kiosk id")
        self.assertContains(response, "Invalid group name")
        self.assertFalse(Kiosk.objects.exists())

    def test_rotate_token_action_shows_a_new_token_once_and_the_old_one_stops_working(self):
        old = self.token_in(self.add_kiosk())
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        response = self.client.post(
            reverse(CHANGELIST), {"action": "rotate_token", "_selected_action": [kiosk.pk]}, follow=True
        )
        new = self.token_in(response)
        self.assertIsNotNone(new)
        self.assertNotEqual(new, old)
        self.assertIsNone(presence.authenticate_token(old))
        self.assertEqual(presence.authenticate_token(new).kiosk_id, "lobby-1")
        self.assertNotIn(new, self.client.get(reverse(CHANGELIST)).content.decode())

    def test_revoke_action(self):
        token = self.token_in(self.add_kiosk())
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        self.client.post(reverse(CHANGELIST), {"action": "revoke_selected", "_selected_action": [kiosk.pk]})
        self.assertIsNone(presence.authenticate_token(token))

    def test_editing_a_kiosk_keeps_its_token_and_id(self):
        token = self.token_in(self.add_kiosk())
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        response = self.client.post(
            reverse("admin:kiosk_fleet_kiosk_change", args=[kiosk.pk]),
            {"kiosk_id": "renamed", "name": "Lobby east", "groups": "lobby"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(self.token_in(response))
        kiosk.refresh_from_db()
        self.assertEqual((kiosk.kiosk_id, kiosk.name, kiosk.groups), ("lobby-1", "Lobby east", "lobby"))
        self.assertEqual(presence.authenticate_token(token).groups, ("lobby",))


class ResetButtonReachesKiosksTests(FleetTransactionTestCase):
    async def test_pressing_the_button_resets_connected_kiosks_and_acks_show_on_the_page(self):
        admin = await database_sync_to_async(User.objects.create_superuser)("admin", "admin@example.org", password=None)
        clients = []
        for kiosk_id in ("lobby-1", "lobby-2"):
            _, token = await database_sync_to_async(create_kiosk)(kiosk_id)
            client = KioskClient(token=token, kiosk_id=kiosk_id)
            self.assertTrue((await client.connect())[0])
            await client.hello()
            clients.append(client)
        await database_sync_to_async(self.client.force_login)(admin)

        response = await sync_to_async(self.client.post)(reverse(RESET_ALL))
        reset = await database_sync_to_async(ResetCommand.objects.get)()
        self.assertEqual(response["Location"], reset_page(reset))
        for client in clients:
            frame = await client.receive_json()
            self.assertEqual(frame, {"type": "kiosk.reset", "id": reset.id, "target": "all"})
        await clients[0].ack(reset.id, "reloaded", ms=900)
        await eventually(lambda: ResetDelivery.objects.filter(reset=reset, state=ResetDelivery.ACKNOWLEDGED).exists())
        page = await sync_to_async(self.client.get)(reset_page(reset))
        self.assertContains(page, "1 of 2 reloaded")
        for client in clients:
            await client.close()
