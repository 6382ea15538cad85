"""The kiosk API: plain JSON lists, readable only with a kiosk token, in the language the
kiosk asks for with ``?lang=`` (en, es, zh-Hant, fil; English where a field has no
translation)."""

from datetime import datetime, time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.response import Response
from rest_framework.generics import ListAPIView

from kiosk_fleet.authentication import IsKiosk, KioskTokenAuthentication

from .models import Event, Office
from .serializers import EventSerializer, OfficeSerializer
from .translation import normalize_language


class KioskAPIView(ListAPIView):
    authentication_classes = [KioskTokenAuthentication]
    permission_classes = [IsKiosk]
    pagination_class = None  # the lists are short; kiosks want the whole thing

    def language(self):
        return normalize_language(self.request.query_params.get("lang"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": self.language()}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Content-Language"] = self.language()
        return response


class EventList(KioskAPIView):
    """Events that have not ended: ongoing ones, and those without an end starting today or later.

    With ``KIOSK_CONTENT_ANNOUNCEMENTS`` set (the dotted path of a callable taking the
    request and returning the announcements current for the asking kiosk, each
    ``{"id", "level": "info"|"urgent", "text": {"en": ..., "es": ...}, "startsAt", "endsAt"}``),
    the answer is ``{"events": [...], "announcements": [...]}``, so that a kiosk shows them
    as soon as it loads, from the relay's kept copy too. Without it, the plain list.
    """

    serializer_class = EventSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        provider = getattr(settings, "KIOSK_CONTENT_ANNOUNCEMENTS", None)
        if not provider:
            return response
        return Response({"events": response.data, "announcements": list(import_string(provider)(request))})

    def get_queryset(self):
        now = timezone.now()
        start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        return Event.objects.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=start_of_today))


class OfficeList(KioskAPIView):
    serializer_class = OfficeSerializer
    queryset = Office.objects.all()
