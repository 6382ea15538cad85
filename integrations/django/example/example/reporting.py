import re

from django.utils.regex_helper import _lazy_re_compile
from django.views.debug import SafeExceptionReporterFilter


class KioskSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Also hides Authorization and Cookie headers (kiosk tokens, sessions) in error reports."""

    hidden_settings = _lazy_re_compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|AUTH|COOKIE", flags=re.I)
