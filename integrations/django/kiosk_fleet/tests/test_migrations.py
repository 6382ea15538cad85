"""Existing deployments upgrade: the resets, deliveries and permissions of 0001 become commands."""

from datetime import timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.test import TransactionTestCase
from django.utils import timezone

OLD = [("kiosk_fleet", "0001_initial")]
# The latest migration: the other tests expect the whole schema back after these.
NEW = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("kiosk_fleet")


class UpgradeFrom0001Tests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        self.migrate(NEW)  # leave the schema as the other tests expect it

    def test_resets_deliveries_and_senders_are_converted(self):
        apps = self.migrate(OLD)
        User = apps.get_model("auth", "User")
        Kiosk = apps.get_model("kiosk_fleet", "Kiosk")
        ResetCommand = apps.get_model("kiosk_fleet", "ResetCommand")
        ResetDelivery = apps.get_model("kiosk_fleet", "ResetDelivery")
        now = timezone.now()
        alice = User.objects.create(username="alice")
        kiosks = [Kiosk.objects.create(kiosk_id="k%d" % i, token_hash="h%d" % i, connections=1) for i in range(3)]
        old = ResetCommand.objects.create(id="r-old", target_kind="all", created_by=alice, created_at=now - timedelta(seconds=1000))
        new = ResetCommand.objects.create(id="r-new", target_kind="groups", target_names="lobby", created_at=now)
        for reset in (old, new):
            for kiosk, state in zip(kiosks, ("acknowledged", "sent", "offline")):
                ResetDelivery.objects.create(reset=reset, kiosk=kiosk, state=state, ms=5, updated_at=now)
        Kiosk.objects.filter(pk=kiosks[0].pk).update(last_ack_reset=new, last_ack_status="reloaded")

        apps = self.migrate(NEW)
        Command = apps.get_model("kiosk_fleet", "Command")
        Delivery = apps.get_model("kiosk_fleet", "Delivery")
        Kiosk = apps.get_model("kiosk_fleet", "Kiosk")
        converted = {c.id: c for c in Command.objects.all()}
        self.assertEqual(set(converted), {"r-old", "r-new"})
        self.assertEqual((converted["r-old"].command, converted["r-old"].created_by_username, converted["r-old"].origin), ("reset", "alice", "admin"))
        self.assertEqual((converted["r-new"].created_by_username, converted["r-new"].origin), ("", "command line"))
        self.assertEqual(converted["r-new"].target_names, "lobby")
        self.assertEqual(converted["r-new"].expires_at, converted["r-new"].created_at + timedelta(seconds=300))
        self.assertEqual(
            {(d.command_id, d.kiosk_key): (d.state, d.reason) for d in Delivery.objects.all()},
            {
                ("r-new", "k0"): ("reloaded", ""),
                ("r-new", "k1"): ("sent", ""),
                ("r-new", "k2"): ("pending", ""),
                ("r-old", "k0"): ("reloaded", ""),
                ("r-old", "k1"): ("expired", "no-answer"),
                ("r-old", "k2"): ("expired", "not-delivered"),
            },
        )
        self.assertEqual(Kiosk.objects.get(kiosk_id="k0").last_ack_command_id, "r-new")

    def test_the_send_reset_permission_stays_with_the_users_who_had_it(self):
        from django.contrib.auth.models import Permission, User
        from django.contrib.contenttypes.models import ContentType
        from django.core.management import call_command

        self.migrate(OLD)
        # In 0001 the permission belongs to the ResetCommand content type.
        ContentType.objects.filter(app_label="kiosk_fleet", model__in=["resetcommand", "command"]).delete()
        ct = ContentType.objects.create(app_label="kiosk_fleet", model="resetcommand")
        permission = Permission.objects.create(codename="send_reset", name="Can send reset commands to kiosks", content_type=ct)
        operator = User.objects.create(username="operator", is_staff=True)
        operator.user_permissions.add(permission)

        call_command("migrate", "kiosk_fleet", verbosity=0)  # as `manage.py migrate` upgrades a site
        operator = User.objects.get(username="operator")
        self.assertTrue(operator.has_perm("kiosk_fleet.send_reset"))
        self.assertEqual(Permission.objects.get(pk=permission.pk).content_type.model, "command")
