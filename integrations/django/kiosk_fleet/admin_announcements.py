"""Admin for announcements: publish, follow their state, withdraw.

Publishing, editing and withdrawing need ``kiosk_fleet.publish_announcement``; staff with
only "Can view announcement" see the list and the pages, read-only. Announcements are
withdrawn, never deleted, and each publication and withdrawal writes an admin LogEntry.
Saving one tells the targeted kiosks at once (``announcements.py``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Announcement

PUBLISH = "kiosk_fleet.publish_announcement"
LEVEL_NAMES = {Announcement.INFO: _("info"), Announcement.URGENT: _("urgent")}  # short, for sentences


def can_publish(request):
    return request.user.has_perm(PUBLISH)


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(Announcement.STATE_LABELS.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        live = queryset.filter(withdrawn_at__isnull=True)
        if value == Announcement.WITHDRAWN:
            return queryset.filter(withdrawn_at__isnull=False)
        if value == Announcement.ENDED:
            return live.filter(ends_at__lte=now)
        if value == Announcement.SCHEDULED:
            return live.current(now).filter(starts_at__gt=now)
        if value == Announcement.SHOWING:
            return live.current(now).exclude(starts_at__gt=now)
        return queryset


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ("text_en", "text_es", "text_zh_hant", "text_fil", "level", "target_kind", "target_names", "starts_at", "ends_at")
        widgets = {
            # Each box in its language, so that the browser picks its fonts and spell checker.
            **{field: forms.Textarea(attrs={"rows": 3, "cols": 40, "maxlength": Announcement.MAX_TEXT, "lang": code})
               for code, field in Announcement.LANGUAGE_FIELDS},
            "level": forms.RadioSelect,
            "target_kind": forms.RadioSelect,
            "target_names": forms.TextInput(attrs={"size": 60}),
        }


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    form = AnnouncementForm
    list_display = ("__str__", "level", "target_column", "starts_at", "ends_at", "state_column", "created_by_username", "created_at")
    list_filter = (StateFilter, "level")
    search_fields = ("text_en", "text_es", "text_zh_hant", "text_fil")
    actions = ["withdraw_selected"]
    fieldsets = (
        (_("Text"), {
            "fields": (("text_en", "text_es"), ("text_zh_hant", "text_fil")),
            "description": _("Plain text, at most 400 characters. English is required; a blank translation shows the English text."),
        }),
        (_("Who and when"), {"fields": ("level", "target_kind", "target_names", ("starts_at", "ends_at"))}),
    )
    record_fields = ("state_column", "created_by_username", "created_at", "updated_at", "withdrawn_at", "withdrawn_by_username")

    # ---- columns ---------------------------------------------------------------------------

    @admin.display(description=_("for"))
    def target_column(self, announcement):
        return announcement.target.label

    @admin.display(description=_("state"))
    def state_column(self, announcement):
        return Announcement.STATE_LABELS[announcement.state()]

    # ---- permissions -----------------------------------------------------------------------

    def has_add_permission(self, request):
        return can_publish(request)

    def has_change_permission(self, request, obj=None):
        # A withdrawn announcement is a record: it cannot be brought back or edited.
        return can_publish(request) and not (obj is not None and obj.withdrawn)

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn, not deleted: the record of what was shown stays

    def has_view_permission(self, request, obj=None):
        return can_publish(request) or super().has_view_permission(request, obj)

    def has_publish_permission(self, request):
        return can_publish(request)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return self.fieldsets + ((_("Record"), {"fields": self.record_fields}),)

    def get_readonly_fields(self, request, obj=None):
        return self.record_fields if obj is not None else ()

    # ---- publishing ------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not can_publish(request):
            raise PermissionDenied
        if not change:
            obj.created_by_username = request.user.get_username()
        super().save_model(request, obj, form, change)  # the signal tells the kiosks

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            announcement = form.instance
            return str(_("Published a %(level)s announcement for %(target)s.") % {
                "level": LEVEL_NAMES.get(announcement.level, announcement.level), "target": announcement.target.label,
            })
        return super().construct_change_message(request, form, formsets, add)

    @admin.action(description=_("Withdraw selected announcements"), permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        if not can_publish(request):
            raise PermissionDenied
        pending = list(queryset.filter(withdrawn_at__isnull=True))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Withdraw announcements?"),
                "announcements": pending,
                "selected": [str(a.pk) for a in queryset],
                "action": "withdraw_selected",
            }
            return TemplateResponse(request, "admin/kiosk_fleet/announcement/confirm_withdraw.html", context)
        now = timezone.now()
        for announcement in pending:
            announcement.withdrawn_at = now
            announcement.withdrawn_by_username = request.user.get_username()
            announcement.save(update_fields=["withdrawn_at", "withdrawn_by_username", "updated_at"])  # the signal tells the kiosks
            self.log_change(request, announcement, str(_("Withdrawn.")))
        self.message_user(
            request,
            ngettext("Withdrew %d announcement.", "Withdrew %d announcements.", len(pending)) % len(pending),
            messages.SUCCESS,
        )
        return None
