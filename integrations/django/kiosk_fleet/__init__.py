"""kiosk_fleet: enrol kiosk-shell kiosks, send them commands over Channels, follow every command to the end.

The public Python API is small on purpose:

* ``kiosk_fleet.commands.send_command(command, target, ...)`` and its async twin
  ``asend_command`` send a command (reset, home, clear-session, restart, screenshot,
  display); ``kiosk_fleet.commands.send_reset(target, reason="", user=None)`` sends a reset;
* ``kiosk_fleet.presence.fleet_status()`` says which kiosks are online;
* ``kiosk_fleet.routing.websocket_urlpatterns`` is the WebSocket route (``/ws/kiosk/``);
* ``kiosk_fleet.authentication.KioskTokenAuthentication`` lets DRF views accept the kiosk token.
"""

__version__ = "0.4.0"
