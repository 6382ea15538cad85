"""Resets: creating them (``send_reset``), delivering them late, and recording acks.

``send_reset`` is the one entry point for every way of sending a reset (admin button, admin
action, group form, management command), so bookkeeping and publishing never diverge.
The other functions are synchronous ORM code that the consumer calls through
``database_sync_to_async``; each is one or two small indexed queries.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from . import conf, layer
from .models import Kiosk, ResetCommand, ResetDelivery
from .targets import KIOSKS, Target

logger = logging.getLogger(__name__)

ACK_STATES = {
    "reloaded": ResetDelivery.ACKNOWLEDGED,
    "ignored": ResetDelivery.IGNORED,
    "failed": ResetDelivery.FAILED,
}


def send_reset(target, reason="", user=None):
    """Create a ResetCommand for ``target`` and publish it to the connected kiosks.

    ``target`` is ``"all"``, ``{"kiosks": [...]}``, ``{"groups": [...]}`` or a ``Target``
    (ValueError otherwise). The targeted kiosks are fixed now: connected ones get a "sent"
    delivery row, the others "offline" (they get the reset if they connect within
    KIOSK_FLEET_RESET_TTL_SECONDS). Publishing waits for the transaction to commit, so a
    kiosk can never ack a reset whose rows are not visible yet.
    """
    target = Target.parse(target)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    now = timezone.now()
    with transaction.atomic():
        reset = ResetCommand.objects.create(
            target_kind=target.kind,
            target_names=",".join(target.names),
            reason=(reason or "").strip()[:200],
            created_by=user,
            created_at=now,
        )
        kiosks = Kiosk.objects.filter(revoked=False).only("pk", "kiosk_id", "groups", "connections", "last_seen")
        if target.kind == KIOSKS:
            kiosks = kiosks.filter(kiosk_id__in=target.names)
        deliveries = [
            ResetDelivery(
                reset=reset,
                kiosk=kiosk,
                state=ResetDelivery.SENT if kiosk.is_online(now) else ResetDelivery.OFFLINE,
                updated_at=now,
            )
            for kiosk in kiosks.iterator()
            if target.matches(kiosk.kiosk_id, kiosk.group_list)
        ]
        ResetDelivery.objects.bulk_create(deliveries, batch_size=500)
        transaction.on_commit(lambda: layer.publish_reset(reset))
    sent = sum(1 for d in deliveries if d.state == ResetDelivery.SENT)
    logger.info(
        "reset %s for %s by %s: %d kiosk(s) targeted, %d connected",
        reset.id, target, user.get_username() if user else "command", len(deliveries), sent,
    )
    return reset


def take_pending_resets(kiosk_pk):
    """Return ``[(reset_id, frame_text)]`` still owed to a kiosk that just said hello.

    Owed means: targeted at it, not answered, and younger than the TTL. "offline" rows move
    to "sent". Unanswered "sent" rows are included too: the kiosk may have lost the frame
    with its previous connection, and kiosks run each reset id at most once, so a repeat is
    harmless.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=conf.reset_ttl_seconds())
    rows = list(
        ResetDelivery.objects.filter(
            kiosk_id=kiosk_pk, state__in=ResetDelivery.PENDING, reset__created_at__gte=cutoff
        )
        .select_related("reset")
        .order_by("reset__created_at")
    )
    offline = [row.pk for row in rows if row.state == ResetDelivery.OFFLINE]
    if offline:
        ResetDelivery.objects.filter(pk__in=offline, state=ResetDelivery.OFFLINE).update(
            state=ResetDelivery.SENT, updated_at=now
        )
    return [(row.reset_id, row.reset.to_text()) for row in rows]


def record_ack(kiosk_pk, reset_id, status, ms=None):
    """Record a kiosk's answer to a reset. Returns False if there was nothing to answer.

    Only the kiosk's own delivery row can change, so an ack for a reset that was not
    targeted at this kiosk (or does not exist) matches no row and is dropped. An
    "acknowledged" row stays acknowledged: a later duplicate cannot downgrade it.
    """
    state = ACK_STATES[status]
    now = timezone.now()
    with transaction.atomic():
        updated = (
            ResetDelivery.objects.filter(reset_id=reset_id, kiosk_id=kiosk_pk)
            .exclude(state=ResetDelivery.ACKNOWLEDGED)
            .update(state=state, ms=ms, updated_at=now)
        )
        if updated:
            Kiosk.objects.filter(pk=kiosk_pk).update(
                last_ack_reset_id=reset_id, last_ack_status=status, last_ack_at=now, last_seen=now
            )
    return bool(updated)


def record_acks(acks):
    """Record several acks, each as ``record_ack(kiosk_pk, reset_id, status, ms)`` would, in one
    transaction: one commit for the lot instead of one per kiosk.

    Returns one result per ack, in order: True, False, or the exception that ack raised. Each
    ack runs in its own savepoint (``record_ack``'s own ``atomic()``, nested in this one), so
    one that fails is rolled back alone and the others stay.
    """
    results = []
    with transaction.atomic():
        for ack in acks:
            try:
                results.append(record_ack(*ack))
            except Exception as exc:  # noqa: BLE001 -- handed back to the caller that sent this ack
                results.append(exc)
    return results


def delivery_counts(reset):
    """``{"total": M, "sent": ..., "acknowledged": ..., ...}`` for one reset, in one query."""
    counts = {state: 0 for state, _ in ResetDelivery.STATE_CHOICES}
    for row in reset.deliveries.values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def is_settled(reset, counts, now=None):
    """True when no delivery can change any more without a kiosk acting on its own."""
    now = now or timezone.now()
    if counts[ResetDelivery.SENT]:
        return False
    deliverable = reset.created_at >= now - timedelta(seconds=conf.reset_ttl_seconds())
    return not (counts[ResetDelivery.OFFLINE] and deliverable)
