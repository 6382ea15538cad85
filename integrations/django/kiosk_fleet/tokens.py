"""Kiosk tokens: generated once, shown once, stored only as a SHA-256 hash.

Tokens start with ``kfk_`` (kiosk fleet key) so that one pasted into a log, a ticket or a
repository can be recognised and found by a secret scanner. Tokens issued before the prefix
existed keep working: only the hash is compared.

A token is 256 random bits, so a fast unsalted hash is enough: nobody can brute-force the
preimage, and a deterministic hash lets the database find the kiosk by an indexed lookup
(which also means no timing-sensitive string comparison happens in Python).
"""

import hashlib
import secrets

KEYWORD = "token"  # the scheme in "Authorization: Token <token>", matched case-insensitively
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours; don't bother hashing it


PREFIX = "kfk_"


def generate_token():
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unusable_token_hash():
    """A hash nobody knows the token for: a kiosk created without a token cannot log in."""
    return hash_token("unusable:" + secrets.token_hex(32))


def token_from_authorization(value):
    """Return the token of an ``Authorization: Token <token>`` header value, or None.

    Accepts ``str`` or ``bytes`` (ASGI headers are bytes). Anything malformed gives None.
    """
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) != 2 or parts[0].lower() != KEYWORD:
        return None
    token = parts[1]
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        return None
    return token
