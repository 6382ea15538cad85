import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from . import conf
from .names import NAME_HELP, join_groups, split_groups, validate_group_list, validate_kiosk_id
from .targets import ALL, GROUPS, KIOSKS, Target
from .tokens import generate_token, hash_token, unusable_token_hash


class Kiosk(models.Model):
    kiosk_id = models.CharField(
        "kiosk id",
        max_length=64,
        unique=True,
        validators=[validate_kiosk_id],
        help_text="The kioskId in the kiosk's config. " + NAME_HELP,
    )
    name = models.CharField(max_length=200, blank=True, help_text="Where it stands, for people.")
    groups = models.CharField(
        max_length=1000,
        blank=True,
        validators=[validate_group_list],
        help_text="Comma-separated group names, e.g. 'lobby, floor-2'. Each: " + NAME_HELP,
    )
    # Only the SHA-256 of the token is kept; the token itself is shown once and forgotten.
    token_hash = models.CharField(max_length=64, unique=True, editable=False, default=unusable_token_hash)
    revoked = models.BooleanField(
        default=False, help_text="A revoked kiosk is disconnected and its token is refused."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Reported by the kiosk; written by the WebSocket consumer with queryset.update().
    connections = models.PositiveIntegerField(
        default=0, editable=False, help_text="Open WebSocket connections, counted across workers."
    )
    last_seen = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.CharField(max_length=100, blank=True, editable=False)
    renderer_state = models.CharField("renderer", max_length=32, blank=True, editable=False)
    uplink_state = models.CharField("uplink", max_length=32, blank=True, editable=False)
    uptime_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    last_api_ok_at = models.CharField("last API success", max_length=64, blank=True, editable=False)
    last_status_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_ack_reset = models.ForeignKey(
        "ResetCommand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name="last reset acknowledged",
    )
    last_ack_status = models.CharField(max_length=16, blank=True, editable=False)
    last_ack_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["kiosk_id"]

    def __str__(self):
        return self.kiosk_id

    def clean(self):
        try:
            self.groups = join_groups(self.groups)
        except ValidationError:
            pass  # the field validator already reports it

    # Written only by the consumer, with queryset.update(). save() of an existing kiosk leaves
    # them alone, so an admin edit cannot overwrite a connection count or a status report
    # that changed after the admin loaded the row.
    LIVE_FIELDS = frozenset({
        "connections", "last_seen", "version", "renderer_state", "uplink_state", "uptime_seconds",
        "last_api_ok_at", "last_status_at", "last_ack_reset", "last_ack_status", "last_ack_at",
    })

    def save(self, *args, **kwargs):
        # Normalise here too, for code paths that skip full_clean() (commands, shell).
        self.groups = join_groups(self.groups)
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.LIVE_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def group_list(self):
        return split_groups(self.groups)

    def issue_token(self):
        """Give the kiosk a new token and return it; the caller saves and shows it once."""
        token = generate_token()
        self.token_hash = hash_token(token)
        return token

    def is_online(self, now=None):
        if self.connections <= 0 or self.last_seen is None:
            return False
        now = now or timezone.now()
        return self.last_seen >= now - timedelta(seconds=conf.online_timeout_seconds())

    is_online.boolean = True
    is_online.short_description = "online"


def new_reset_id():
    return "r-" + uuid.uuid4().hex[:12]


class ResetCommand(models.Model):
    TARGET_CHOICES = [(ALL, "all kiosks"), (KIOSKS, "kiosks"), (GROUPS, "groups")]

    id = models.CharField(primary_key=True, max_length=32, default=new_reset_id, editable=False)
    target_kind = models.CharField(max_length=8, choices=TARGET_CHOICES)
    target_names = models.TextField(blank=True, help_text="Comma-separated kiosk ids or groups.")
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "reset"
        permissions = [("send_reset", "Can send reset commands to kiosks")]

    def __str__(self):
        return self.id

    @property
    def target(self):
        if self.target_kind == ALL:
            return Target(ALL)
        return Target(self.target_kind, tuple(self.target_names.split(",")))

    def to_message(self):
        message = {"type": "kiosk.reset", "id": self.id, "target": self.target.to_wire()}
        if self.reason:
            message["reason"] = self.reason
        return message

    def to_text(self):
        return json.dumps(self.to_message(), separators=(",", ":"))


class ResetDelivery(models.Model):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    IGNORED = "ignored"
    FAILED = "failed"
    OFFLINE = "offline"
    STATE_CHOICES = [
        (SENT, "sent"),
        (ACKNOWLEDGED, "reloaded"),
        (IGNORED, "ignored"),
        (FAILED, "failed"),
        (OFFLINE, "offline"),
    ]
    # Deliveries in these states may still be (re)sent when the kiosk says hello.
    PENDING = (SENT, OFFLINE)

    reset = models.ForeignKey(ResetCommand, on_delete=models.CASCADE, related_name="deliveries")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=STATE_CHOICES)
    ms = models.PositiveIntegerField(null=True, blank=True, help_text="Reset received → content shown, per the kiosk.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "reset deliveries"
        constraints = [models.UniqueConstraint(fields=["reset", "kiosk"], name="kiosk_fleet_one_delivery_per_kiosk")]
        indexes = [models.Index(fields=["kiosk", "state"], name="kiosk_fleet_delivery_pending")]

    def __str__(self):
        return "%s → %s: %s" % (self.reset_id, self.kiosk_id, self.state)
