"""Pure helpers: names, targets, tokens, frame parsing, the JPEG check, DRF authentication."""

from django.core.exceptions import ValidationError
from django.test import RequestFactory, SimpleTestCase, TestCase
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from kiosk_fleet import jpeg, protocol
from kiosk_fleet.authentication import KioskTokenAuthentication
from kiosk_fleet.layer import channel_groups_for_kiosk
from kiosk_fleet.names import split_groups
from kiosk_fleet.targets import Target
from kiosk_fleet.tokens import generate_token, hash_token, token_from_authorization

from .helpers import JPEG_64x36, create_kiosk, padded_jpeg


class NameAndTargetTests(SimpleTestCase):
    def test_groups_are_normalised(self):
        self.assertEqual(split_groups(" lobby, floor-2 ,lobby,,"), ["floor-2", "lobby"])
        self.assertEqual(split_groups(["b", "a"]), ["a", "b"])
        for bad in ("no spaces allowed!", "x" * 65, "ümlaut"):
            with self.assertRaises(ValidationError):
                split_groups(bad)

    def test_target_wire_forms(self):
        self.assertEqual(Target.parse("all").to_wire(), "all")
        self.assertEqual(Target.parse({"kiosks": ["b", "a", "a"]}).to_wire(), {"kiosks": ["a", "b"]})
        self.assertEqual(Target.parse({"groups": ["floor-2"]}).to_wire(), {"groups": ["floor-2"]})
        for bad in ("everyone", {"kiosks": []}, {"kiosks": "lobby-1"}, {"groups": ["a b"]}, {"rooms": ["x"]}, None, 1):
            with self.assertRaises(ValueError):
                Target.parse(bad)

    def test_target_matching(self):
        self.assertTrue(Target.parse({"groups": ["lobby"]}).matches("k", ["floor-2", "lobby"]))
        self.assertFalse(Target.parse({"groups": ["lobby"]}).matches("lobby", ["floor-2"]))
        self.assertTrue(Target.parse({"kiosks": ["k"]}).matches("k", []))

    def test_channel_group_names_are_valid_for_channel_layers(self):
        groups = channel_groups_for_kiosk("k" * 64, ["g" * 64])
        self.assertEqual(groups, {"kiosk-fleet.all", "kiosk-fleet.kiosk." + "k" * 64, "kiosk-fleet.group." + "g" * 64})
        self.assertTrue(all(len(name) < 100 for name in groups))


class TokenTests(SimpleTestCase):
    def test_tokens_are_random_256_bit_and_recognisable(self):
        tokens = {generate_token() for _ in range(50)}
        self.assertEqual(len(tokens), 50)
        self.assertTrue(all(t.startswith("kfk_") and len(t) == 4 + 43 for t in tokens))
        self.assertEqual(len(hash_token("x")), 64)

    def test_authorization_header_parsing(self):
        self.assertEqual(token_from_authorization(b"Token abc"), "abc")
        self.assertEqual(token_from_authorization("token abc"), "abc")
        for bad in (b"", b"Token", b"Bearer abc", b"Token a b", b"Token \xff", "Token " + "a" * 201, None):
            self.assertIsNone(token_from_authorization(bad))


