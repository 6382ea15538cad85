"""Shared test tools: enrolled kiosks, a fake kiosk WebSocket client, JPEGs, and DB polling."""

import asyncio
import base64
import contextlib
import logging
import struct

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import TransactionTestCase, override_settings

from kiosk_fleet.dbthread import fleet_db
from kiosk_fleet.models import Delivery, Kiosk
from kiosk_fleet.routing import websocket_urlpatterns

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
application = URLRouter(websocket_urlpatterns)

# A 64x36 JPEG, as Chromium writes one (page.screenshot, quality 60).
JPEG_64x36 = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNj"
    "AAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAAB"
    "ZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAA"
    "t4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABt"
    "bHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEycc"
    "HhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT09PT09PT09PT0//wAARCAAkAEADASIAAhEBAxEB/8QAGAABAAMBAAAAAAAAAAAAAAAABAADBQb/xAArEAABAwQABQIGAwAAAAAA"
    "AAACAAEDBAUREgYTITFRFEEHFSIygaFhYnH/xAAWAQEBAQAAAAAAAAAAAAAAAAAEBQb/xAAZEQADAQEBAAAAAAAAAAAAAAAAAgMBESH/2gAMAwEAAhED"
    "EQA/AB2ew3C7C50sTNEL4eQ3wOfH8plx4crrXTeonKA4tmF3jPOH/LMtq4NK3w9ovl+2mAebTxh9s4/t3XJRc7knpvystvjOufbKU7a3dD5mZ4atfZqm"
    "200E85xEM/2sDu7t0z1yyua0VAWgbk5xckuw5fbvjxj9rpbzJbY7XQPdIJpRcW0aN8YfVu/VlXcSpj4OEqIDCB3bQT7t9f8Ar+6DTO9EL4csCQCOCQCk"
    "2FoXgkAjgkAplhiHPWbiG4WiN4qYwKInzy5GyzP5b3ZKuPEdddKb08wQRxbMTtEDtl/y7rABIBbmq53pnkbecNmvvNTcqaCCcIhGD7XBnZ36Y65dXNd6"
    "g7QNtcIuSPYsPt3z5x+ljgkAp1d4KQQCQCOCQClWFoXgkAjgkAplhiHEgkAoot3YzqF4JAKKKXYWggEgFFFLsLQvBIBRRTLDEP/Z"
)


def padded_jpeg(size, jpeg=JPEG_64x36):
    """A valid JPEG of about ``size`` bytes: comment segments inserted after the start of image."""
    body = bytearray(jpeg[:2])
    missing = max(0, size - len(jpeg))
    while missing > 0:
        chunk = min(missing, 65533)
        body += b"\xff\xfe" + struct.pack(">H", chunk + 2) + b"k" * chunk
        missing -= chunk + 4
    body += jpeg[2:]
    return bytes(body)


def create_kiosk(kiosk_id, groups="", **fields):
    """Create a kiosk the way enrolment does; returns (kiosk, token)."""
    kiosk = Kiosk(kiosk_id=kiosk_id, groups=groups, **fields)
    token = kiosk.issue_token()
    kiosk.save()
    return kiosk, token


def delivery_state(command_id, kiosk_id):
    row = Delivery.objects.filter(command_id=command_id, kiosk_key=kiosk_id).first()
    return row.state if row else None


def states(command_id):
    return dict(Delivery.objects.filter(command_id=command_id).values_list("kiosk_key", "state"))


async def eventually(check, timeout=3.0):
    """Poll the synchronous ``check`` (run in the fleet's DB thread) until it is truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await fleet_db(check)()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError("condition not met within %.1f s: %s" % (timeout, getattr(check, "__doc__", "")))
        await asyncio.sleep(0.02)


def db(func):
    """Run ORM code from an async test, in the same thread as the consumers' own."""
    return fleet_db(func)


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
        """Say hello and wait until the server has recorded it."""
        await self.send_json({"type": "kiosk.hello", "kiosk": self.kiosk_id, "groups": [], "version": version, **extra})
        kiosk_id = self.kiosk_id
        await eventually(lambda: Kiosk.objects.filter(kiosk_id=kiosk_id, version=version).exists())

    async def barrier(self):
        """Wait until every frame sent before this one was handled (frames are handled in order)."""
        self._barriers += 1
        await self.hello(version="barrier-%d" % self._barriers)

    async def ack(self, command_id, status="reloaded", ms=250, **extra):
        message = {"type": "kiosk.ack", "id": command_id, "kiosk": self.kiosk_id, "status": status, "ms": ms}
        message.update(extra)
        await self.send_json(message)

    async def screenshot(self, command_id, image=JPEG_64x36, width=64, height=36, **extra):
        message = {
            "type": "kiosk.screenshot", "id": command_id, "kiosk": self.kiosk_id, "mime": "image/jpeg",
            "width": width, "height": height, "takenAt": "2026-12-02T10:00:00.000Z",
            "data": base64.b64encode(image).decode(),
        }
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

    async def connect(self, kiosk_id, groups="", version="1.0.0"):
        """Enrol ``kiosk_id``, connect and say hello; returns the client."""
        _, token = await db(create_kiosk)(kiosk_id, groups)
        client = KioskClient(token=token, kiosk_id=kiosk_id)
        connected, _ = await client.connect()
        self.assertTrue(connected)
        await client.hello(version=version)
        return client
