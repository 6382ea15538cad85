"""The content admin: each text with its translations side by side, one row per field."""

from django.contrib import admin

from .models import Event, Office
from .translation import translated_names


def side_by_side(*names):
    return tuple(tuple(translated_names(name)) for name in names)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "ends_at", "location")
    search_fields = tuple(translated_names("title")) + ("location", "description")
    date_hierarchy = "starts_at"
    fieldsets = (
        (None, {"fields": (("starts_at", "ends_at"), ("floor", "room"), "url")}),
        ("Text (English, Español, 中文, Filipino)", {
            "description": "A blank translation shows the English text on the kiosk.",
            "fields": side_by_side("title", "location", "description"),
        }),
    )


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "floor", "room", "hours", "phone", "is_information_desk")
    search_fields = tuple(translated_names("name")) + ("room", "description", "keywords")
    fieldsets = (
        (None, {"fields": (("floor", "room"), "phone", "url", "is_information_desk")}),
        ("Text (English, Español, 中文, Filipino)", {
            "description": "A blank translation shows the English text on the kiosk. Services: one per line. "
            "Keywords: more words visitors may search for, separated by commas.",
            "fields": side_by_side("name", "hours", "description", "services", "keywords"),
        }),
    )
