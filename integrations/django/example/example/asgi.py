"""ASGI entry point: ``daphne example.asgi:application`` (run from integrations/django/example).

HTTP goes to Django, with static files (the admin's CSS/JS) served directly so the admin
works without collectstatic or DEBUG. WebSockets go to kiosk_fleet's routes (any other path is refused). Kiosks send no
Origin header, so Channels' AllowedHostsOriginValidator (which requires one) is not used;
RefuseForeignBrowserOrigin only refuses sockets opened by web pages of other sites.

A worker whose settings cannot work, or that cannot reach its database or Redis, exits at
import with one line naming the variable to fix (example.environment, example.startup).
"""

import os
import sys
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parent.parent.parent))  # for kiosk_fleet
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

from example.environment import SettingError  # noqa: E402

try:
    # Set up Django (apps, models) before importing anything that uses models.
    django_application = get_asgi_application()
    from example.startup import check_services

    check_services(os.environ)
except SettingError as exc:
    raise SystemExit(f"example.asgi: {exc}") from None

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.urls import re_path  # noqa: E402

from kiosk_fleet.routing import websocket_urlpatterns  # noqa: E402
from kiosk_fleet.security import RefuseForeignBrowserOrigin  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_application),
        # A handshake for any other path is refused (HTTP 403) quietly: without the last
        # route, Channels' router raises and daphne logs a traceback for each one, a log
        # flood anybody could cause.
        "websocket": RefuseForeignBrowserOrigin(URLRouter([*websocket_urlpatterns, re_path(r"", WebsocketDenier.as_asgi())])),
    }
)
