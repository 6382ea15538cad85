from django.contrib import admin

from .models import Event, Office


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "ends_at", "location")
    search_fields = ("title", "location", "description")
    date_hierarchy = "starts_at"


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "floor", "room", "hours", "phone")
    search_fields = ("name", "room", "description")
