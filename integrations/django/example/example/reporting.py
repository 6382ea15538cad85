import re

from django.views.debug import SafeExceptionReporterFilter


class KioskSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Also hides Authorization and Cookie headers (kiosk tokens, sessions) in error reports."""

    hidden_settings = re.compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|AUTH|COOKIE", flags=re.I)
