"""The kiosk API: plain JSON lists, readable only with a kiosk token, in the language the
kiosk asks for with ``?lang=`` (en, es, zh-Hant, fil; English where a field has no
translation)."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
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
    """Events that have not ended: ongoing ones, and those without an end starting today or later."""

    serializer_class = EventSerializer

    def get_queryset(self):
        now = timezone.now()
        start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        return Event.objects.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=start_of_today))


class OfficeList(KioskAPIView):
    serializer_class = OfficeSerializer
    queryset = Office.objects.all()
