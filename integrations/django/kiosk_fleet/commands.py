"""Commands: sending them, delivering them, recording what kiosks answer, expiring the rest.

``send_command`` (and ``asend_command``) is the one entry point for every way of sending a
command, resets included (admin buttons and actions, management commands, Python), so
bookkeeping and publishing never diverge.

A command fixes its targeted kiosks when it is sent: one ``Delivery`` each, ``pending``.
A delivery becomes ``sent`` only when a consumer has written its frame to a live
connection, never because the sender believed the kiosk was connected; then ``accepted``
and a terminal state from the kiosk's acks, or ``expired`` when ``expires_at`` passes
without a terminal ack. States only move forward.

The other functions are synchronous ORM code the consumers run in their database thread
(``dbthread``), most of them taking a batch of items from many connections at once.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import OperationalError, transaction
from django.db.models import Case, Count, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import conf, layer, updates
from .models import Command, Delivery, Kiosk, Screenshot, new_command_id
from .protocol import ACCEPTED
from .targets import KIOSKS, Target
from .updates import per_row
from .wire import iso_z, whole_seconds

logger = logging.getLogger(__name__)

DEFAULT_MAX_WIDTH = 1280
COMMAND_NAMES = tuple(name for name, _ in Command.COMMAND_CHOICES)

# Why the server expired a delivery (the kiosk's own "expired" acks carry their own reason).
EXPIRED_OFFLINE = "not-delivered"  # never written to the kiosk: it was not connected in time
EXPIRED_NO_ANSWER = "no-answer"  # written, but no terminal ack came by expiresAt


# ---- sending ---------------------------------------------------------------------------------


def clean_args(command, args):
    """The arguments of ``command``, checked and normalised; ValueError names what is wrong."""
    args = dict(args or {})
    if command == Command.SCREENSHOT:
        clean = {}
        if "maxWidth" in args:
            try:
                width = int(args.pop("maxWidth"))
            except (TypeError, ValueError):
                raise ValueError("maxWidth must be a whole number of pixels") from None
            if not 16 <= width <= 16384:
                raise ValueError("maxWidth must be between 16 and 16384")
            clean["maxWidth"] = width
    elif command == Command.DISPLAY:
        power = args.pop("power", None)
        if power not in ("off", "on"):
            raise ValueError('display needs power=off or power=on')
        clean = {"power": power}
    else:
        clean = {}
    if args:
        raise ValueError("%s takes no argument %s" % (command, ", ".join(sorted(map(str, args)))))
    return clean


def default_expires_seconds(command):
    return conf.reset_expires_seconds() if command == Command.RESET else conf.command_expires_seconds()


def targeted_kiosks(target):
    """The non-revoked kiosks ``target`` names, as a list (groups are matched in Python)."""
    target = Target.parse(target)
    kiosks = Kiosk.objects.filter(revoked=False).only("pk", "kiosk_id", "groups")
    if target.kind == KIOSKS:
        kiosks = kiosks.filter(kiosk_id__in=target.names)
    return [kiosk for kiosk in kiosks.iterator() if target.matches(kiosk.kiosk_id, kiosk.group_list)]


def _create(command, target, args, when, deadline, expires_in, reason, user, origin):
    if command not in COMMAND_NAMES:
        raise ValueError("unknown command %r (one of %s)" % (command, ", ".join(COMMAND_NAMES)))
    target = Target.parse(target)
    args = clean_args(command, args)
    if when not in (Command.NOW, Command.IDLE):
        raise ValueError('when must be "now" or "idle"')
    if expires_in is None:
        expires_in = default_expires_seconds(command)
    try:
        expires_in = float(expires_in)
    except (TypeError, ValueError):
        raise ValueError("the expiry must be a number of seconds") from None
    if not 0 < expires_in <= conf.max_expires_seconds():
        raise ValueError("the expiry must be between 1 second and %d seconds" % conf.max_expires_seconds())
    now = timezone.now()
    # Whole seconds, rounded up: the frame's expiresAt says exactly what the server applies.
    expires_at = whole_seconds(now + timedelta(seconds=expires_in)) + timedelta(seconds=1)
    if deadline is not None:
        if when != Command.IDLE:
            raise ValueError('a deadline only applies to when="idle"')
        if deadline > expires_at:
            raise ValueError("the deadline is after the expiry")
        deadline = whole_seconds(deadline)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    prefix = "r" if command == Command.RESET else "c"
    with transaction.atomic():
        created = Command.objects.create(
            id=new_command_id(prefix),
            command=command,
            args=args,
            when=when,
            deadline=deadline,
            expires_at=expires_at,
            target_kind=target.kind,
            target_names=",".join(target.names),
            reason=(reason or "").strip()[:200],
            created_by_username=user.get_username() if user is not None else "",
            origin=origin[:32],
            created_at=now,
        )
        kiosks = targeted_kiosks(target)
        Delivery.objects.bulk_create(
            [
                Delivery(command=created, kiosk=kiosk, kiosk_key=kiosk.kiosk_id, expires_at=expires_at, updated_at=now)
                for kiosk in kiosks
            ],
            batch_size=500,
        )
    created.targeted = len(kiosks)
    logger.info(
        "command %s (%s) for %s by %s: %d kiosk(s) targeted",
        created.id, command, target, created.created_by_username or origin, len(kiosks),
    )
    return created


def send_command(command, target, *, args=None, when=Command.NOW, deadline=None, expires_in=None,
                 reason="", user=None, origin="python"):
    """Create a command for ``target`` and publish it to the connected kiosks; returns it.

    ``command`` is one of reset, home, clear-session, restart, screenshot, display;
    ``target`` is ``"all"``, ``{"kiosks": [...]}``, ``{"groups": [...]}`` or a ``Target``;
    ``args`` as the contract says (screenshot ``maxWidth``, display ``power``); ``when``
    ``"now"`` or ``"idle"`` (with an optional ``deadline``); ``expires_in`` in seconds
    (default: 10 minutes for a reset, 15 for the others). ValueError for anything invalid.

    Publishing waits for the transaction to commit, so a kiosk can never answer a command
    whose rows are not visible yet.
    """
    with transaction.atomic():
        created = _create(command, target, args, when, deadline, expires_in, reason, user, origin)
        transaction.on_commit(lambda: _publish_logged(created))
    return created


async def asend_command(command, target, *, args=None, when=Command.NOW, deadline=None, expires_in=None,
                        reason="", user=None, origin="python"):
    """``send_command`` for async code: the same rows, then the same publication, awaited."""
    from channels.db import database_sync_to_async

    created = await database_sync_to_async(_create)(
        command, target, args, when, deadline, expires_in, reason, user, origin
    )
    try:
        await layer.apublish_command(created)
    except Exception:
        logger.exception("command %s: could not publish; kiosks get it on their next hello", created.id)
    return created


def send_reset(target, reason="", user=None, **kwargs):
    """A reset is a command: ``send_command("reset", ...)``."""
    return send_command(Command.RESET, target, reason=reason, user=user, **kwargs)


def _publish_logged(command):
    try:
        layer.publish_command(command)
    except Exception:
        # The rows are committed: connected kiosks get it on their next hello, or it expires.
        logger.exception("command %s: could not publish; kiosks get it on their next hello", command.id)


# ---- delivering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """A frame owed to one kiosk, as its consumer writes it."""

    delivery_pk: int
    command_id: str
    command: str
    text: str
    max_width: int = DEFAULT_MAX_WIDTH
    folded: bool = False  # older pending resets follow this delivery's state

    @property
    def hint(self):
        return Hint(self.delivery_pk, self.command, self.folded)


@dataclass(frozen=True)
class Hint:
    """What the connection that wrote a frame knows of its delivery: it saves the ack a lookup."""

    delivery_pk: int
    command: str
    folded: bool


def _owed(delivery, command, kiosk_key, folded=False):
    max_width = DEFAULT_MAX_WIDTH
    if command.command == Command.SCREENSHOT:
        max_width = int((command.args or {}).get("maxWidth", DEFAULT_MAX_WIDTH))
    return Owed(delivery, command.id, command.command, command.frame_for(kiosk_key), max_width, folded)


def owed_on_hello(kiosk_pk, version=None, limit=100):
    """Record a hello; return what the kiosk is owed, oldest first, for sending one at a time.

    Owed: not expired, and pending, or sent/accepted without a terminal ack (the frame or
    the ack may have been lost with a previous connection; a kiosk answers an id it has seen
    with its stored ack, so a resend is safe). Several pending resets are folded into the
    newest: one reload answers them all, and the older ones follow its state.
    """
    now = timezone.now()
    fields = {"last_seen": now}
    if version is not None:
        fields["version"] = version
    Kiosk.objects.filter(pk=kiosk_pk).update(**fields)
    rows = list(
        Delivery.objects.filter(
            kiosk_id=kiosk_pk, state__in=Delivery.OPEN, expires_at__gt=now, collapsed_into__isnull=True
        )
        .select_related("command")
        .order_by("command__created_at", "pk")[:limit]
    )
    resets = [
        row for row in rows
        if row.state == Delivery.PENDING and row.command.is_reset and row.command.when == Command.NOW
    ]
    if len(resets) > 1:
        keeper, folded = resets[-1], [row.pk for row in resets[:-1]]
        Delivery.objects.filter(pk__in=folded, state=Delivery.PENDING).update(
            collapsed_into=keeper, note="folded into %s: one reload answers both" % keeper.command_id, updated_at=now
        )
        rows = [row for row in rows if row.pk not in folded]
    # Accepted ones last: the kiosk is already on them (a resend only heals a lost terminal
    # ack), so they must not hold up what it has not seen yet.
    rows.sort(key=lambda row: row.state == Delivery.ACCEPTED)
    # Which owed resets others were folded into (now, or on an earlier hello): their acks
    # update the folded ones too.
    reset_pks = [row.pk for row in rows if row.command.is_reset]
    keepers = set(Delivery.objects.filter(collapsed_into__in=reset_pks).values_list("collapsed_into", flat=True)) if reset_pks else set()
    return [_owed(row.pk, row.command, row.kiosk_key, row.pk in keepers) for row in rows]


def claim_live(items):
    """For ``[(command_id, kiosk_pk)]`` of a command just published: the frame each connection
    should write now, or None (not targeted, already sent or answered, expired)."""
    now = timezone.now()
    results = [None] * len(items)
    by_command = defaultdict(list)
    for index, (command_id, _) in enumerate(items):
        by_command[command_id].append(index)
    for command_id, indexes in by_command.items():
        command = Command.objects.filter(pk=command_id, expires_at__gt=now).first()
        if command is None:
            continue
        rows = {
            kiosk_pk: (pk, key)
            for kiosk_pk, pk, key in Delivery.objects.filter(
                command_id=command_id,
                kiosk_id__in={items[i][1] for i in indexes},
                state=Delivery.PENDING,
                collapsed_into__isnull=True,
            ).values_list("kiosk_id", "pk", "kiosk_key")
        }
        for index in indexes:
            row = rows.get(items[index][1])
            if row is not None:
                results[index] = _owed(row[0], command, row[1])
    return results


def mark_sent(delivery_pks):
    """The frames of these deliveries were written to live connections: pending → sent."""
    now = timezone.now()
    pks = list(set(delivery_pks))

    def if_pending(value, field):
        # SET expressions see the row as it was: every CASE here tests the old state.
        return Case(When(state=Delivery.PENDING, then=value), default=F(field), output_field=Delivery._meta.get_field(field))

    with transaction.atomic():
        # Each written frame is counted; a pending delivery becomes sent (one statement, one
        # new version of each row).
        Delivery.objects.filter(pk__in=pks).update(
            sends=F("sends") + 1,
            state=if_pending(Value(Delivery.SENT), "state"),
            sent_at=if_pending(Value(now), "sent_at"),
            updated_at=if_pending(Value(now), "updated_at"),
        )
        Delivery.objects.filter(collapsed_into__in=pks, state=Delivery.PENDING).update(
            state=Delivery.SENT, sent_at=now, updated_at=now
        )
    return [True] * len(delivery_pks)


# ---- answers ---------------------------------------------------------------------------------

RECORDED = "recorded"
REPEAT = "repeat"  # the same answer again (after a resend): nothing changes, nothing wrong
LATE = "late"  # a terminal answer after the expiry: kept as late_status, the state stays expired
REFUSED = "refused"

# Acks applied together in one round of statements, at most. Each adds a few parameters to
# those statements (its row, and its ms and reason where they differ from the others'), and
# SQLite before 3.32 takes at most 999 in one statement.
ACK_CHUNK = updates.CHUNK

# What an ack writes that differs from one ack to the next; everything else it writes
# depends only on its status and the time.
_PER_ACK_FIELDS = ("reason", "ms", "waiting_for")


class _NotExact(Exception):
    """The acks applied together cannot be told apart from a row someone else changed."""


def record_acks(items):
    """Record ``[(kiosk_pk, protocol.Ack[, Hint])]`` in one transaction; one ``(outcome, detail)`` each.

    The common case (every kiosk of a fleet-wide command answering once) costs a few
    statements per ACK_CHUNK acks, not a few per ack: the acks of kiosks with only one ack
    in the batch are applied together, one conditional UPDATE per status with the very
    conditions of ``record_ack`` (forward only, not expired, the hint's row), then the
    deliveries that follow theirs and their kiosks, in one statement each. The acks that
    changed nothing (refused, repeated, late) and every ack of a kiosk with several in the
    batch then go through ``record_ack`` one by one, in the order they came: it says why, or
    applies them in turn, exactly as if the batch had been recorded one ack at a time (the
    acks of different kiosks touch different rows, so only each kiosk's own order matters).

    The batch runs as one transaction without savepoints; if anything raises, it is rolled
    back and run again one ack at a time with one savepoint each, so that one that fails is
    rolled back alone (its result is the exception) and the others stay. A database that
    refuses the transaction as a whole ("locked") fails the batch, which is then run again
    (``dbthread``).
    """
    items = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in items]
    now = timezone.now()
    try:
        with transaction.atomic():
            return _record_acks_together(items, now)
    except OperationalError:
        raise
    except Exception:  # noqa: BLE001 -- found out which one below
        pass
    results = []
    with transaction.atomic():
        for kiosk_pk, ack, hint in items:
            try:
                with transaction.atomic():
                    results.append(record_ack(kiosk_pk, ack, now=now, hint=hint))
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 -- handed back to the connection that sent it
                results.append(exc)
    return results


def _record_acks_together(items, now):
    results = [None] * len(items)
    acks_per_kiosk = Counter(kiosk_pk for kiosk_pk, _, _ in items)
    alone = [index for index, (kiosk_pk, _, _) in enumerate(items) if acks_per_kiosk[kiosk_pk] == 1]
    for start in range(0, len(alone), ACK_CHUNK):
        for index in _apply_together([items[i] for i in alone[start:start + ACK_CHUNK]], now):
            results[alone[start + index]] = (RECORDED, "")
    for index, (kiosk_pk, ack, hint) in enumerate(items):
        if results[index] is None:
            results[index] = record_ack(kiosk_pk, ack, now=now, hint=hint)
    return results


def _apply_together(items, now):
    """Apply the acks ``[(kiosk_pk, ack, hint)]``, of different kiosks, where ``record_ack``
    would; returns the indexes of those applied (the others changed nothing)."""
    by_status = defaultdict(list)
    for index, (kiosk_pk, ack, hint) in enumerate(items):
        answerable, hint = _answerable(kiosk_pk, ack, hint)
        row = Q(pk=hint.delivery_pk) if hint is not None else Q(command_id=ack.command_id, kiosk_id=kiosk_pk)
        by_status[ack.status].append((index, answerable, row, hint))
    applied = []
    keepers = {}  # index -> pk of its delivery, where other deliveries follow it
    for status, group in by_status.items():
        # Hinted acks of one command as one condition on their rows (three lookups, not three
        # per ack): a row matched by it belongs to one of their acks only if each hint's row
        # is that ack's command and kiosk, which is checked right after (below).
        answerable, hinted = Q(), defaultdict(list)
        for index, condition, _, hint in group:
            if hint is None:
                answerable |= condition
            else:
                hinted[items[index][1].command_id].append((items[index][0], hint.delivery_pk))
        for command_id, rows in hinted.items():
            answerable |= Q(
                command_id=command_id, kiosk_id__in=[kiosk_pk for kiosk_pk, _ in rows], pk__in=[pk for _, pk in rows]
            )
        change = per_row(Delivery, [(row, _change(items[index][1], now)) for index, _, row, _ in group], _PER_ACK_FIELDS)
        changed = Delivery.objects.filter(_open_now(now), answerable).update(**change)
        if hinted:
            _check_hints(items, group)
        done = group
        if changed < len(group):
            done = _which_changed(items, group, status, now, changed)
        for index, _, _, hint in done:
            applied.append(index)
            if hint is None or hint.folded:
                keepers[index] = hint.delivery_pk if hint is not None else None
    if not applied:
        return applied
    # The rows without a hint are known by their command and kiosk: their pk, for the followers.
    unknown = [index for index, pk in keepers.items() if pk is None]
    if unknown:
        found = Q()
        for index in unknown:
            found |= Q(command_id=items[index][1].command_id, kiosk_id=items[index][0])
        pks = {(command_id, kiosk_pk): pk for pk, command_id, kiosk_pk in Delivery.objects.filter(found).values_list("pk", "command_id", "kiosk_id")}
        for index in unknown:
            keepers[index] = pks[(items[index][1].command_id, items[index][0])]
    _follow(items, keepers, now)
    _note_kiosks(items, applied, now)
    return applied


def _check_hints(items, group):
    """Each hint names the row of its own ack's command and kiosk (as the connection that
    wrote the frame knows it); if one does not, the acks applied together may have moved a
    row record_ack would not have, and the batch goes one ack at a time instead."""
    expected = {hint.delivery_pk: (items[index][1].command_id, items[index][0]) for index, _, _, hint in group if hint is not None}
    for pk, command_id, kiosk_pk in Delivery.objects.filter(pk__in=list(expected)).values_list("pk", "command_id", "kiosk_id"):
        if expected[pk] != (command_id, kiosk_pk):
            raise _NotExact("the hint of an ack for %s names another delivery" % expected[pk][0])


def _which_changed(items, group, status, now, changed):
    """Of ``group`` (acks of one status), the entries whose rows the UPDATE just changed: the
    rows in that state written at exactly ``now``. Exact only if they are as many as it
    changed (a row someone else wrote at the same microsecond would be one too many)."""
    rows = Q()
    for index, _, _, _ in group:
        rows |= Q(command_id=items[index][1].command_id, kiosk_id=items[index][0])
    written = set(Delivery.objects.filter(rows, state=status, updated_at=now).values_list("command_id", "kiosk_id"))
    if len(written) != changed:
        raise _NotExact("%d rows changed, %d found" % (changed, len(written)))
    return [entry for entry in group if (items[entry[0]][1].command_id, items[entry[0]][0]) in written]


def _follow(items, keepers, now):
    """The deliveries folded into those just answered take the same answer (one UPDATE per status)."""
    by_status = defaultdict(list)
    for index, pk in keepers.items():
        by_status[items[index][1].status].append((index, pk))
    for status, group in by_status.items():
        change = per_row(Delivery, [(Q(collapsed_into=pk), _change(items[index][1], now)) for index, pk in group], _PER_ACK_FIELDS)
        Delivery.objects.filter(
            collapsed_into__in=[pk for _, pk in group], state__in=_followers(status), expires_at__gt=now
        ).update(**change)


def _note_kiosks(items, applied, now):
    """The kiosks whose acks were applied were seen; terminal ones are their last ack."""
    seen = [items[index][0] for index in applied if items[index][1].status == ACCEPTED]
    if seen:
        Kiosk.objects.filter(pk__in=seen).update(last_seen=now)
    terminal = [index for index in applied if items[index][1].status != ACCEPTED]
    if terminal:
        Kiosk.objects.filter(pk__in=[items[index][0] for index in terminal]).update(
            last_seen=now,
            last_ack_at=now,
            **per_row(
                Kiosk,
                [
                    (Q(pk=items[index][0]), {"last_ack_command_id": items[index][1].command_id, "last_ack_status": items[index][1].status})
                    for index in terminal
                ],
            ),
        )


def _open_now(now):
    return Q(state__in=Delivery.OPEN, expires_at__gt=now)


def _answerable(kiosk_pk, ack, hint):
    """Which of the kiosk's deliveries ``ack`` may move (besides being open and not expired),
    and the hint that holds for it (None if it names another command than the hint)."""
    mine = Q(command_id=ack.command_id, kiosk_id=kiosk_pk)
    if hint is not None and (ack.command is None or ack.command == hint.command):
        # The connection wrote this frame: it knows the row and its command (no join, no
        # lookup), and that the frame was written, even if its "sent" mark is still queued.
        return mine & Q(pk=hint.delivery_pk), hint
    answerable = mine & Q(state__in=(Delivery.SENT, Delivery.ACCEPTED))
    if ack.command is not None:
        answerable &= Q(command__command=ack.command)
    return answerable, None


def _change(ack, now):
    """What applying ``ack`` writes to its delivery, and to the deliveries that follow it."""
    if ack.status == ACCEPTED:
        change = {"state": Delivery.ACCEPTED, "waiting_for": ack.waiting_for, "updated_at": now}
    else:
        change = {
            "state": ack.status, "reason": ack.reason, "ms": ack.ms, "answered_at": now, "updated_at": now,
            "waiting_for": "",
        }
    change["sent_at"] = Coalesce(F("sent_at"), Value(now, output_field=DateTimeField()))
    return change


def _followers(status):
    """The states in which a folded delivery takes its keeper's answer of ``status``."""
    return (Delivery.PENDING, Delivery.SENT) if status == ACCEPTED else Delivery.OPEN


def record_ack(kiosk_pk, ack, now=None, hint=None):
    """Apply one ack from the kiosk ``kiosk_pk`` to its own delivery; ``(outcome, detail)``.

    Refused: no delivery of that id for this kiosk, a delivery never sent to it, an ack
    naming another command, or one that would move a terminal state (a ``failed`` never
    becomes ``ignored``).

    The conditional UPDATE comes first, the reads that explain a refusal after it: on SQLite
    a transaction that reads before it writes is refused outright while another worker writes.
    """
    now = now or timezone.now()
    mine = Delivery.objects.filter(command_id=ack.command_id, kiosk_id=kiosk_pk)
    answerable, hint = _answerable(kiosk_pk, ack, hint)
    change = _change(ack, now)
    if Delivery.objects.filter(_open_now(now), answerable).update(**change):
        if hint is None or hint.folded:
            pk = hint.delivery_pk if hint is not None else mine.values_list("pk", flat=True).get()
            Delivery.objects.filter(collapsed_into=pk, state__in=_followers(ack.status), expires_at__gt=now).update(**change)
        seen = {"last_seen": now}
        if ack.status != ACCEPTED:
            seen.update(last_ack_command_id=ack.command_id, last_ack_status=ack.status, last_ack_at=now)
        Kiosk.objects.filter(pk=kiosk_pk).update(**seen)
        return RECORDED, ""

    # Nothing was answerable: say why.
    delivery = mine.select_related("command").only("pk", "state", "expires_at", "late_status", "command__command").first()
    if delivery is None:
        return REFUSED, "ack for a command that was not sent to this kiosk"
    if ack.command is not None and ack.command != delivery.command.command:
        return REFUSED, "ack names command %s, but %s is a %s" % (ack.command, ack.command_id, delivery.command.command)
    state = delivery.state
    if state == Delivery.PENDING:
        return REFUSED, "ack for a command not yet sent to this kiosk"
    if state in Delivery.OPEN:
        # Sent or accepted, but past expiresAt with no terminal ack: expired, whatever comes
        # now (the sweeper may not have run yet). A late terminal answer is kept beside it.
        expire_due(now, delivery_pks=[delivery.pk])
        state = Delivery.EXPIRED
    if state == Delivery.EXPIRED:
        if ack.is_terminal:
            Delivery.objects.filter(pk=delivery.pk, late_status="").update(late_status=ack.status, updated_at=now)
            return LATE, "answered %s after the expiry" % ack.status
        return REPEAT, ""
    if ack.status == state or ack.status == ACCEPTED:
        return REPEAT, ""  # the stored ack again after a resend, or a stale interim one
    return REFUSED, "%s was already answered %s; states only move forward" % (ack.command_id, state)


def store_screenshots(items):
    """Store ``[(kiosk_pk, protocol.Screenshot)]``; one ``(outcome, detail)`` each."""
    results = []
    for kiosk_pk, shot in items:
        try:
            with transaction.atomic():
                results.append(store_screenshot(kiosk_pk, shot))
        except OperationalError:
            raise  # "locked": the batch is run again
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
    return results


def store_screenshot(kiosk_pk, shot):
    """Keep a screenshot the kiosk took for a screenshot command sent to it and not yet answered."""
    now = timezone.now()
    # A write first (the kiosk was seen): SQLite refuses a transaction that read before writing.
    Kiosk.objects.filter(pk=kiosk_pk).update(last_seen=now)
    delivery = (
        Delivery.objects.filter(command_id=shot.command_id, kiosk_id=kiosk_pk)
        .select_related("command")
        .first()
    )
    if delivery is None or delivery.command.command != Command.SCREENSHOT:
        return REFUSED, "screenshot for no screenshot command sent to this kiosk"
    if delivery.state == Delivery.PENDING:
        return REFUSED, "screenshot for a command not yet sent to this kiosk"
    if Screenshot.objects.filter(delivery=delivery).exists():
        return REPEAT, ""
    if delivery.state not in (Delivery.SENT, Delivery.ACCEPTED):
        return REFUSED, "screenshot after %s was answered %s" % (shot.command_id, delivery.state)
    max_width = int((delivery.command.args or {}).get("maxWidth", DEFAULT_MAX_WIDTH))
    if shot.width > max_width:
        note_refused_screenshot(kiosk_pk, shot.command_id, "wider than maxWidth %d" % max_width)
        return REFUSED, "screenshot %d px wide, more than maxWidth %d" % (shot.width, max_width)
    screenshot = Screenshot.objects.create(
        delivery=delivery,
        kiosk_id=kiosk_pk,
        kiosk_key=delivery.kiosk_key,
        mime="image/jpeg",
        width=shot.width,
        height=shot.height,
        size=len(shot.image),
        taken_at=shot.taken_at,
        received_at=now,
        data=shot.image,
    )
    Kiosk.objects.filter(pk=kiosk_pk).update(latest_screenshot=screenshot)
    old = list(
        Screenshot.objects.filter(kiosk_id=kiosk_pk)
        .order_by("-received_at", "-pk")
        .values_list("pk", flat=True)[conf.screenshots_per_kiosk():]
    )
    if old:
        Screenshot.objects.filter(pk__in=old).delete()
    return RECORDED, ""


def note_refused_screenshot(kiosk_pk, command_id, why):
    """Say on the delivery why its screenshot was not kept (the kiosk's own ack still counts)."""
    Delivery.objects.filter(
        command_id=command_id, kiosk_id=kiosk_pk, command__command=Command.SCREENSHOT, state__in=Delivery.OPEN
    ).update(note=("screenshot refused: %s" % why)[:200])


# ---- time and counts -------------------------------------------------------------------------


def expire_due(now=None, command_id=None, delivery_pks=None):
    """Expire open deliveries whose expiry has passed; returns how many. Idempotent."""
    now = now or timezone.now()
    due = Delivery.objects.filter(state__in=Delivery.OPEN, expires_at__lte=now)
    if command_id is not None:
        due = due.filter(command_id=command_id)
    if delivery_pks is not None:
        due = due.filter(pk__in=delivery_pks)
    if not due.exists():  # a read first: no write lock when there is nothing to do
        return 0
    expired = due.filter(state=Delivery.PENDING).update(
        state=Delivery.EXPIRED, reason=EXPIRED_OFFLINE, waiting_for="", updated_at=now
    )
    expired += due.update(state=Delivery.EXPIRED, reason=EXPIRED_NO_ANSWER, waiting_for="", updated_at=now)
    return expired


def delivery_counts(command):
    """``{"total": M, "pending": ..., "sent": ..., ...}`` for one command, in one query."""
    counts = {state: 0 for state, _ in Delivery.STATE_CHOICES}
    command_id = command.pk if isinstance(command, Command) else command
    for row in Delivery.objects.filter(command_id=command_id).values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts[state] for state, _ in Delivery.STATE_CHOICES)
    counts["open"] = sum(counts[state] for state in Delivery.OPEN)
    counts["succeeded"] = sum(counts[state] for state in Delivery.SUCCESS)
    return counts


def is_settled(counts):
    """True once every delivery is terminal: nothing about the command can change any more."""
    return counts["open"] == 0


def status_report(command_id):
    """What ``kiosk_command_status`` prints: the command and each kiosk's status and reason."""
    command = Command.objects.get(pk=command_id)
    expire_due(command_id=command.pk)
    kiosks = {
        key: {"status": state, "reason": reason or None}
        for key, state, reason in command.deliveries.order_by("kiosk_key").values_list("kiosk_key", "state", "reason")
    }
    return {"id": command.id, "command": command.command, "expiresAt": iso_z(command.expires_at, seconds=True), "kiosks": kiosks}
