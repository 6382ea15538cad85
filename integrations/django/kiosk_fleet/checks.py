"""System checks: the misconfigurations that make kiosk_fleet fail quietly.

* ``kiosk_fleet.E001`` Channels cannot be imported;
* ``kiosk_fleet.E002`` no ``default`` channel layer;
* ``kiosk_fleet.E003`` a ``KIOSK_FLEET_*`` setting of the wrong type or out of range;
* ``kiosk_fleet.W002`` ``ASGI_APPLICATION`` is not set (``runserver`` would serve no WebSockets);
* ``kiosk_fleet.W003`` a ``KIOSK_FLEET_*`` setting the app does not know (a typo, or one removed);
* ``kiosk_fleet.W001`` (``check --deploy``) the in-memory channel layer: commands reach only the
  kiosks of the process that sent them. A worker also says so at run time when it finds
  another live worker beside it (``presence``).

The messages are for developers and stay in English, as Django's own checks do.
"""

import difflib
import numbers

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import conf

IN_MEMORY = "channels.layers.InMemoryChannelLayer"

# Settings that are still read, or were once and are gone (with what to do instead).
LEGACY = {conf.LEGACY_RESET_TTL: None}
REMOVED = {"KIOSK_FLEET_ONLINE_TIMEOUT_SECONDS": "KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS"}

# name -> (minimum, allow None, integer only)
NUMBERS = {
    "KIOSK_FLEET_RESET_EXPIRES_SECONDS": (1, False, False),
    "KIOSK_FLEET_COMMAND_EXPIRES_SECONDS": (1, False, False),
    "KIOSK_FLEET_MAX_EXPIRES_SECONDS": (1, False, False),
    "KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS": (0.1, False, False),
    "KIOSK_FLEET_BACKLOG_STEP_SECONDS": (0, False, False),
    "KIOSK_FLEET_STATUS_MIN_INTERVAL_SECONDS": (0, False, False),
    "KIOSK_FLEET_MAX_FRAME_BYTES": (1024, False, True),
    "KIOSK_FLEET_SCREENSHOT_MAX_BYTES": (1024, False, True),
    "KIOSK_FLEET_SCREENSHOTS_PER_KIOSK": (1, False, True),
    "KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES": (1024, True, True),
    "KIOSK_FLEET_MAX_CONNECTIONS_PER_KIOSK": (1, False, True),
    "KIOSK_FLEET_REFUSED_HANDSHAKES_PER_MINUTE": (1, False, False),
    "KIOSK_FLEET_REFUSAL_LOG_INTERVAL_SECONDS": (0, False, False),
    conf.LEGACY_RESET_TTL: (1, False, False),
}


@register(Tags.compatibility)
def check_channels(app_configs=None, **kwargs):
    errors = []
    try:
        import channels  # noqa: F401
    except ImportError:
        return [
            Error(
                ("kiosk_fleet needs Django Channels, which cannot be imported."),
                hint=("Install channels (4 or later) and daphne, e.g. apt-get install python3-django-channels python3-daphne."),
                id="kiosk_fleet.E001",
            )
        ]
    layers = getattr(settings, "CHANNEL_LAYERS", None) or {}
    if "default" not in layers:
        errors.append(
            Error(
                ("CHANNEL_LAYERS has no 'default' layer: kiosks could connect but never hear a command."),
                hint=("Set CHANNEL_LAYERS['default'] to channels_redis.core.RedisChannelLayer (or the in-memory layer for one process)."),
                id="kiosk_fleet.E002",
            )
        )
    if not getattr(settings, "ASGI_APPLICATION", None):
        errors.append(
            Warning(
                ("ASGI_APPLICATION is not set: `manage.py runserver` would serve no WebSockets."),
                hint=("Point it at the ProtocolTypeRouter that routes kiosk_fleet.routing.websocket_urlpatterns, e.g. 'mysite.asgi.application'."),
                id="kiosk_fleet.W002",
            )
        )
    return errors


@register(Tags.compatibility, deploy=True)
def check_channel_layer_for_deployment(app_configs=None, **kwargs):
    layers = getattr(settings, "CHANNEL_LAYERS", None) or {}
    if layers.get("default", {}).get("BACKEND") == IN_MEMORY:
        return [
            Warning(
                ("The in-memory channel layer serves one process only: a command reaches only the kiosks "
                  "connected to the process that sent it, so not those of other workers, and none from "
                  "management commands."),
                hint=("Use channels_redis (channels_redis.core.RedisChannelLayer) as soon as there is more than one "
                       "daphne worker; silence kiosk_fleet.W001 if there is only ever one."),
                id="kiosk_fleet.W001",
            )
        ]
    return []


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):
    problems = []
    known = set(conf.DEFAULTS) | set(LEGACY)
    # A set: under override_settings, dir() lists an overridden name twice.
    for name in sorted({n for n in dir(settings) if n.startswith("KIOSK_FLEET_")}):
        value = getattr(settings, name)
        if name in REMOVED:
            problems.append(
                Warning(
                    ("%(name)s is no longer used.") % {"name": name},
                    hint=("Set %(instead)s instead.") % {"instead": REMOVED[name]},
                    id="kiosk_fleet.W003",
                )
            )
            continue
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            problems.append(
                Warning(
                    ("%(name)s is not a kiosk_fleet setting.") % {"name": name},
                    hint=(("Did you mean %(close)s?") % {"close": close[0]}) if close else None,
                    id="kiosk_fleet.W003",
                )
            )
            continue
        if name in NUMBERS:
            problem = _number_problem(value, *NUMBERS[name])
            if problem:
                problems.append(
                    Error(
                        ("%(name)s is %(value)r: %(problem)s.") % {"name": name, "value": value, "problem": problem},
                        hint=("The default is %(default)r.") % {"default": conf.DEFAULTS.get(name)},
                        id="kiosk_fleet.E003",
                    )
                )
    if not problems:
        server = conf.get("KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES")
        if server is not None and server < conf.screenshot_frame_bytes():
            problems.append(
                Error(
                    ("KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES (%(server)d) is smaller than a screenshot frame "
                      "(%(frame)d bytes): the server would drop kiosks that send one.")
                    % {"server": server, "frame": conf.screenshot_frame_bytes()},
                    hint=("Leave it unset, or raise it."),
                    id="kiosk_fleet.E003",
                )
            )
    return problems


def _number_problem(value, minimum, allow_none, integer):
    if value is None:
        return None if allow_none else ("it must be a number")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return ("it must be a number, not %(type)s") % {"type": type(value).__name__}
    if integer and not float(value).is_integer():
        return ("it must be a whole number")
    if value < minimum:
        return ("it must be at least %(minimum)s") % {"minimum": minimum}
    return None
