"""The admin: confirmation before every command, permissions, command pages, the kiosk list
and page, audit, tokens."""

import json
import re
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kiosk_fleet import presence, protocol
from kiosk_fleet.commands import mark_sent, record_ack, send_command, send_reset
from kiosk_fleet.models import Command, Connection, Delivery, Kiosk, Screenshot, Worker
from kiosk_fleet.tokens import hash_token

from .helpers import (
    IN_MEMORY_LAYER, JPEG_64x36, FleetTransactionTestCase, capture_all_logs, create_kiosk, db, eventually,
)

CHANGELIST = "admin:kiosk_fleet_kiosk_changelist"
RESET_ALL = "admin:kiosk_fleet_kiosk_reset_all"
SEND = "admin:kiosk_fleet_kiosk_send"
BUTTON = "Reset all kiosks"


def command_page(command):
    return reverse("admin:kiosk_fleet_command_change", args=[command.pk])


def progress_url(command):
    return reverse("admin:kiosk_fleet_command_progress", args=[command.pk])


def staff_user(username, *perms):
    user = User.objects.create_user(username, is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def answer(kiosk, command, status, **fields):
    """As a kiosk that was sent the command would: written, then answered."""
    mark_sent(list(Delivery.objects.filter(command=command, kiosk=kiosk).values_list("pk", flat=True)))
    return record_ack(kiosk.pk, protocol.Ack(kiosk=None, command_id=command.id, status=status, **fields))


def make_online(*kiosks):
    worker = Worker.objects.get_or_create(id="test-worker")[0]
    for kiosk in kiosks:
        Connection.objects.create(id="conn-%s" % kiosk.pk, worker=worker, kiosk=kiosk, channel_name="x")


def confirm_fields(response):
    """The hidden and visible fields of a confirmation page's form, as a POST would send them."""
    html = response.content.decode()
    form = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', html, re.S)
    assert form, "no confirmation form"
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)):
        data.setdefault(name, []).append(value)
    return form.group(1), data


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class ResetButtonTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.lobby = create_kiosk("lobby-1", "lobby")[0]
        self.office = create_kiosk("office-7", "floor-2")[0]
        create_kiosk("revoked-1", "lobby", revoked=True)
        make_online(self.lobby)

    def test_button_is_on_the_changelist_as_a_csrf_protected_post_form(self):
        self.client.force_login(self.admin)
        html = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertIn(BUTTON, html)
        form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        self.assertIsNotNone(form)
        self.assertEqual(form.group(1), reverse(RESET_ALL))
        self.assertIn('name="csrfmiddlewaretoken"', form.group(2))
        self.assertIn(BUTTON, form.group(2))

    def test_the_button_leads_to_a_confirmation_naming_the_count_and_only_confirming_sends(self):
        self.client.force_login(self.admin)
        page = self.client.post(reverse(RESET_ALL), {"reason": "new content"})
        self.assertEqual(page.status_code, 200)
        self.assertFalse(Command.objects.exists())  # nothing sent yet
        self.assertContains(page, "2 kiosks")
        self.assertContains(page, "1 online now, 1 offline")
        self.assertContains(page, "Yes, reset 2 kiosks")
        self.assertContains(page, 'value="new content"')
        action, data = confirm_fields(page)
        self.assertEqual(action, reverse(SEND))
        data["reason"] = "new content"
        response = self.client.post(action, data)
        reset = Command.objects.get()
        self.assertRedirects(response, command_page(reset))
        self.assertEqual((reset.command, reset.target_kind, reset.reason), ("reset", "all", "new content"))
        self.assertEqual((reset.created_by_username, reset.origin), ("admin", "admin"))
        self.assertEqual(reset.deliveries.count(), 2)
        # Every send writes an admin log entry.
        entry = LogEntry.objects.get()
        self.assertEqual((entry.user, entry.object_id, entry.action_flag), (self.admin, reset.id, ADDITION))
        self.assertIn("reset to 2 kiosk(s)", entry.get_change_message())

    def test_get_does_not_send(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(reverse(RESET_ALL)).status_code, 405)
        # The send page shows a confirmation for a GET, never sends.
        page = self.client.get(reverse(SEND), {"command": "reset", "target": "all", "confirm": "yes"})
        self.assertContains(page, "Yes, reset 2 kiosks")
        self.assertFalse(Command.objects.exists())

    def test_post_without_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        self.assertEqual(client.post(reverse(RESET_ALL)).status_code, 403)
        self.assertEqual(client.post(reverse(SEND), {"command": "reset", "target": "all", "confirm": "yes"}).status_code, 403)
        self.assertFalse(Command.objects.exists())

    def test_staff_without_the_permission_gets_403_and_nothing_is_sent(self):
        self.client.force_login(staff_user("viewer", "view_kiosk", "change_kiosk"))
        html = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertNotIn(BUTTON, html)
        self.assertNotIn("reset_selected", html)
        self.assertEqual(self.client.post(reverse(RESET_ALL)).status_code, 403)
        self.assertEqual(self.client.post(reverse(SEND), {"command": "reset", "target": "all", "confirm": "yes"}).status_code, 403)
        # The admin action is not offered either, and posting it anyway does nothing.
        self.client.post(reverse(CHANGELIST), {
            "action": "reset_selected", "_selected_action": list(Kiosk.objects.values_list("pk", flat=True)), "confirm": "yes",
        })
        self.assertFalse(Command.objects.exists())

    def test_each_command_needs_its_own_permission(self):
        self.client.force_login(staff_user("operator", "view_kiosk", "send_reset"))
        for command, extra in (("restart", {}), ("screenshot", {}), ("display", {"power": "off"})):
            response = self.client.post(reverse(SEND), {"command": command, "target": "all", "confirm": "yes", **extra})
            self.assertEqual(response.status_code, 200)  # a form error: that command is not a choice
            self.assertFalse(Command.objects.exists())
        pks = list(Kiosk.objects.values_list("pk", flat=True))
        for action in ("restart_selected", "screenshot_selected", "display_off_selected"):
            self.client.post(reverse(CHANGELIST), {"action": action, "_selected_action": pks, "confirm": "yes"})
        self.assertFalse(Command.objects.exists())
        response = self.client.post(reverse(SEND), {"command": "reset", "target": "all", "confirm": "yes"})
        self.assertEqual(response.status_code, 302)
        self.client.force_login(staff_user("photographer", "view_kiosk", "take_screenshot"))
        # Not a choice for this user: the form says so, nothing is sent.
        self.assertEqual(self.client.post(reverse(SEND), {"command": "reset", "target": "all", "confirm": "yes"}).status_code, 200)
        self.assertEqual(self.client.post(reverse(SEND), {"command": "screenshot", "target": "all", "confirm": "yes"}).status_code, 302)
        self.assertEqual(list(Command.objects.order_by("created_at").values_list("command", flat=True)), ["reset", "screenshot"])

    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(reverse(RESET_ALL))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        self.assertFalse(Command.objects.exists())

    def test_actions_for_every_command_confirm_then_send_to_the_selection(self):
        self.client.force_login(self.admin)
        pks = [self.office.pk, Kiosk.objects.get(kiosk_id="revoked-1").pk]
        for action, command, args in (
            ("reset_selected", "reset", {}),
            ("home_selected", "home", {}),
            ("screenshot_selected", "screenshot", {}),
            ("display_off_selected", "display", {"power": "off"}),
            ("display_on_selected", "display", {"power": "on"}),
            ("restart_selected", "restart", {}),
            ("clear_session_selected", "clear-session", {}),
        ):
            with self.subTest(action=action):
                page = self.client.post(reverse(CHANGELIST), {"action": action, "_selected_action": pks})
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, "1 kiosk</strong>")  # the revoked one is not counted
                self.assertFalse(Command.objects.filter(command=command, args=args).exists())
                _, data = confirm_fields(page)
                self.assertEqual(data["action"], [action])
                response = self.client.post(reverse(CHANGELIST), data)
                sent = Command.objects.get(command=command, args=args)
                self.assertRedirects(response, command_page(sent), fetch_redirect_response=False)
                self.assertEqual(sent.target.to_wire(), {"kiosks": ["office-7"]})
                self.assertEqual(list(sent.deliveries.values_list("kiosk_key", flat=True)), ["office-7"])
        self.assertEqual(LogEntry.objects.count(), 7)

    def test_the_confirmation_options_apply(self):
        self.client.force_login(self.admin)
        page = self.client.post(reverse(CHANGELIST), {"action": "screenshot_selected", "_selected_action": [self.lobby.pk]})
        _, data = confirm_fields(page)
        data.update({"when": "idle", "expires_in_minutes": "3", "max_width": "640"})
        self.client.post(reverse(CHANGELIST), data)
        shot = Command.objects.get()
        self.assertEqual((shot.when, shot.args), ("idle", {"maxWidth": 640}))
        self.assertLess((shot.expires_at - shot.created_at).total_seconds(), 3 * 60 + 2)

    def test_send_form_by_group_and_by_kiosk(self):
        self.client.force_login(self.admin)
        page = self.client.get(reverse(SEND))
        self.assertContains(page, 'value="floor-2"')
        page = self.client.post(reverse(SEND), {"command": "home", "target": "groups", "groups": ["lobby"]})
        self.assertContains(page, "1 kiosk</strong>")
        action, data = confirm_fields(page)
        self.client.post(action, data)
        home = Command.objects.get()
        self.assertEqual((home.command, home.target.to_wire()), ("home", {"groups": ["lobby"]}))
        self.assertEqual(list(home.deliveries.values_list("kiosk_key", flat=True)), ["lobby-1"])
        page = self.client.post(reverse(SEND), {"command": "reset", "target": "kiosks", "kiosks": "ghost"})
        self.assertContains(page, "No such kiosk: ghost")
        page = self.client.post(reverse(SEND), {"command": "display", "target": "all"})
        self.assertContains(page, "power=off or power=on")
        self.assertEqual(Command.objects.count(), 1)


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class CommandPageTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.client.force_login(self.admin)
        self.kiosks = {kiosk_id: create_kiosk(kiosk_id)[0] for kiosk_id in ("a-1", "a-2", "a-3", "a-4", "a-5")}

    def counts(self, response):
        return dict(re.findall(r'<td id="count-(\w+)">(\d+)</td>', response.content.decode()))

    def test_counts_per_state_and_rows_per_kiosk(self):
        reset = send_reset("all", reason="counting")
        answer(self.kiosks["a-1"], reset, "reloaded", ms=640)
        answer(self.kiosks["a-2"], reset, "reloaded", ms=700)
        answer(self.kiosks["a-3"], reset, "failed", ms=10, reason="no-window")
        mark_sent(list(Delivery.objects.filter(command=reset, kiosk=self.kiosks["a-4"]).values_list("pk", flat=True)))
        response = self.client.get(command_page(reset))
        self.assertContains(response, "2 of 5 reloaded")
        self.assertEqual(self.counts(response), {
            "pending": "1", "sent": "1", "accepted": "0", "reloaded": "2", "done": "0", "ignored": "0", "failed": "1",
            "expired": "0", "withheld": "0", "total": "5",
        })
        for kiosk_id in self.kiosks:
            self.assertContains(response, ">%s</a>" % kiosk_id)
        self.assertContains(response, "640")
        self.assertContains(response, "no-window")
        self.assertContains(response, "counting")
        self.assertNotContains(response, 'http-equiv="refresh"')  # polling, not a meta refresh
        self.assertContains(response, 'data-settled="false"')
        self.assertContains(response, "kiosk_fleet/command_status.js")
        changelist = self.client.get(reverse("admin:kiosk_fleet_command_changelist"))
        self.assertContains(changelist, "2 of 5 reloaded, 2 open")

    def test_the_progress_json_is_small_and_says_when_it_is_final(self):
        command = send_command("home", {"kiosks": ["a-1"]})
        data = self.client.get(progress_url(command)).json()
        self.assertEqual((data["counts"]["pending"], data["settled"], data["summary"]), (1, False, "0 of 1 done"))
        self.assertEqual([row["kiosk"] for row in data["rows"]], ["a-1"])
        answer(self.kiosks["a-1"], command, "done", ms=100)
        data = self.client.get(progress_url(command)).json()
        self.assertEqual((data["counts"]["done"], data["settled"], data["summary"]), (1, True, "1 of 1 done"))
        self.assertContains(self.client.get(command_page(command)), 'data-settled="true"')

    def test_a_poll_sends_only_the_rows_that_changed_since_the_previous_one(self):
        command = send_command("home", "all")
        Delivery.objects.filter(command=command).update(updated_at=timezone.now() - timedelta(seconds=60))
        first = self.client.get(progress_url(command)).json()
        self.assertEqual(len(first["rows"]), 5)
        quiet = self.client.get(progress_url(command), {"since": first["now"]})
        self.assertEqual(quiet.json()["rows"], [])
        self.assertLess(len(quiet.content), 600)
        answer(self.kiosks["a-3"], command, "done", ms=50)
        changed = self.client.get(progress_url(command), {"since": first["now"]}).json()
        self.assertEqual([(row["kiosk"], row["state"]) for row in changed["rows"]], [("a-3", "done")])
        self.assertEqual(changed["counts"]["done"], 1)

    def test_the_page_is_final_once_the_expiry_passed(self):
        command = send_command("home", "all")
        Delivery.objects.filter(command=command).update(expires_at=timezone.now())
        data = self.client.get(progress_url(command)).json()
        self.assertEqual((data["counts"]["expired"], data["settled"]), (5, True))

    def test_pages_and_the_state_filter(self):
        for i in range(230):
            create_kiosk("b-%03d" % i)
        command = send_command("restart", "all")
        answer(Kiosk.objects.get(kiosk_id="b-007"), command, "failed", reason="crashed")
        first = self.client.get(command_page(command))
        self.assertEqual(first.content.decode().count("<tr data-kiosk="), 100)
        self.assertContains(first, "page 1 of 3 (235 kiosks)")
        last = self.client.get(command_page(command), {"p": 3})
        self.assertEqual(last.content.decode().count("<tr data-kiosk="), 35)
        failed = self.client.get(command_page(command), {"state": "failed"})
        self.assertEqual(re.findall(r'<tr data-kiosk="([^"]+)"', failed.content.decode()), ["b-007"])
        data = self.client.get(progress_url(command), {"state": "failed"}).json()
        self.assertEqual([row["kiosk"] for row in data["rows"]], ["b-007"])
        self.assertLess(len(self.client.get(progress_url(command)).content), 40000)

    def test_the_page_costs_the_same_few_queries_for_a_large_command(self):
        for i in range(300):
            create_kiosk("c-%03d" % i)
        command = send_reset("all")
        with CaptureQueriesContext(connection) as queries:
            self.client.get(command_page(command))
        small = send_reset({"kiosks": ["a-1"]})
        with CaptureQueriesContext(connection) as few:
            self.client.get(command_page(small))
        self.assertEqual(len(queries), len(few))

    def test_commands_cannot_be_added_edited_or_deleted_in_the_admin(self):
        reset = send_reset("all")
        self.assertEqual(self.client.get(reverse("admin:kiosk_fleet_command_add")).status_code, 403)
        self.assertEqual(self.client.post(command_page(reset), {"reason": "changed"}).status_code, 405)
        self.assertEqual(self.client.get(reverse("admin:kiosk_fleet_command_delete", args=[reset.pk])).status_code, 403)
        changelist = self.client.get(reverse("admin:kiosk_fleet_command_changelist"))
        self.assertNotContains(changelist, "delete_selected")
        self.client.post(reverse("admin:kiosk_fleet_command_changelist"), {"action": "delete_selected", "_selected_action": [reset.pk], "post": "yes"})
        self.assertTrue(Command.objects.filter(pk=reset.pk).exists())
        reset.refresh_from_db()
        self.assertEqual(reset.reason, "")

    def test_deleting_a_kiosk_keeps_the_command_pages_counts(self):
        reset = send_reset("all")
        answer(self.kiosks["a-1"], reset, "reloaded")
        before = self.counts(self.client.get(command_page(reset)))
        self.client.post(reverse("admin:kiosk_fleet_kiosk_delete", args=[self.kiosks["a-1"].pk]), {"post": "yes"})
        self.assertFalse(Kiosk.objects.filter(kiosk_id="a-1").exists())
        page = self.client.get(command_page(reset))
        self.assertEqual(self.counts(page), before)
        self.assertContains(page, "1 of 5 reloaded")
        self.assertContains(page, "(deleted)")

    def test_deleting_kiosks_from_the_list_keeps_the_counts_too(self):
        reset = send_reset("all")
        answer(self.kiosks["a-2"], reset, "reloaded")
        pks = [self.kiosks["a-1"].pk, self.kiosks["a-2"].pk]
        self.client.post(reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": pks, "post": "yes"})
        self.assertEqual(Kiosk.objects.count(), 3)
        self.assertEqual(self.counts(self.client.get(command_page(reset)))["total"], "5")
        self.assertContains(self.client.get(command_page(reset)), "1 of 5 reloaded")

    def test_the_sender_stays_named_after_the_user_is_deleted(self):
        alice = User.objects.create_superuser("alice", "alice@example.org", password=None)
        reset = send_reset("all", user=alice, origin="admin")
        alice.delete()
        self.assertContains(self.client.get(command_page(reset)), "by alice")

    def test_staff_without_permission_cannot_see_command_pages(self):
        reset = send_reset("all")
        self.client.force_login(staff_user("viewer", "view_kiosk"))
        self.assertEqual(self.client.get(command_page(reset)).status_code, 403)
        self.assertEqual(self.client.get(progress_url(reset)).status_code, 403)


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class ScreenshotAdminTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.kiosk = create_kiosk("a-1")[0]
        self.shot = send_command("screenshot", "all")
        mark_sent(list(self.shot.deliveries.values_list("pk", flat=True)))
        image = Screenshot.objects.create(
            delivery=self.shot.deliveries.get(), kiosk=self.kiosk, kiosk_key="a-1", width=64, height=36,
            size=len(JPEG_64x36), data=JPEG_64x36,
        )
        Kiosk.objects.filter(pk=self.kiosk.pk).update(latest_screenshot=image)
        self.url = reverse("admin:kiosk_fleet_screenshot", args=[image.pk])

    def test_screenshots_show_on_the_command_page_the_kiosk_page_and_the_list(self):
        self.client.force_login(self.admin)
        for page in (
            self.client.get(command_page(self.shot)),
            self.client.get(reverse("admin:kiosk_fleet_kiosk_change", args=[self.kiosk.pk])),
            self.client.get(reverse(CHANGELIST)),
        ):
            self.assertContains(page, '<img ')
            self.assertContains(page, self.url)
        image = self.client.get(self.url)
        self.assertEqual((image["Content-Type"], image["X-Content-Type-Options"]), ("image/jpeg", "nosniff"))
        self.assertEqual(image.content, JPEG_64x36)

    def test_screenshots_need_the_permission(self):
        self.client.force_login(staff_user("operator", "view_kiosk", "send_reset"))
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertNotContains(self.client.get(reverse(CHANGELIST)), self.url)
        self.assertNotContains(self.client.get(command_page(self.shot)), self.url)


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class KioskListAndPageTests(TestCase):
    def setUp(self):
        self.admin = User.objects.create_superuser("admin", "admin@example.org", password=None)
        self.client.force_login(self.admin)
        self.a = create_kiosk("a-1", "lobby")[0]
        self.b = create_kiosk("b-1", "floor-2,lobby")[0]
        self.c = create_kiosk("c-1", "floor-2")[0]
        Kiosk.objects.filter(pk=self.a.pk).update(version="1.2.0", display_state="on", last_seen=timezone.now())
        Kiosk.objects.filter(pk=self.b.pk).update(version="1.3.0", display_state="off-scheduled")
        make_online(self.a, self.b)

    def listed(self, **params):
        html = self.client.get(reverse(CHANGELIST), params).content.decode()
        return sorted(set(re.findall(r'href="/admin/kiosk_fleet/kiosk/\d+/change/[^"]*">([a-z]-1)</a>', html)))

    def test_n_of_m_online_and_the_filters(self):
        self.assertContains(self.client.get(reverse(CHANGELIST)), "2 of 3 online")
        self.assertEqual(self.listed(online="yes"), ["a-1", "b-1"])
        self.assertEqual(self.listed(online="no"), ["c-1"])
        self.assertEqual(self.listed(group="lobby"), ["a-1", "b-1"])
        self.assertEqual(self.listed(group="floor-2"), ["b-1", "c-1"])
        self.assertEqual(self.listed(version="1.3.0"), ["b-1"])
        self.assertEqual(self.listed(display="off-scheduled"), ["b-1"])
        self.assertEqual(self.listed(display="unknown"), ["c-1"])

    def test_last_seen_shows_the_date_and_the_age(self):
        html = self.client.get(reverse(CHANGELIST)).content.decode()
        self.assertRegex(html, r"\d{4}.{0,40}\((0.minutes|\d+.seconds?) ago\)")

    def test_the_kiosk_page_shows_its_state_its_commands_and_reset_this_kiosk(self):
        reset = send_reset({"kiosks": ["a-1"]})
        answer(self.a, reset, "reloaded", ms=321)
        Kiosk.objects.filter(pk=self.a.pk).update(uptime_seconds=3600, last_status_at=timezone.now())
        page = self.client.get(reverse("admin:kiosk_fleet_kiosk_change", args=[self.a.pk]))
        self.assertContains(page, '<span class="kiosk-fleet-online">online</span>')
        self.assertContains(page, "1.2.0")
        self.assertRegex(page.content.decode(), r"Uptime</dt><dd>360\d s")
        self.assertContains(page, reset.id)
        self.assertContains(page, "321")
        link = re.search(r'<a class="button" href="([^"]+)">Reset this kiosk</a>', page.content.decode())
        self.assertIsNotNone(link)
        confirmation = self.client.get(link.group(1).replace("&amp;", "&"))
        self.assertContains(confirmation, "Yes, reset 1 kiosk")
        action, data = confirm_fields(confirmation)
        self.client.post(action, data)
        latest = Command.objects.latest("created_at")
        self.assertEqual(latest.target.to_wire(), {"kiosks": ["a-1"]})
        offline = self.client.get(reverse("admin:kiosk_fleet_kiosk_change", args=[self.c.pk]))
        self.assertContains(offline, '<span class="kiosk-fleet-offline">offline</span>')


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
        match = re.search(r"<code>Token (kfk_[A-Za-z0-9_-]{43})</code>", response.content.decode())
        return match.group(1) if match else None

    def test_token_is_shown_once_after_creation_and_only_its_hash_is_stored(self):
        with capture_all_logs("kiosk_fleet", "django") as records, CaptureQueriesContext(connection) as queries:
            response = self.add_kiosk()
        token = self.token_in(response)
        self.assertIsNotNone(token, "token not shown after creation")
        self.assertContains(response, "<code>wss://testserver/ws/kiosk/</code>")
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

    def test_revoking_destroys_the_token_and_un_revoking_issues_a_new_one(self):
        token = self.token_in(self.add_kiosk())
        kiosk = Kiosk.objects.get(kiosk_id="lobby-1")
        self.client.post(reverse(CHANGELIST), {"action": "revoke_selected", "_selected_action": [kiosk.pk]})
        self.assertIsNone(presence.authenticate_token(token))
        # A rotation of a revoked kiosk is refused: admitting it again is an explicit act.
        response = self.client.post(reverse(CHANGELIST), {"action": "rotate_token", "_selected_action": [kiosk.pk]}, follow=True)
        self.assertIsNone(self.token_in(response))
        response = self.client.post(
            reverse("admin:kiosk_fleet_kiosk_change", args=[kiosk.pk]),
            {"name": "Lobby", "groups": "lobby", "revoked": ""},
            follow=True,
        )
        new = self.token_in(response)
        self.assertIsNotNone(new, "un-revoking must show the new token")
        self.assertNotEqual(new, token)
        self.assertIsNone(presence.authenticate_token(token))
        self.assertEqual(presence.authenticate_token(new).kiosk_id, "lobby-1")

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


class ButtonReachesKiosksTests(FleetTransactionTestCase):
    async def test_the_confirmed_button_resets_connected_kiosks_and_the_json_counts_their_acks(self):
        admin = await db(User.objects.create_superuser)("admin", "admin@example.org", password=None)
        clients = [await self.connect(kiosk_id) for kiosk_id in ("lobby-1", "lobby-2")]
        await sync_to_async(self.client.force_login)(admin)

        page = await sync_to_async(self.client.post)(reverse(RESET_ALL))
        self.assertContains(page, "2 online now")
        action, data = confirm_fields(page)
        response = await sync_to_async(self.client.post)(action, data)
        reset = await db(Command.objects.get)()
        self.assertEqual(response["Location"], command_page(reset))
        for client in clients:
            frame = await client.receive_json()
            self.assertEqual(frame, {"type": "kiosk.reset", "id": reset.id, "target": {"kiosks": [client.kiosk_id]}})
        await clients[0].ack(reset.id, "reloaded", ms=900)
        await eventually(lambda: Delivery.objects.filter(command=reset, state=Delivery.RELOADED).exists())
        data = json.loads((await sync_to_async(self.client.get)(progress_url(reset))).content)
        self.assertEqual((data["summary"], data["counts"]["sent"], data["settled"]), ("1 of 2 reloaded", 1, False))
        for client in clients:
            await client.close()
