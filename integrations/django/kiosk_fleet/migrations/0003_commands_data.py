# Converts the resets of 0001 into commands: each gets the expiry it had in practice (its
# creation plus the old delivery TTL, KIOSK_FLEET_RESET_TTL_SECONDS, 300 s by default), the
# sender's username as text, and each delivery the state of the contract:
#   acknowledged → reloaded, offline → pending, sent/ignored/failed as they were,
# and whatever is still open past its expiry → expired.

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TO_NEW = {"acknowledged": "reloaded", "offline": "pending"}
NEW_TO_OLD = {
    "reloaded": "acknowledged", "done": "acknowledged", "pending": "offline", "accepted": "sent",
    "expired": "offline", "withheld": "ignored",
}


def forwards(apps, schema_editor):
    Command = apps.get_model("kiosk_fleet", "Command")
    Delivery = apps.get_model("kiosk_fleet", "Delivery")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    username_field = getattr(User, "USERNAME_FIELD", "username")
    ttl = timedelta(seconds=int(getattr(settings, "KIOSK_FLEET_RESET_TTL_SECONDS", 300)))
    now = timezone.now()

    for command in Command.objects.select_related("created_by").iterator():
        command.expires_at = command.created_at + ttl
        command.command = "reset"
        command.origin = "admin" if command.created_by_id else "command line"
        if command.created_by_id:
            command.created_by_username = str(getattr(command.created_by, username_field, ""))[:150]
        command.save(update_fields=["expires_at", "command", "origin", "created_by_username"])
        deliveries = Delivery.objects.filter(command_id=command.pk)
        deliveries.update(expires_at=command.expires_at)
        for old, new in OLD_TO_NEW.items():
            deliveries.filter(state=old).update(state=new)

    for delivery in Delivery.objects.select_related("kiosk").iterator():
        delivery.kiosk_key = delivery.kiosk.kiosk_id if delivery.kiosk_id else "deleted-%d" % delivery.pk
        if delivery.state in ("reloaded", "ignored", "failed"):
            delivery.answered_at = delivery.updated_at
        if delivery.state != "pending":
            delivery.sent_at = delivery.updated_at
            delivery.sends = 1
        delivery.save(update_fields=["kiosk_key", "answered_at", "sent_at", "sends"])

    due = Delivery.objects.filter(expires_at__lte=now)
    due.filter(state="pending").update(state="expired", reason="not-delivered", updated_at=now)
    due.filter(state="sent").update(state="expired", reason="no-answer", updated_at=now)


def backwards(apps, schema_editor):
    Delivery = apps.get_model("kiosk_fleet", "Delivery")
    for new, old in NEW_TO_OLD.items():
        Delivery.objects.filter(state=new).update(state=old)


class Migration(migrations.Migration):

    dependencies = [
        ('kiosk_fleet', '0002_commands'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
