"""kiosk_fleet: enrol kiosk-shell kiosks, push resets to them over Channels, see who reloaded.

The public Python API is small on purpose:

* ``kiosk_fleet.resets.send_reset(target, reason="", user=None)`` sends a reset;
* ``kiosk_fleet.routing.websocket_urlpatterns`` is the WebSocket route (``/ws/kiosk/``);
* ``kiosk_fleet.authentication.KioskTokenAuthentication`` lets DRF views accept the kiosk token.
"""

