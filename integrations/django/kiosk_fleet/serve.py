"""Daphne with WebSocket size limits: ``python -m kiosk_fleet.serve [daphne options] APP``.

Daphne (4.x) reads every WebSocket frame whole before the application sees it, and it sets
no limit: its autobahn factory is built with ``maxFramePayloadSize`` and
``maxMessagePayloadSize`` 0 (unlimited), and its command line has no option for them. A
token holder could make a worker buffer a 100 MB frame, and nothing an ASGI application or
middleware does can help, because the bytes are in memory before it is called. (nginx's
``client_max_body_size`` does not apply to upgraded connections either.)

Autobahn checks both limits on each frame header, before it reads the payload, and fails
the connection at once (the TCP connection is dropped, the application gets
``websocket.disconnect``). This module runs daphne's own command line, with every one of its
options, on a ``Server`` that sets those two limits on the factory as soon as daphne builds
it. The limit is ``conf.server_max_message_bytes()``: by default the largest frame the
consumer reads at all (a screenshot frame, 266240 bytes); set
``KIOSK_FLEET_SERVER_MAX_MESSAGE_BYTES`` to change it for the whole server (it applies to
every WebSocket route of the site).

Under uvicorn, the same limit is ``--ws-max-size`` (16 MiB by default).
"""

import logging
import sys

# daphne.server installs Twisted's asyncio reactor on import: first, before anything else
# could import a reactor.
from daphne.server import Server  # isort:skip
from daphne.cli import CommandLineInterface  # isort:skip

logger = logging.getLogger("kiosk_fleet.serve")

# True once a LimitedServer has built its WebSocket factory in this process (see presence).
limits_applied = False


def _limit_bytes():
    """The limit, from the Django settings (configured by now: daphne imported the application)."""
    from kiosk_fleet import conf

    return conf.server_max_message_bytes()


class LimitedServer(Server):
    """daphne's Server, whose WebSocket factory refuses frames and messages over the limit."""

    max_message_bytes = None  # None: from the settings

    # Server.run() assigns self.ws_factory and then sets its own options (ping timeout,
    # handshake timeout) on it; each setProtocolOptions call only changes what it names, so
    # the limits set here stay.
    @property
    def ws_factory(self):
        return self.__dict__.get("_kiosk_fleet_ws_factory")

    @ws_factory.setter
    def ws_factory(self, factory):
        global limits_applied
        limit = self.max_message_bytes or _limit_bytes()
        factory.setProtocolOptions(maxFramePayloadSize=limit, maxMessagePayloadSize=limit)
        self.__dict__["_kiosk_fleet_ws_factory"] = factory
        limits_applied = True
        logger.info("WebSocket frames and messages larger than %d bytes are refused as they arrive", limit)


class LimitedCommandLineInterface(CommandLineInterface):
    description = "daphne, with kiosk_fleet's WebSocket size limits"
    server_class = LimitedServer


def main(argv=None):
    LimitedCommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    # Through the module's own name, so that presence sees ``limits_applied`` set.
    from kiosk_fleet import serve

    serve.main()
