"""The fleet's records: kiosks, commands and their per-kiosk deliveries, screenshots, presence.

A reset is a command like any other (``command="reset"``). Each command fixes the kiosks it
targets when it is sent: one ``Delivery`` per kiosk, whose state only moves forward,
pending → sent → accepted → a terminal state, and always reaches one (``expired`` by time).

Presence is not a counter: a ``Connection`` row per live WebSocket, owned by a ``Worker`` row
that the worker's heartbeat keeps fresh. A kiosk is online exactly while it has a connection
on a worker whose heartbeat is younger than KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS, so a worker
that stops or is killed takes its kiosks offline within that time, whatever it managed to
clean up.
"""

import json
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import conf
from .names import NAME_HELP, join_groups, split_groups, validate_group_list, validate_kiosk_id
from .targets import ALL, GROUPS, KIOSKS, Target
from .tokens import generate_token, hash_token, unusable_token_hash
from .wire import iso_z


def presence_cutoff(now=None):
    return (now or timezone.now()) - timedelta(seconds=conf.presence_timeout_seconds())


def live_connections(now=None):
    """Connections on workers that are alive (heartbeat younger than the presence timeout)."""
    return Connection.objects.filter(worker__last_heartbeat__gte=presence_cutoff(now))


class KioskQuerySet(models.QuerySet):
    def with_online(self, now=None):
        """Annotate ``online``: the kiosk has a live connection on a live worker."""
        return self.annotate(online=Exists(live_connections(now).filter(kiosk=OuterRef("pk"))))

    def online(self, now=None):
        return self.with_online(now).filter(online=True)