class ProtocolTests(SimpleTestCase):
    def test_decode_rejects_non_objects_and_big_frames(self):
        self.assertEqual(protocol.decode('{"type":"x"}', 100), {"type": "x"})
        for bad in ("[]", "1", "nope", '{"type": 1}', "{}"):
            with self.assertRaises(protocol.Malformed):
                protocol.decode(bad, 100)
        with self.assertRaises(protocol.Malformed):
            protocol.decode('{"type":"%s"}' % ("é" * 60), 100)  # 60 characters, 120 bytes

    def test_hello(self):
        hello = protocol.parse_hello({"kiosk": "k", "groups": ["lobby", "floor-2", "lobby"], "version": "1.4.0"})
        self.assertEqual((hello.kiosk, hello.groups, hello.version), ("k", ("floor-2", "lobby"), "1.4.0"))
        hello = protocol.parse_hello({"groups": "lobby", "version": ["x"]})
        self.assertEqual((hello.kiosk, hello.groups, hello.version), (None, None, None))

    def test_ack(self):
        ack = protocol.parse_ack({"id": "r-42", "kiosk": "k", "status": "reloaded", "ms": 12.7})
        self.assertEqual((ack.command_id, ack.kiosk, ack.status, ack.ms, ack.command), ("r-42", "k", "reloaded", 12, None))
        self.assertEqual(protocol.parse_ack({"id": "r-42", "status": "failed", "ms": -5}).ms, 0)
        ack = protocol.parse_ack({"id": "c-1", "status": "accepted", "waitingFor": "privacy", "command": "screenshot"})
        self.assertEqual((ack.status, ack.waiting_for, ack.command, ack.is_terminal), ("accepted", "privacy", "screenshot", False))
        ack = protocol.parse_ack({"id": "c-1", "status": "withheld", "reason": "in-use\u0000", "waitingFor": "idle"})
        self.assertEqual((ack.reason, ack.waiting_for, ack.is_terminal), ("in-use", "", True))
        for status in protocol.TERMINAL_STATUSES:
            self.assertEqual(protocol.parse_ack({"id": "c-1", "status": status}).status, status)
        for bad in (
            {"id": "r-42", "status": "ok"},
            {"id": "r-42", "status": "acknowledged"},
            {"id": 42, "status": "reloaded"},
            {"id": "r-42", "status": "ignored", "ms": True},
            {"id": "c-1", "status": "done", "command": "format-disk"},
            {"id": "c-1", "status": "accepted", "waitingFor": "godot"},
            {"id": "c-1", "status": "failed", "reason": {"x": 1}},
        ):
            with self.assertRaises(protocol.Malformed, msg=bad):
                protocol.parse_ack(bad)

    def screenshot(self, **fields):
        import base64

        message = {"id": "c-1", "kiosk": "k", "mime": "image/jpeg", "width": 64, "height": 36,
                   "takenAt": "2026-12-02T10:00:00Z", "data": base64.b64encode(JPEG_64x36).decode()}
        message.update(fields)
        return protocol.parse_screenshot(message, 262144)

    def test_screenshot(self):
        shot = self.screenshot()
        self.assertEqual((shot.command_id, shot.width, shot.height, shot.image), ("c-1", 64, 36, JPEG_64x36))
        self.assertEqual(shot.taken_at.isoformat(), "2026-12-02T10:00:00+00:00")
        self.assertIsNone(self.screenshot(takenAt="yesterday").taken_at)
        for bad in (
            {"mime": "image/png"}, {"width": 0}, {"height": "36"}, {"width": True}, {"width": 65}, {"id": "../x"},
            {"data": ""}, {"data": "not base64!"}, {"data": "PGh0bWw+"},  # "<html>"
        ):
            with self.assertRaises(protocol.Malformed, msg=bad):
                self.screenshot(**bad)
        with self.assertRaisesRegex(protocol.Malformed, "longer than"):
            protocol.parse_screenshot({"id": "c-1", "mime": "image/jpeg", "width": 1, "height": 1, "data": "A" * 300}, 200)

    def test_status_display(self):
        self.assertEqual(protocol.parse_status({"display": "off-commanded"}).fields, {"display": "off-commanded"})
        self.assertEqual(protocol.parse_status({"display": "dim"}).fields, {})


class JpegTests(SimpleTestCase):
    def test_a_real_jpeg_and_its_size(self):
        self.assertEqual(jpeg.dimensions(JPEG_64x36), (64, 36))
        self.assertEqual(jpeg.dimensions(padded_jpeg(100000)), (64, 36))
        self.assertGreaterEqual(len(padded_jpeg(100000)), 100000)

    def test_what_is_not_a_jpeg(self):
        for bad in (
            b"", b"\xff\xd8", b"<html><script>alert(1)</script></html>", b"\x89PNG\r\n\x1a\n" + b"0" * 50,
            JPEG_64x36[:-2],  # no end of image
            JPEG_64x36[:200] + b"\xff\xd9",  # cut before the frame header and scan
            b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x00\x00" + b"\x00" * 20 + b"\xff\xd9",  # a 0x0 frame
            b"\xff\xd8\xff\xe0\xff\xff" + b"\x00" * 10 + b"\xff\xd9",  # a segment longer than the data
        ):
            self.assertIsNone(jpeg.dimensions(bad), bad[:20])

    def test_status_keeps_good_fields_only(self):
        status = protocol.parse_status({
            "kiosk": "k", "version": "1.2", "uptimeSeconds": 3600.5, "renderer": "alive", "uplink": 5,
            "lastApiOkAt": None, "extra": [1],
        })
        self.assertEqual(status.fields, {"version": "1.2", "uptimeSeconds": 3600, "renderer": "alive", "lastApiOkAt": ""})


class DrfAuthenticationTests(TestCase):
    def authenticate(self, header=None):
        extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
        return KioskTokenAuthentication().authenticate(Request(RequestFactory().get("/", **extra)))

    def test_kiosk_token(self):
        _, token = create_kiosk("lobby-1", "lobby")
        user, identity = self.authenticate("Token " + token)
        self.assertEqual((user.kiosk_id, identity.kiosk_id, identity.groups), ("lobby-1", "lobby-1", ("lobby",)))
        self.assertTrue(user.is_authenticated)
        self.assertFalse(user.is_staff)

    def test_other_schemes_are_left_to_other_authenticators(self):
        self.assertIsNone(self.authenticate())
        self.assertIsNone(self.authenticate("Bearer abc"))

    def test_wrong_or_revoked_token_fails(self):
        _, token = create_kiosk("lobby-1", revoked=True)
        for header in ("Token " + token, "Token nope", "Token", "Token a b"):
            with self.assertRaises(AuthenticationFailed):
                self.authenticate(header)
