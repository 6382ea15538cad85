from rest_framework import serializers

from .models import Event, Office


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "title", "starts_at", "ends_at", "location", "description"]


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "name", "floor", "room", "hours", "phone", "description"]
