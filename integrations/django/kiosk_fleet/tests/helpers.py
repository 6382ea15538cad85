"""Shared test tools: enrolled kiosks, a fake kiosk WebSocket client, and DB polling."""

import asyncio
import contextlib
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import TransactionTestCase, override_settings

from kiosk_fleet.models import Kiosk, ResetDelivery
from kiosk_fleet.routing import websocket_urlpatterns

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
application = URLRouter(websocket_urlpatterns)


def create_kiosk(kiosk_id, groups="", **fields):
    """Create a kiosk the way enrolment does; returns (kiosk, token)."""
    kiosk = Kiosk(kiosk_id=kiosk_id, groups=groups, **fields)
    token = kiosk.issue_token()
    kiosk.save()
    return kiosk, token


def delivery_state(reset_id, kiosk_id):
    row = ResetDelivery.objects.filter(reset_id=reset_id, kiosk__kiosk_id=kiosk_id).first()
    return row.state if row else None


async def eventually(check, timeout=3.0):
    """Poll the synchronous ``check`` (run in the DB thread) until it is truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await database_sync_to_async(check)()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError("condition not met within %.1f s: %s" % (timeout, getattr(check, "__doc__", "")))
        await asyncio.sleep(0.02)


@contextlib.contextmanager
def capture_all_logs(*names):
    """Collect every record (DEBUG and up) of the given loggers and the root logger, silently."""
    records = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    loggers = [logging.getLogger(name) for name in ("",) + names]
    saved = [(logger.level, logger.handlers, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers = [handler]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    try:
        yield records
    finally:
        for logger, (level, handlers, propagate) in zip(loggers, saved):
            logger.handlers = handlers
            logger.setLevel(level)
            logger.propagate = propagate


class KioskClient:
    """A fake kiosk speaking the contract over a WebsocketCommunicator."""

    def __init__(self, token=None, kiosk_id=None, headers=None, app=application, path="/ws/kiosk/"):
        if headers is None:
            headers = [(b"authorization", ("Token %s" % token).encode())] if token else []
        self.kiosk_id = kiosk_id
        self.ws = WebsocketCommunicator(app, path, headers=headers)
        self._barriers = 0

    async def connect(self):
        return await self.ws.connect()

    async def send_json(self, data):
        await self.ws.send_json_to(data)

    async def send_text(self, text):
        await self.ws.send_to(text_data=text)

    async def send_bytes(self, data):
        await self.ws.send_to(bytes_data=data)

    async def hello(self, version="1.0.0", **extra):
        """Say hello and wait until the server has recorded it (so the kiosk counts as online)."""
        await self.send_json({"type": "kiosk.hello", "kiosk": self.kiosk_id, "groups": [], "version": version, **extra})
        kiosk_id = self.kiosk_id
        await eventually(lambda: Kiosk.objects.filter(kiosk_id=kiosk_id, version=version, connections__gte=1).exists())

    async def barrier(self):
        """Wait until every frame sent before this one was handled (frames are handled in order)."""
        self._barriers += 1
        await self.hello(version="barrier-%d" % self._barriers)

    async def ack(self, reset_id, status="reloaded", ms=250, **extra):
        message = {"type": "kiosk.ack", "id": reset_id, "kiosk": self.kiosk_id, "status": status, "ms": ms}
        message.update(extra)
        await self.send_json(message)

    async def receive_json(self, timeout=1):
        return await self.ws.receive_json_from(timeout)

    async def receives_nothing(self, timeout=0.2):
        return await self.ws.receive_nothing(timeout)

    async def receive_close_code(self, timeout=1):
        message = await self.ws.receive_output(timeout)
        assert message["type"] == "websocket.close", message
        return message.get("code")

    async def close(self):
        await self.ws.disconnect()


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class FleetTransactionTestCase(TransactionTestCase):
    """Consumers run their ORM code in another thread, so these tests commit for real."""

    def setUp(self):
        # One in-memory layer lives for the whole process: start each test with no groups.
        async_to_sync(get_channel_layer().flush)()
        # Connect/disconnect INFO lines are noise here; warnings are checked with assertLogs.
        fleet_logger = logging.getLogger("kiosk_fleet")
        self.addCleanup(fleet_logger.setLevel, fleet_logger.level)
        fleet_logger.setLevel(logging.WARNING)
