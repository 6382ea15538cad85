"""The kiosk API's JSON, in the language the kiosk asked for (``?lang=``), each text field
falling back to English when its translation is blank."""

from rest_framework import serializers

from .hours import parse_hours
from .models import Event, Office
from .translation import DEFAULT_LANGUAGE, localized, split_terms


class LocalizedSerializer(serializers.ModelSerializer):
    translated = ()
    term_lists = ()

    def to_representation(self, obj):
        data = super().to_representation(obj)
        language = self.context.get("language", DEFAULT_LANGUAGE)
        for name in self.translated:
            data[name] = localized(obj, name, language)
        for name in self.term_lists:
            data[name] = split_terms(localized(obj, name, language))
        if "url" in data:
            data["url"] = data["url"] or None
        return data


class EventSerializer(LocalizedSerializer):
    translated = ("title", "location", "description")

    class Meta:
        model = Event
        fields = ["id", "title", "starts_at", "ends_at", "location", "description", "floor", "room", "url"]


class OfficeSerializer(LocalizedSerializer):
    translated = ("name", "hours", "description")
    term_lists = ("services", "keywords")
    information_desk = serializers.BooleanField(source="is_information_desk", read_only=True)
    # The English hours as data, which the kiosk writes in each visitor's language; null when
    # they are not of the common form ("By appointment"), and the text shows as written.
    opening_hours = serializers.SerializerMethodField()

    class Meta:
        model = Office
        fields = ["id", "name", "floor", "room", "hours", "opening_hours", "phone", "description", "services", "keywords", "url", "information_desk"]

    def get_opening_hours(self, obj):
        return parse_hours(obj.hours)
