"""Admin for the fleet: enrol kiosks, push resets, watch them being acknowledged.

Every view that sends a reset checks the ``kiosk_fleet.send_reset`` permission on the
server, accepts POST only, and goes through ``resets.send_reset``. Tokens are shown once,
in a message right after they are issued, and are never part of a form or a log entry.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .forms import ResetGroupForm, ResetReasonForm
from .models import Kiosk, ResetCommand, ResetDelivery
from .resets import delivery_counts, is_settled, send_reset

SEND_RESET_PERMISSION = "kiosk_fleet.send_reset"
REFRESH_SECONDS = 3


def can_send_reset(request):
    return request.user.has_perm(SEND_RESET_PERMISSION)


def reset_page_url(admin_site, reset):
    return reverse("%s:kiosk_fleet_resetcommand_change" % admin_site.name, args=[reset.pk], current_app=admin_site.name)


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = (
        "kiosk_id", "name", "groups", "is_online", "version", "renderer_state", "uplink_state",
        "last_seen", "last_ack", "revoked",
    )
    list_filter = ("revoked", "renderer_state", "uplink_state")
    search_fields = ("kiosk_id", "name", "groups")
    actions = ["reset_selected", "rotate_token", "revoke_selected"]
    change_list_template = "admin/kiosk_fleet/kiosk/change_list.html"
    status_fields = (
        "connections", "last_seen", "version", "renderer_state", "uplink_state", "uptime_seconds",
        "last_api_ok_at", "last_status_at", "last_ack_reset", "last_ack_status", "last_ack_at", "created_at",
    )
    readonly_fields = status_fields
    fieldsets = (
        (None, {"fields": ("kiosk_id", "name", "groups", "revoked")}),
        ("Reported by the kiosk", {"fields": status_fields}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The id is in the kiosk's config and in its channel group name: fixed once enrolled.
        return self.readonly_fields + (("kiosk_id",) if obj else ())

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.fieldsets[:1]

    @admin.display(description="last reset")
    def last_ack(self, kiosk):
        if not kiosk.last_ack_reset_id:
            return "-"
        return "%s (%s)" % (kiosk.last_ack_reset_id, kiosk.last_ack_status)

    def save_model(self, request, obj, form, change):
        token = obj.issue_token() if not change else None
        super().save_model(request, obj, form, change)
        if token:
            self._show_token_once(request, obj, token)

    def _show_token_once(self, request, kiosk, token):
        self.message_user(
            request,
            format_html(
                "Token of kiosk “{}”. Copy it now: it is shown only this once. "
                "In the kiosk's config, set upstream.ws.token and upstream.api.token to "
                "<code>Token {}</code>",
                kiosk.kiosk_id,
                token,
            ),
            level=messages.WARNING,
        )

    # ---- actions ---------------------------------------------------------------------------

    def has_send_reset_permission(self, request):
        return can_send_reset(request)

    @admin.action(description="Reset selected kiosks", permissions=["send_reset"])
    def reset_selected(self, request, queryset):
        reset = send_reset({"kiosks": list(queryset.values_list("kiosk_id", flat=True))}, user=request.user)
        return HttpResponseRedirect(reset_page_url(self.admin_site, reset))

    @admin.action(description="Rotate token (the old one stops working)", permissions=["change"])
    def rotate_token(self, request, queryset):
        for kiosk in queryset:
            token = kiosk.issue_token()
            kiosk.save(update_fields=["token_hash"])  # signal: live connections close
            self.log_change(request, kiosk, "Rotated token.")
            self._show_token_once(request, kiosk, token)

    @admin.action(description="Revoke selected kiosks (disconnect, refuse their tokens)", permissions=["change"])
    def revoke_selected(self, request, queryset):
        for kiosk in queryset.filter(revoked=False):
            kiosk.revoked = True
            kiosk.save(update_fields=["revoked"])  # signal: live connections close
            self.log_change(request, kiosk, "Revoked.")
        self.message_user(request, "Revoked. Their connections are closed and their tokens refused.")

    # ---- reset views -----------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view  # login, staff check, CSRF protection, no caching
        return [
            path("reset-all/", view(self.reset_all_view), name="kiosk_fleet_kiosk_reset_all"),
            path("reset-group/", view(self.reset_group_view), name="kiosk_fleet_kiosk_reset_group"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        site = self.admin_site.name
        extra_context = {
            "can_send_reset": can_send_reset(request),
            "reset_all_url": reverse("%s:kiosk_fleet_kiosk_reset_all" % site, current_app=site),
            "reset_group_url": reverse("%s:kiosk_fleet_kiosk_reset_group" % site, current_app=site),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def reset_all_view(self, request):
        if not can_send_reset(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])  # a GET (link, prefetch) never sends
        form = ResetReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        reset = send_reset("all", reason=reason, user=request.user)
        return HttpResponseRedirect(reset_page_url(self.admin_site, reset))

    def reset_group_view(self, request):
        if not can_send_reset(request):
            raise PermissionDenied
        form = ResetGroupForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            reset = send_reset({"groups": form.cleaned_data["groups"]}, form.cleaned_data["reason"], request.user)
            return HttpResponseRedirect(reset_page_url(self.admin_site, reset))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reset kiosks by group",
            "form": form,
        }
        return TemplateResponse(request, "admin/kiosk_fleet/kiosk/reset_group.html", context)


@admin.register(ResetCommand)
class ResetCommandAdmin(admin.ModelAdmin):
    list_display = ("id", "target_display", "reason", "created_by", "created_at", "progress")
    list_filter = ("target_kind",)
    search_fields = ("id", "reason", "target_names")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(
                total=Count("deliveries"),
                reloaded=Count("deliveries", filter=Q(deliveries__state=ResetDelivery.ACKNOWLEDGED)),
            )
        )

    @admin.display(description="target")
    def target_display(self, reset):
        return str(reset.target)

    @admin.display(description="progress")
    def progress(self, reset):
        return "%d of %d reloaded" % (reset.reloaded, reset.total)

    # Resets are records: created only by send_reset, never edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_send_reset(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        reset = self.get_object(request, unquote(object_id))
        if reset is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_permission(request, reset):
            raise PermissionDenied
        counts = delivery_counts(reset)
        deliveries = reset.deliveries.select_related("kiosk").only(
            "state", "ms", "updated_at", "kiosk__kiosk_id", "kiosk__name"
        ).order_by("kiosk__kiosk_id")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reset %s" % reset.id,
            "reset": reset,
            "counts": counts,
            "deliveries": deliveries,
            # Keep refreshing while answers can still arrive.
            "refresh_seconds": None if is_settled(reset, counts) else REFRESH_SECONDS,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/kiosk_fleet/resetcommand/status.html", context)
