"""Who a connection is, and what it reports: the consumer's synchronous ORM side.

Every function here is a single query, written with ``queryset.update()`` so that no model
signals fire on the hot path and concurrent workers never overwrite each other's counters.
"""

from dataclasses import dataclass
from typing import Tuple

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import Kiosk
from .names import split_groups
from .tokens import hash_token


@dataclass(frozen=True)
class KioskIdentity:
    """What a connection or API request knows about its kiosk; never holds the token."""

    pk: int
    kiosk_id: str
    groups: Tuple[str, ...]
    token_hash: str


def _identity(kiosk):
    return KioskIdentity(kiosk.pk, kiosk.kiosk_id, tuple(split_groups(kiosk.groups)), kiosk.token_hash)


def authenticate_token(token):
    """The identity of the non-revoked kiosk holding ``token``, or None."""
    kiosk = (
        Kiosk.objects.filter(token_hash=hash_token(token), revoked=False)
        .only("pk", "kiosk_id", "groups", "token_hash")
        .first()
    )
    return _identity(kiosk) if kiosk else None


def open_connection(token):
    """Authenticate a WebSocket and count it as connected, in one trip to the database thread.

    Returns the identity, or None (nothing counted) if the token is unknown or revoked.
    """
    identity = authenticate_token(token)
    if identity is not None:
        Kiosk.objects.filter(pk=identity.pk).update(connections=F("connections") + 1, last_seen=timezone.now())
    return identity


def current_identity(kiosk_pk):
    """Re-read a connected kiosk; None if it was deleted or revoked meanwhile."""
    kiosk = Kiosk.objects.filter(pk=kiosk_pk, revoked=False).only("pk", "kiosk_id", "groups", "token_hash").first()
    return _identity(kiosk) if kiosk else None


def mark_disconnected(kiosk_pk, status=None):
    """Drop one connection, and save a status report the throttle was still holding back."""
    fields = _status_fields(status) if status else {}
    Kiosk.objects.filter(pk=kiosk_pk).update(
        connections=Greatest(F("connections") - 1, 0), last_seen=timezone.now(), **fields
    )


def record_hello(kiosk_pk, version):
    fields = {"last_seen": timezone.now()}
    if version is not None:
        fields["version"] = version
    Kiosk.objects.filter(pk=kiosk_pk).update(**fields)


def save_status(kiosk_pk, status):
    Kiosk.objects.filter(pk=kiosk_pk).update(last_seen=timezone.now(), **_status_fields(status))


# kiosk.status field -> model field; values were already cleaned by protocol.parse_status().
STATUS_FIELDS = {
    "version": "version",
    "renderer": "renderer_state",
    "uplink": "uplink_state",
    "uptimeSeconds": "uptime_seconds",
    "lastApiOkAt": "last_api_ok_at",
}


def _status_fields(status):
    fields = {STATUS_FIELDS[key]: value for key, value in status.items() if key in STATUS_FIELDS}
    fields["last_status_at"] = timezone.now()
    return fields
