"""Admin for the fleet: enrol kiosks, see who is online, send commands, follow them to the end.

Every view that sends a command checks the command's permission on the server
(``send_reset``, ``send_command``, ``take_screenshot``), sends only on a POST that confirms
a page naming how many kiosks it will touch, goes through ``commands.send_command`` and
writes an admin LogEntry. Commands and deliveries are records: they cannot be added,
edited or deleted here. Tokens are shown once, in a message right after they are issued.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import health
from .commands import delivery_counts, expire_due, is_settled, send_command, targeted_kiosks
from .forms import CommandOptionsForm, SendCommandForm, known_groups
from .models import Command, Delivery, Kiosk, Screenshot, live_connections
from .targets import ALL, KIOSKS, Target
from .wire import iso_z, parse_iso

PERMISSIONS = {
    Command.RESET: "send_reset",
    Command.SCREENSHOT: "take_screenshot",
    Command.HOME: "send_command",
    Command.CLEAR_SESSION: "send_command",
    Command.RESTART: "send_command",
    Command.DISPLAY: "send_command",
}
LABELS = dict(Command.COMMAND_CHOICES)
STATE_LABELS = dict(Delivery.STATE_CHOICES)
ORIGIN_LABELS = {"admin": _("admin"), "command line": _("command line"), "python": _("python")}
WAITING_LABELS = {"idle": _("idle"), "stagger": _("stagger"), "privacy": _("privacy")}
PAGE_SIZE = 100
SCREENSHOT_PAGE_SIZE = 24
POLL_SECONDS = 2
SAMPLE = 30  # kiosk ids named on a confirmation page


def origin_label(origin):
    return ORIGIN_LABELS.get(origin, origin) if origin else gettext("unknown sender")


def can_send(request, command):
    return request.user.has_perm("kiosk_fleet." + PERMISSIONS[command])


def can_view_screenshots(request):
    return request.user.has_perm("kiosk_fleet.take_screenshot") or request.user.has_perm("kiosk_fleet.view_screenshot")


def admin_url(admin_site, name, *args):
    return reverse("%s:%s" % (admin_site.name, name), args=args, current_app=admin_site.name)


def command_page_url(admin_site, command):
    return admin_url(admin_site, "kiosk_fleet_command_change", command.pk)


def when_text(value, now=None):
    """A date and its relative age, e.g. ``28 Nov 2026, 10:04 (3 minutes ago)``."""
    if value is None:
        return gettext("never")
    now = now or timezone.now()
    local = timezone.localtime(value)
    if value > now:
        relative = gettext("in %(delta)s") % {"delta": timesince(now, value)}
    else:
        relative = gettext("%(delta)s ago") % {"delta": timesince(value, now)}
    return "%s (%s)" % (date_format(local, "DATETIME_FORMAT"), relative)


def confirm_title(command, count):
    """The confirmation page's title, e.g. ``Reset 3 kiosks?``."""
    if command == Command.RESET:
        return ngettext("Reset %(count)d kiosk?", "Reset %(count)d kiosks?", count) % {"count": count}
    return ngettext("Send %(command)s to %(count)d kiosk?", "Send %(command)s to %(count)d kiosks?", count) % {
        "command": LABELS[command], "count": count,
    }


def confirm_label(command, count):
    """The confirmation page's button, e.g. ``Yes, reset 3 kiosks``."""
    if command == Command.RESET:
        return ngettext("Yes, reset %(count)d kiosk", "Yes, reset %(count)d kiosks", count) % {"count": count}
    return ngettext("Yes, send %(command)s to %(count)d kiosk", "Yes, send %(command)s to %(count)d kiosks", count) % {
        "command": LABELS[command], "count": count,
    }