class Kiosk(models.Model):
    kiosk_id = models.CharField(
        _("kiosk id"),
        max_length=64,
        unique=True,
        validators=[validate_kiosk_id],
        help_text=format_lazy("{} {}", _("The kioskId in the kiosk's config."), NAME_HELP),
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Where it stands, for people."))
    groups = models.CharField(
        _("groups"),
        max_length=1000,
        blank=True,
        validators=[validate_group_list],
        help_text=format_lazy("{} {}", _("Comma-separated group names, e.g. 'lobby, floor-2'. Each:"), NAME_HELP),
    )
    # Only the SHA-256 of the token is kept; the token itself is shown once and forgotten.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False, default=unusable_token_hash)
    revoked = models.BooleanField(
        _("revoked"),
        default=False,
        help_text=_("A revoked kiosk is disconnected and its token is destroyed: "
                    "admitting it again issues a new token."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    # Reported by the kiosk; written by the WebSocket consumer with queryset.update().
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False, help_text=_("Last heard from."))
    version = models.CharField(_("version"), max_length=100, blank=True, editable=False)
    renderer_state = models.CharField(_("renderer"), max_length=32, blank=True, editable=False)
    uplink_state = models.CharField(_("uplink"), max_length=32, blank=True, editable=False)
    display_state = models.CharField(_("display"), max_length=16, blank=True, editable=False)
    # kiosk.status "schedule": {"timezone", "nextDisplayOff", "nextDisplayOn", "nextRestart"}, checked.
    schedule = models.JSONField(_("schedule"), null=True, blank=True, editable=False)
    uptime_seconds = models.PositiveIntegerField(_("uptime (seconds)"), null=True, blank=True, editable=False)
    last_api_ok_at = models.CharField(_("last API success"), max_length=64, blank=True, editable=False)
    last_status_at = models.DateTimeField(_("last status report"), null=True, blank=True, editable=False)
    last_ack_command = models.ForeignKey(
        "Command",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("last command answered"),
    )
    last_ack_status = models.CharField(_("last answer"), max_length=16, blank=True, editable=False)
    last_ack_at = models.DateTimeField(_("last answered"), null=True, blank=True, editable=False)
    latest_screenshot = models.ForeignKey(
        "Screenshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name=_("latest screenshot"),
    )
    rejected_frames = models.PositiveIntegerField(
        _("refused frames"), default=0, editable=False, help_text=_("Frames from this kiosk that were refused or dropped."),
    )
    last_rejected_reason = models.CharField(_("last refusal"), max_length=200, blank=True, editable=False)
    last_rejected_at = models.DateTimeField(_("last refused"), null=True, blank=True, editable=False)

    objects = KioskQuerySet.as_manager()

    class Meta:
        ordering = ["kiosk_id"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")

    def __str__(self):
        return self.kiosk_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that save() sees a revocation (False → True) and destroys the token.
        instance._loaded_revoked = dict(zip(field_names, values)).get("revoked")
        return instance

    def clean(self):
        try:
            self.groups = join_groups(self.groups)
        except ValidationError:
            pass  # the field validator already reports it

    # Written only by the consumer, with queryset.update(). save() of an existing kiosk leaves
    # them alone, so an admin edit cannot overwrite a status report that changed after the
    # admin loaded the row.
    LIVE_FIELDS = frozenset({
        "last_seen", "version", "renderer_state", "uplink_state", "display_state", "schedule", "uptime_seconds",
        "last_api_ok_at", "last_status_at", "last_ack_command", "last_ack_status", "last_ack_at",
        "latest_screenshot", "rejected_frames", "last_rejected_reason", "last_rejected_at",
    })

    def save(self, *args, **kwargs):
        # Normalise here too, for code paths that skip full_clean() (commands, shell).
        self.groups = join_groups(self.groups)
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and update_fields is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = update_fields = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.LIVE_FIELDS
            ]
        if self.revoked and not getattr(self, "_loaded_revoked", False):
            # Revoking destroys the token: nobody knows a preimage of the new hash, so no
            # un-revoke can bring the old token back; admitting the kiosk again takes a new one.
            self.token_hash = unusable_token_hash()
            if update_fields is not None and "token_hash" not in update_fields:
                kwargs["update_fields"] = list(update_fields) + ["token_hash"]
        super().save(*args, **kwargs)
        self._loaded_revoked = self.revoked

    @property
    def group_list(self):
        return split_groups(self.groups)

    def issue_token(self):
        """Give the kiosk a new token and return it; the caller saves and shows it once."""
        token = generate_token()
        self.token_hash = hash_token(token)
        return token

    def is_online(self, now=None):
        online = getattr(self, "online", None)
        if online is not None and now is None:
            return online
        return live_connections(now).filter(kiosk_id=self.pk).exists()

    is_online.boolean = True
    is_online.short_description = _("online")


def new_command_id(prefix="c"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def new_reset_id():
    """Kept for migration 0001, which names it as the old ResetCommand id default."""
    return new_command_id("r")


class Command(models.Model):
    RESET = "reset"
    HOME = "home"
    CLEAR_SESSION = "clear-session"
    RESTART = "restart"
    SCREENSHOT = "screenshot"
    DISPLAY = "display"
    COMMAND_CHOICES = [
        (RESET, _("reset")),
        (HOME, _("home")),
        (CLEAR_SESSION, _("clear session")),
        (RESTART, _("restart")),
        (SCREENSHOT, _("screenshot")),
        (DISPLAY, _("display")),
    ]
    NOW = "now"
    IDLE = "idle"
    WHEN_CHOICES = [(NOW, _("now")), (IDLE, _("when idle"))]
    TARGET_CHOICES = [(ALL, _("all kiosks")), (KIOSKS, _("kiosks")), (GROUPS, _("groups"))]

    id = models.CharField(_("id"), primary_key=True, max_length=32, default=new_command_id, editable=False)
    command = models.CharField(_("command"), max_length=16, choices=COMMAND_CHOICES, default=RESET)
    args = models.JSONField(_("arguments"), default=dict, blank=True)
    when = models.CharField(_("when"), max_length=8, choices=WHEN_CHOICES, default=NOW)
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, help_text=_("For 'when idle': run by then at the latest."),
    )
    expires_at = models.DateTimeField(
        _("expires"), help_text=_("Not run after this; deliveries with no answer by then are expired."),
    )
    target_kind = models.CharField(_("target"), max_length=8, choices=TARGET_CHOICES)
    target_names = models.TextField(_("kiosk ids or groups"), blank=True, help_text=_("Comma-separated kiosk ids or groups."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Text, not a foreign key: deleting the user must not rewrite who sent what.
    created_by_username = models.CharField(_("sent by"), max_length=150, blank=True)
    origin = models.CharField(_("origin"), max_length=32, blank=True, help_text=_("admin, command line or python."))
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("command")
        verbose_name_plural = _("commands")
        permissions = [
            ("send_reset", _("Can send reset commands to kiosks")),
            ("send_command", _("Can send home, display, restart and clear-session commands to kiosks")),
            ("take_screenshot", _("Can take screenshots of kiosks and see them")),
        ]

    def __str__(self):
        return self.id

    @property
    def target(self):
        if self.target_kind == ALL:
            return Target(ALL)
        return Target(self.target_kind, tuple(self.target_names.split(",")))

    @property
    def is_reset(self):
        return self.command == self.RESET

    def frame_for(self, kiosk_id):
        """The frame sent to one kiosk: targeted at that kiosk's id alone, never the fleet.

        A reset to run now is the contract's ``kiosk.reset`` (every kiosk version knows it);
        anything else, and a reset to run when idle, is a ``kiosk.command``.
        """
        target = {"kiosks": [kiosk_id]}
        if self.is_reset and self.when == self.NOW:
            message = {"type": "kiosk.reset", "id": self.id, "target": target}
            if self.reason:
                message["reason"] = self.reason
        else:
            message = {
                "type": "kiosk.command",
                "id": self.id,
                "command": self.command,
                "target": target,
                "args": self.args or {},
                "when": self.when,
                "expiresAt": iso_z(self.expires_at, seconds=True),
            }
            if self.deadline is not None:
                message["deadline"] = iso_z(self.deadline, seconds=True)
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class Delivery(models.Model):
    PENDING = "pending"
    SENT = "sent"
    ACCEPTED = "accepted"
    RELOADED = "reloaded"
    DONE = "done"
    IGNORED = "ignored"
    FAILED = "failed"
    EXPIRED = "expired"
    WITHHELD = "withheld"
    STATE_CHOICES = [
        (PENDING, pgettext_lazy("delivery state", "pending")),
        (SENT, pgettext_lazy("delivery state", "sent")),
        (ACCEPTED, pgettext_lazy("delivery state", "accepted")),
        (RELOADED, pgettext_lazy("delivery state", "reloaded")),
        (DONE, pgettext_lazy("delivery state", "done")),
        (IGNORED, pgettext_lazy("delivery state", "ignored")),
        (FAILED, pgettext_lazy("delivery state", "failed")),
        (EXPIRED, pgettext_lazy("delivery state", "expired")),
        (WITHHELD, pgettext_lazy("delivery state", "withheld")),
    ]
    OPEN = (PENDING, SENT, ACCEPTED)
    TERMINAL = (RELOADED, DONE, IGNORED, FAILED, EXPIRED, WITHHELD)
    SUCCESS = (RELOADED, DONE)
    # States only move to a higher rank; terminal states never change.
    RANK = {PENDING: 0, SENT: 1, ACCEPTED: 2, **{state: 3 for state in TERMINAL}}

    command = models.ForeignKey(Command, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("command"))
    # SET_NULL and a copy of the id: deleting a kiosk keeps past commands' counts and rows.
    kiosk = models.ForeignKey(
        Kiosk, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries", verbose_name=_("kiosk"),
    )
    kiosk_key = models.CharField(_("kiosk id"), max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=STATE_CHOICES, default=PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    waiting_for = models.CharField(_("waiting for"), max_length=16, blank=True)
    ms = models.PositiveIntegerField(
        _("ms"), null=True, blank=True, help_text=_("Command received → done, per the kiosk."),
    )
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, help_text=_("First written to a live connection."))
    sends = models.PositiveSmallIntegerField(
        _("sends"), default=0, help_text=_("Frames written (a resend after a reconnect counts)."),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # A pending reset folded into a newer one on hello: it follows that delivery's state.
    collapsed_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="collapsed",
        verbose_name=_("folded into"),
    )
    late_status = models.CharField(
        _("late answer"), max_length=16, blank=True,
        help_text=_("A terminal answer that came after the expiry (the state stays expired)."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("The server's remark, e.g. a screenshot it refused."),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["command", "kiosk_key"], name="kiosk_fleet_one_delivery_per_kiosk"),
        ]
        indexes = [
            models.Index(fields=["kiosk", "state"], name="kiosk_fleet_delivery_pending"),
            models.Index(fields=["state", "expires_at"], name="kiosk_fleet_delivery_expiry"),
            models.Index(fields=["command", "state"], name="kiosk_fleet_delivery_counts"),
        ]

    def __str__(self):
        return "%s → %s: %s" % (self.command_id, self.kiosk_key, self.state)

    @property
    def is_open(self):
        return self.state in self.OPEN


class Screenshot(models.Model):
    """A kiosk.screenshot frame, checked to be a JPEG of the size it claims."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="screenshot", verbose_name=_("delivery"),
    )
    kiosk = models.ForeignKey(
        Kiosk, null=True, blank=True, on_delete=models.SET_NULL, related_name="screenshots", verbose_name=_("kiosk"),
    )
    kiosk_key = models.CharField(_("kiosk id"), max_length=64)
    mime = models.CharField(_("MIME type"), max_length=32, default="image/jpeg")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size"), help_text=_("Bytes of the image."))
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True, help_text=_("As the kiosk reports it."))
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    data = models.BinaryField(_("image"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")

    def __str__(self):
        return "screenshot of %s at %s" % (self.kiosk_key, self.received_at)


class Worker(models.Model):
    """A process (event loop) serving kiosk connections; alive while its heartbeat is fresh."""

    id = models.CharField(_("id"), primary_key=True, max_length=100)
    host = models.CharField(_("host"), max_length=100, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_heartbeat = models.DateTimeField(_("last heartbeat"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self):
        return self.id


class Connection(models.Model):
    """One live kiosk WebSocket. Removed on disconnect, or with its worker when that one dies."""

    id = models.CharField(_("id"), primary_key=True, max_length=32)
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="connections", verbose_name=_("worker"))
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="connections", verbose_name=_("kiosk"))
    channel_name = models.CharField(_("channel name"), max_length=200)
    client_host = models.CharField(_("client address"), max_length=64, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self):
        return "%s on %s" % (self.kiosk_id, self.worker_id)


class AnnouncementQuerySet(models.QuerySet):
    def current(self, now=None):
        """Not withdrawn and not ended: showing, or scheduled to show (the kiosk holds those
        until their start)."""
        now = now or timezone.now()
        return self.filter(withdrawn_at__isnull=True).filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))


class Announcement(models.Model):
    """A notice for the public on the kiosks' screens: a closed entrance, a fire drill.

    Sent to the targeted kiosks' live connections as ``{"type": "announcement", ...}`` when
    it is saved, to each kiosk on its hello, and listed in the content API's answer (see
    ``announcements.py``). Withdrawn, never deleted: the record of what was shown stays.
    """

    INFO = "info"
    URGENT = "urgent"
    LEVEL_CHOICES = [
        (INFO, _("info: visitors may close it")),
        (URGENT, _("urgent: on every screen, visitors cannot close it")),
    ]
    TARGET_CHOICES = [(ALL, _("all kiosks")), (GROUPS, _("the kiosks in these groups")), (KIOSKS, _("these kiosks"))]
    # (language code on the wire, field): English is required, the others fall back to it.
    LANGUAGE_FIELDS = (("en", "text_en"), ("es", "text_es"), ("zh-Hant", "text_zh_hant"), ("fil", "text_fil"))
    MAX_TEXT = 400  # what the kiosk shows at most

    # Explicit columns, one per language the kiosk speaks: plain Django, side by side in the admin.
    text_en = models.CharField(_("text (English)"), max_length=MAX_TEXT, help_text=_("Plain text, shown as it is."))
    text_es = models.CharField(_("text (Español)"), max_length=MAX_TEXT, blank=True, default="")
    text_zh_hant = models.CharField(_("text (中文)"), max_length=MAX_TEXT, blank=True, default="")
    text_fil = models.CharField(_("text (Filipino)"), max_length=MAX_TEXT, blank=True, default="")
    level = models.CharField(_("level"), max_length=8, choices=LEVEL_CHOICES, default=INFO)
    target_kind = models.CharField(_("for"), max_length=8, choices=TARGET_CHOICES, default=ALL)
    target_names = models.TextField(
        _("groups or kiosk ids"), blank=True, help_text=_("Comma-separated; not used for all kiosks."),
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, help_text=_("Blank: at once."))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Blank: until withdrawn."))
    # Text, not foreign keys, as for commands: deleting a user must not rewrite who published what.
    created_by_username = models.CharField(_("published by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("published"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_by_username = models.CharField(_("withdrawn by"), max_length=150, blank=True, editable=False)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        permissions = [("publish_announcement", _("Can publish and withdraw announcements on kiosks"))]

    SCHEDULED = "scheduled"
    SHOWING = "showing"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"
    STATE_LABELS = {SCHEDULED: _("scheduled"), SHOWING: _("showing"), ENDED: _("ended"), WITHDRAWN: _("withdrawn")}

    def __str__(self):
        text = self.text_en if len(self.text_en) <= 60 else self.text_en[:59] + "…"
        return "%s: %s" % (self.wire_id, text)

    @property
    def wire_id(self):
        return "a-%s" % self.pk

    @property
    def withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def target(self):
        if self.target_kind == ALL:
            return Target(ALL)
        return Target(self.target_kind, tuple(name for name in self.target_names.split(",") if name))

    def state(self, now=None):
        now = now or timezone.now()
        if self.withdrawn_at is not None:
            return self.WITHDRAWN
        if self.ends_at is not None and self.ends_at <= now:
            return self.ENDED
        if self.starts_at is not None and self.starts_at > now:
            return self.SCHEDULED
        return self.SHOWING

    def texts(self):
        """``{"en": ..., "es": ...}``: the languages that have a text."""
        return {code: getattr(self, field).strip() for code, field in self.LANGUAGE_FIELDS if getattr(self, field).strip()}

    def clean(self):
        errors = {}
        for _code, field in self.LANGUAGE_FIELDS:
            setattr(self, field, " ".join((getattr(self, field) or "").split()))
        if not self.text_en:
            errors["text_en"] = _("An announcement needs its English text.")
        if self.target_kind == ALL:
            self.target_names = ""
        else:
            try:
                names = split_groups(self.target_names)
            except ValidationError as exc:
                errors["target_names"] = exc.messages
            else:
                if names:
                    self.target_names = ",".join(Target.of(self.target_kind, names).names)
                else:
                    errors["target_names"] = _("Name at least one group or kiosk id.")
        if self.starts_at is not None and self.ends_at is not None and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        elif self.ends_at is not None and self._state.adding and self.ends_at <= timezone.now():
            errors["ends_at"] = _("The end must be in the future.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
