from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KioskFleetConfig(AppConfig):
    name = "kiosk_fleet"
    verbose_name = _("Kiosk fleet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects the receivers that tell live kiosk connections about admin edits.
        from . import signals  # noqa: F401
        # Registers the system checks (see checks.py).
        from . import checks  # noqa: F401
