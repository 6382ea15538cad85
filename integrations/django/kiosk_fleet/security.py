"""An origin check that suits kiosks: they are not browsers and send no Origin header.

Channels' ``AllowedHostsOriginValidator`` refuses connections without an Origin, which
would refuse every kiosk. This one only refuses connections that DO carry an Origin (so
come from a web page) whose host is not in ALLOWED_HOSTS: a page elsewhere on the web
cannot open a kiosk socket from a visitor's browser. The token check still applies to all.
"""

from channels.security.websocket import OriginValidator
from django.conf import settings


class KioskOriginValidator(OriginValidator):
    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def RefuseForeignBrowserOrigin(application):
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return KioskOriginValidator(application, allowed)