def progress_text(succeeded, total, is_reset, still_open=0):
    """``3 of 5 reloaded`` (a reset) or ``3 of 5 done``, and ``, 2 open`` while some are."""
    values = {"succeeded": succeeded, "total": total}
    if is_reset:
        text = ngettext("%(succeeded)d of %(total)d reloaded", "%(succeeded)d of %(total)d reloaded", succeeded) % values
    else:
        text = ngettext("%(succeeded)d of %(total)d done", "%(succeeded)d of %(total)d done", succeeded) % values
    if still_open:
        text = gettext("%(progress)s, %(open)d open") % {"progress": text, "open": still_open}
    return text


def state_text(state, waiting_for=""):
    """A delivery's state for people, e.g. ``accepted (waiting for idle)``."""
    label = STATE_LABELS.get(state, state)
    if waiting_for:
        return gettext("%(state)s (waiting for %(what)s)") % {"state": label, "what": WAITING_LABELS.get(waiting_for, waiting_for)}
    return str(label)


def late_text(status):
    return gettext("answered %(status)s after the expiry") % {"status": STATE_LABELS.get(status, status)}


class OnlineFilter(admin.SimpleListFilter):
    title = _("online")
    parameter_name = "online"

    def lookups(self, request, model_admin):
        return (("yes", _("online")), ("no", _("offline")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(online=True)
        if self.value() == "no":
            return queryset.filter(online=False)
        return queryset


class GroupFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(name, name) for name in known_groups()]

    def queryset(self, request, queryset):
        name = self.value()
        if not name:
            return queryset
        # Stored sorted and comma-separated: match the name as a whole item.
        return queryset.filter(
            Q(groups=name) | Q(groups__startswith=name + ",") | Q(groups__endswith="," + name)
            | Q(groups__contains="," + name + ",")
        )


class AttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return (("yes", _("needs attention")), ("no", _("fine (a display off on purpose is fine)")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(health.attention_q())
        if self.value() == "no":
            return queryset.exclude(health.attention_q())
        return queryset


class DisplayFilter(admin.SimpleListFilter):
    title = _("display")
    parameter_name = "display"

    def lookups(self, request, model_admin):
        return (*health.DISPLAY_LABELS.items(), ("unknown", _("not reported")))

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unknown":
            return queryset.filter(display_state="")
        if value:
            return queryset.filter(display_state=value)
        return queryset


def _command_action(name, command, fixed_args, description):
    def action(modeladmin, request, queryset):
        return modeladmin.confirm_for_selection(request, queryset, name, command, fixed_args)

    action.__name__ = name
    return admin.action(description=description, permissions=[PERMISSIONS[command]])(action)


COMMAND_ACTIONS = [
    _command_action("reset_selected", Command.RESET, None, _("Reset selected kiosks")),
    _command_action("home_selected", Command.HOME, None, _("Home: back to the home screen, visitor's session wiped")),
    _command_action("screenshot_selected", Command.SCREENSHOT, None, _("Screenshot of selected kiosks")),
    _command_action("display_off_selected", Command.DISPLAY, {"power": "off"}, _("Display off")),
    _command_action("display_on_selected", Command.DISPLAY, {"power": "on"}, _("Display on")),
    _command_action("restart_selected", Command.RESTART, None, _("Restart the kiosk shell")),
    _command_action(
        "clear_session_selected", Command.CLEAR_SESSION, None, _("Clear session: storage, cookies and caches, then reload"),
    ),
]


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = (
        "kiosk_id", "name", "groups", "online_column", "attention_column", "version", "display_column", "last_seen_column",
        "thumbnail", "last_answer", "revoked",
    )
    list_filter = (
        OnlineFilter, AttentionFilter, GroupFilter, ("version", admin.AllValuesFieldListFilter), DisplayFilter, "revoked",
    )
    search_fields = ("kiosk_id", "name", "groups")
    actions = COMMAND_ACTIONS + ["rotate_token", "revoke_selected"]
    change_list_template = "admin/kiosk_fleet/kiosk/change_list.html"
    change_form_template = "admin/kiosk_fleet/kiosk/change_form.html"
    status_fields = (
        "last_seen", "version", "display_state", "renderer_state", "uplink_state", "uptime_seconds",
        "last_api_ok_at", "last_status_at", "last_ack_command", "last_ack_status", "last_ack_at",
        "rejected_frames", "last_rejected_reason", "last_rejected_at", "created_at",
    )
    readonly_fields = status_fields
    fieldsets = (
        (None, {"fields": ("kiosk_id", "name", "groups", "revoked")}),
        (_("Reported by the kiosk"), {"fields": status_fields}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_online()

    def get_readonly_fields(self, request, obj=None):
        # The id is in the kiosk's config and in its channel group name: fixed once enrolled.
        return self.readonly_fields + (("kiosk_id",) if obj else ())

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.fieldsets[:1]

    def get_list_display(self, request):
        if can_view_screenshots(request):
            return self.list_display
        return tuple(name for name in self.list_display if name != "thumbnail")

    # ---- columns -------------------------------------------------------------------------------

    @admin.display(description=_("online"), boolean=True, ordering="online")
    def online_column(self, kiosk):
        return kiosk.online

    @admin.display(description=_("display"), ordering="display_state")
    def display_column(self, kiosk):
        return health.display_text(kiosk)

    @admin.display(description=_("needs attention"), boolean=True)
    def attention_column(self, kiosk):
        # A display off on purpose (scheduled or commanded) is not a failure.
        return health.needs_attention(kiosk, kiosk.online)

    @admin.display(description=_("last seen"), ordering="last_seen")
    def last_seen_column(self, kiosk):
        return when_text(kiosk.last_seen)

    @admin.display(description=_("screenshot"))
    def thumbnail(self, kiosk):
        if not kiosk.latest_screenshot_id:
            return "-"
        url = admin_url(self.admin_site, "kiosk_fleet_screenshot", kiosk.latest_screenshot_id)
        return format_html(
            '<a href="{}"><img src="{}" class="kiosk-fleet-thumb" width="96" loading="lazy" alt="{}"></a>',
            url, url, gettext("Latest screenshot of %(kiosk)s") % {"kiosk": kiosk.kiosk_id},
        )

    @admin.display(description=_("last answer"))
    def last_answer(self, kiosk):
        if not kiosk.last_ack_command_id:
            return "-"
        return "%s (%s)" % (kiosk.last_ack_command_id, STATE_LABELS.get(kiosk.last_ack_status, kiosk.last_ack_status))

    # ---- tokens --------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        token = None
        if not change:
            token = obj.issue_token()
        elif not obj.revoked and getattr(obj, "_loaded_revoked", False):
            # Admitted again: revoking destroyed the old token, so it gets a new one.
            token = obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            if change:
                self.log_change(request, obj, "Admitted again with a new token.")
            self._show_token_once(request, obj, token)

    def _show_token_once(self, request, kiosk, token):
        self.message_user(
            request,
            format_html(
                gettext(
                    "Token of kiosk “{kiosk}”. Copy it now: it is shown only this once. "
                    "In the kiosk's config, set upstream.ws.token and upstream.api.token to "
                    "<code>Token {token}</code>, and upstream.ws.url to <code>wss://{host}/ws/kiosk/</code>"
                ),
                kiosk=kiosk.kiosk_id,
                token=token,
                host=request.get_host(),
            ),
            level=messages.WARNING,
        )

    @admin.action(description=_("Rotate token (the old one stops working)"), permissions=["change"])
    def rotate_token(self, request, queryset):
        for kiosk in queryset:
            if kiosk.revoked:
                self.message_user(
                    request,
                    gettext("%(kiosk)s is revoked: untick “revoked” on its page to admit it with a new token.") % {"kiosk": kiosk},
                    messages.ERROR,
                )
                continue
            token = kiosk.issue_token()
            kiosk.save(update_fields=["token_hash"])  # signal: live connections close
            self.log_change(request, kiosk, "Rotated token.")
            self._show_token_once(request, kiosk, token)

    @admin.action(description=_("Revoke selected kiosks (disconnect, destroy their tokens)"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        for kiosk in queryset.filter(revoked=False):
            kiosk.revoked = True
            kiosk.save(update_fields=["revoked"])  # destroys the token; signal: live connections close
            self.log_change(request, kiosk, "Revoked.")
        self.message_user(request, gettext("Revoked. Their connections are closed and their tokens destroyed."))

    # ---- permissions of the command actions ----------------------------------------------------

    def has_send_reset_permission(self, request):
        return can_send(request, Command.RESET)

    def has_send_command_permission(self, request):
        return request.user.has_perm("kiosk_fleet.send_command")

    def has_take_screenshot_permission(self, request):
        return can_send(request, Command.SCREENSHOT)

    # ---- sending -------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view  # login, staff check, CSRF protection, no caching
        return [
            path("reset-all/", view(self.reset_all_view), name="kiosk_fleet_kiosk_reset_all"),
            path("send/", view(self.send_view), name="kiosk_fleet_kiosk_send"),
            path("screenshot/<int:pk>/", view(self.screenshot_view), name="kiosk_fleet_screenshot"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        kiosks = Kiosk.objects.filter(revoked=False)
        extra_context = {
            "can_send_reset": can_send(request, Command.RESET),
            "can_send_any": any(can_send(request, c) for c in PERMISSIONS),
            "reset_all_url": admin_url(self.admin_site, "kiosk_fleet_kiosk_reset_all"),
            "send_url": admin_url(self.admin_site, "kiosk_fleet_kiosk_send"),
            "online_count": kiosks.online().count(),
            "kiosk_count": kiosks.count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def _send(self, request, command, target, kwargs):
        if not can_send(request, command):
            raise PermissionDenied
        created = send_command(command, target, user=request.user, origin="admin", **kwargs)
        self.log_addition(request, created, "Sent %s to %d kiosk(s) (%s)." % (command, created.targeted, created.target))
        return HttpResponseRedirect(command_page_url(self.admin_site, created))

    def _confirmation(self, request, command, target, kiosk_ids, form, hidden, form_action, fixed_args=None):
        """The page that names how many kiosks a command will touch, and sends it only if confirmed."""
        online = Kiosk.objects.filter(kiosk_id__in=kiosk_ids).online().count() if kiosk_ids else 0
        option_names = ["when", "expires_in_minutes", "reason"]
        if command == Command.SCREENSHOT:
            option_names.append("max_width")
        if command == Command.DISPLAY and fixed_args is None:
            option_names.append("power")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": confirm_title(command, len(kiosk_ids)),
            "command": command,
            "command_label": LABELS[command],
            "power": (fixed_args or {}).get("power"),
            "power_label": health.POWER_LABELS.get((fixed_args or {}).get("power")),
            "target": target,
            "count": len(kiosk_ids),
            "online": online,
            "offline": len(kiosk_ids) - online,
            "sample": kiosk_ids[:SAMPLE],
            "more": max(0, len(kiosk_ids) - SAMPLE),
            "options": [form[name] for name in option_names],
            "hidden": hidden,
            "form_action": form_action,
            "confirm_label": confirm_label(command, len(kiosk_ids)),
            "errors": form.non_field_errors() if form.is_bound else None,
        }
        return TemplateResponse(request, "admin/kiosk_fleet/kiosk/confirm_command.html", context)

    def confirm_for_selection(self, request, queryset, action_name, command, fixed_args):
        """An admin action: confirm, then send ``command`` to the selected (non-revoked) kiosks."""
        if not can_send(request, command):
            raise PermissionDenied
        kiosk_ids = list(queryset.filter(revoked=False).order_by("kiosk_id").values_list("kiosk_id", flat=True))
        confirmed = request.POST.get("confirm") == "yes"
        form = CommandOptionsForm(request.POST if confirmed else None)
        if confirmed and kiosk_ids and form.is_valid():
            try:
                kwargs = form.send_kwargs(command, fixed_args)
            except Exception as exc:  # noqa: BLE001 -- a ValidationError: show it on the page
                form.add_error(None, exc)
            else:
                return self._send(request, command, Target.of(KIOSKS, kiosk_ids), kwargs)
        hidden = [("action", action_name), ("confirm", "yes")]
        hidden += [(admin.helpers.ACTION_CHECKBOX_NAME, pk) for pk in request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)]
        if request.POST.get("select_across"):
            hidden.append(("select_across", request.POST["select_across"]))
        return self._confirmation(request, command, gettext("the selected kiosks"), kiosk_ids, form, hidden, "", fixed_args)

    def reset_all_view(self, request):
        """The "Reset all kiosks" button: a POST that shows the confirmation page."""
        if not can_send(request, Command.RESET):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])  # a GET (link, prefetch) never sends
        data = {"command": Command.RESET, "target": ALL, "reason": request.POST.get("reason", "")}
        form = SendCommandForm(data, allowed_commands=[Command.RESET])
        form.is_valid()
        return self._send_confirmation(request, form)

    def send_view(self, request):
        """Send a command to all kiosks, some groups or some kiosks: form → confirmation → send."""
        allowed = [command for command in PERMISSIONS if can_send(request, command)]
        if not allowed:
            raise PermissionDenied
        if request.method == "POST":
            data = request.POST
        elif "command" in request.GET:
            data = request.GET  # a link from a kiosk's page: shows the confirmation, never sends
        else:
            data = None
        form = SendCommandForm(data, allowed_commands=allowed)
        if data is not None and form.is_valid():
            command = form.cleaned_data["command"]
            if not can_send(request, command):
                raise PermissionDenied
            if request.method == "POST" and data.get("confirm") == "yes":
                return self._send(request, command, form.cleaned_data["target_value"], form.cleaned_data["send_kwargs"])
            return self._send_confirmation(request, form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Send a command to kiosks"),
            "form": form,
        }
        return TemplateResponse(request, "admin/kiosk_fleet/kiosk/send_command.html", context)

    def _send_confirmation(self, request, form):
        data = form.cleaned_data
        target = data["target_value"]
        kiosk_ids = [kiosk.kiosk_id for kiosk in targeted_kiosks(target)]
        hidden = [("command", data["command"]), ("target", data["target"]), ("confirm", "yes")]
        hidden += [("groups", name) for name in data.get("groups") or []]
        if data["target"] == KIOSKS:
            hidden.append(("kiosks", ",".join(target.names)))
        return self._confirmation(
            request, data["command"], target.label, kiosk_ids, form, hidden,
            admin_url(self.admin_site, "kiosk_fleet_kiosk_send"),
        )

    # ---- the kiosk's page ----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        kiosk = self.get_object(request, unquote(object_id))
        extra = {}
        if kiosk is not None:
            extra = self._kiosk_panel(request, kiosk)
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _kiosk_panel(self, request, kiosk):
        now = timezone.now()
        connections = list(live_connections(now).filter(kiosk=kiosk).order_by("opened_at").values("worker_id", "opened_at", "client_host"))
        uptime = None
        if kiosk.uptime_seconds is not None and kiosk.last_status_at is not None:
            uptime = kiosk.uptime_seconds + (int((now - kiosk.last_status_at).total_seconds()) if connections else 0)
        send_url = admin_url(self.admin_site, "kiosk_fleet_kiosk_send")
        buttons = []
        for label, command, args in (
            (gettext("Reset this kiosk"), Command.RESET, {}),
            (gettext("Home"), Command.HOME, {}),
            (gettext("Screenshot"), Command.SCREENSHOT, {}),
            (gettext("Display off"), Command.DISPLAY, {"power": "off"}),
            (gettext("Display on"), Command.DISPLAY, {"power": "on"}),
            (gettext("Restart"), Command.RESTART, {}),
            (gettext("Clear session"), Command.CLEAR_SESSION, {}),
        ):
            if can_send(request, command) and not kiosk.revoked:
                query = {"command": command, "target": KIOSKS, "kiosks": kiosk.kiosk_id, **args}
                buttons.append((label, "%s?%s" % (send_url, urlencode(query))))
        recent = (
            kiosk.deliveries.select_related("command")
            .annotate(screenshot_pk=F("screenshot__pk"))
            .order_by("-command__created_at")[:20]
        )
        screenshots = []
        if can_view_screenshots(request):
            screenshots = [
                (admin_url(self.admin_site, "kiosk_fleet_screenshot", pk), received_at, width, height)
                for pk, received_at, width, height in kiosk.screenshots.order_by("-received_at").values_list(
                    "pk", "received_at", "width", "height"
                )[:3]
            ]
        return {
            "fleet_kiosk": kiosk,
            "fleet_online": bool(connections),
            "fleet_connections": connections,
            "fleet_uptime": uptime,
            "fleet_last_seen": when_text(kiosk.last_seen, now),
            "fleet_buttons": buttons,
            "fleet_recent": [
                {
                    "delivery": d,
                    "url": command_page_url(self.admin_site, d.command),
                    "sent": when_text(d.command.created_at, now),
                    "late": late_text(d.late_status) if d.late_status else "",
                    "screenshot_url": admin_url(self.admin_site, "kiosk_fleet_screenshot", d.screenshot_pk)
                    if d.screenshot_pk and can_view_screenshots(request) else None,
                }
                for d in recent
            ],
            "fleet_screenshots": screenshots,
            "fleet_display": health.display_text(kiosk, now),
            "fleet_schedule": health.schedule_rows(kiosk, now),
        }

    def screenshot_view(self, request, pk):
        if not can_view_screenshots(request):
            raise PermissionDenied
        shot = Screenshot.objects.filter(pk=pk).only("data", "mime").first()
        if shot is None:
            raise Http404("No such screenshot.")
        response = HttpResponse(bytes(shot.data), content_type="image/jpeg")  # checked to be a JPEG when stored
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'"
        response["Cache-Control"] = "private, max-age=3600"
        return response


@admin.register(Command)
class CommandAdmin(admin.ModelAdmin):
    list_display = ("id", "command", "target_display", "created_by_display", "created_at", "expires_at", "progress")
    list_filter = ("command", "target_kind", "origin")
    search_fields = ("id", "reason", "target_names", "created_by_username")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            total=Count("deliveries"),
            succeeded=Count("deliveries", filter=Q(deliveries__state__in=Delivery.SUCCESS)),
            still_open=Count("deliveries", filter=Q(deliveries__state__in=Delivery.OPEN)),
        )

    @admin.display(description=_("target"))
    def target_display(self, command):
        return command.target.label

    @admin.display(description=_("sent by"), ordering="created_by_username")
    def created_by_display(self, command):
        return command.created_by_username or "(%s)" % origin_label(command.origin)

    @admin.display(description=_("progress"))
    def progress(self, command):
        still_open = command.still_open if command.expires_at > timezone.now() else 0
        return progress_text(command.succeeded, command.total, command.is_reset, still_open)

    # Commands are records: created only by send_command, never edited or deleted.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or any(can_send(request, c) for c in PERMISSIONS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/progress/", view(self.progress_view), name="kiosk_fleet_command_progress"),
        ] + super().get_urls()

    def _command_or_404(self, request, object_id):
        command = self.get_object(request, unquote(object_id))
        if command is None:
            raise Http404("No such command.")
        if not self.has_view_permission(request, command):
            raise PermissionDenied
        return command

    def _page(self, request, command):
        state = request.GET.get("state") or ""
        rows = command.deliveries.select_related("kiosk").annotate(screenshot_pk=F("screenshot__pk"))
        if state in dict(Delivery.STATE_CHOICES):
            rows = rows.filter(state=state)
        else:
            state = ""
        size = SCREENSHOT_PAGE_SIZE if command.command == Command.SCREENSHOT else PAGE_SIZE
        page = Paginator(rows.order_by("kiosk_key"), size).get_page(request.GET.get("p"))
        return state, page

    def _row(self, request, delivery, show_screenshots, full=True):
        row = {
            "kiosk": delivery.kiosk_key,
            "state": delivery.state,
            "stateText": state_text(delivery.state, delivery.waiting_for),
            "reason": delivery.reason,
            "waitingFor": delivery.waiting_for,
            "ms": delivery.ms,
            "updatedText": date_format(timezone.localtime(delivery.updated_at), "DATETIME_FORMAT"),
            "note": delivery.note,
            "late": delivery.late_status,
            "lateText": late_text(delivery.late_status) if delivery.late_status else "",
            "screenshotAlt": gettext("Screenshot of %(kiosk)s") % {"kiosk": delivery.kiosk_key},
            "screenshot": admin_url(self.admin_site, "kiosk_fleet_screenshot", delivery.screenshot_pk)
            if show_screenshots and delivery.screenshot_pk else None,
        }
        if full:
            row["kioskUrl"] = admin_url(self.admin_site, "kiosk_fleet_kiosk_change", delivery.kiosk_id) if delivery.kiosk_id else None
            row["name"] = delivery.kiosk.name if delivery.kiosk_id else gettext("(deleted)")
        return row

    # Rows changed this long before the previous poll are sent again: a row written while
    # that poll ran, and committed after it, is not missed.
    POLL_OVERLAP = timedelta(seconds=2)

    def _progress(self, request, command, since=None):
        """``(json, state filter, page)``: what the page shows, or the poll returns.

        With ``since`` (the previous poll's ``now``), ``rows`` holds only the rows of the page
        that changed after it, so a poll while nothing happens is a few hundred bytes.
        """
        now = timezone.now()
        expire_due(now, command_id=command.pk)
        counts = delivery_counts(command)
        state, page = self._page(request, command)
        show_screenshots = command.command == Command.SCREENSHOT and can_view_screenshots(request)
        rows = page.object_list
        if since is not None:
            rows = [d for d in rows if d.updated_at >= since - self.POLL_OVERLAP]
        return {
            "id": command.id,
            "now": iso_z(now),
            "counts": counts,
            "settled": is_settled(counts),
            "summary": progress_text(counts["succeeded"], counts["total"], command.is_reset),
            "state": state,
            "page": {"number": page.number, "pages": page.paginator.num_pages},
            "rows": [self._row(request, d, show_screenshots, full=since is None) for d in rows],
        }, state, page

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        command = self._command_or_404(request, object_id)
        progress, state, page = self._progress(request, command)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "%s %s" % (capfirst(LABELS[command.command]), command.id),
            "command": command,
            "command_label": LABELS[command.command],
            "progress": progress,
            "counts": progress["counts"],
            "states": [(value, label, progress["counts"][value]) for value, label in Delivery.STATE_CHOICES],
            "state": state,
            "state_label": STATE_LABELS.get(state, state),
            "page": page,
            "rows": progress["rows"],
            "show_screenshots": command.command == Command.SCREENSHOT and can_view_screenshots(request),
            "now": progress["now"],
            "progress_url": "%s?%s" % (
                admin_url(self.admin_site, "kiosk_fleet_command_progress", command.pk),
                urlencode({"state": state, "p": page.number}),
            ),
            "poll_seconds": POLL_SECONDS,
            "target_label": command.target.label,
            "origin_label": origin_label(command.origin),
            "created": when_text(command.created_at),
            "expires": when_text(command.expires_at),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/kiosk_fleet/command/status.html", context)

    def progress_view(self, request, object_id):
        """The small JSON the command page polls: counts per state and the rows of one page."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        command = self._command_or_404(request, object_id)
        return JsonResponse(self._progress(request, command, since=parse_iso(request.GET.get("since")))[0])


# Announcements have an admin module of their own.
from . import admin_announcements  # noqa: E402,F401
