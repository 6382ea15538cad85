"""Enrol a kiosk from the command line (imaging scripts): prints its token on the last line."""

import random
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, OperationalError, transaction

from kiosk_fleet.models import Kiosk
from kiosk_fleet.names import NAME_HELP, is_valid_name, join_groups

CONFIG_SNIPPET = """\
Put it into the kiosk's config (replace HOST; the value is the word Token, a space, the token;
ws:// and http:// only for a server without TLS, such as a test server):
  "kioskId": "{kiosk_id}",
  "groups": {groups_json},
  "upstream": {{
    "ws":  {{ "url": "wss://HOST/ws/kiosk/", "tokenHeader": "Authorization", "token": "Token <TOKEN>" }},
    "api": {{ "url": "https://HOST/api/",   "tokenHeader": "Authorization", "token": "Token <TOKEN>" }}
  }}
The token (<TOKEN>) is on the last line. It is shown only this once: only its hash is stored."""


# Tries of a --rotate that collides with another enrolment running at the same time.
ROTATE_ATTEMPTS = 5


class Command(BaseCommand):
    help = "Create a kiosk (or, with --rotate, re-issue the token of an existing one) and print its token last."

    def add_arguments(self, parser):
        parser.add_argument("kiosk_id", help="The kioskId in the kiosk's config. " + NAME_HELP)
        parser.add_argument("--group", action="append", dest="groups", metavar="NAME", help="A group; repeat for several.")
        parser.add_argument("--name", default=None, help="Where it stands, for people.")
        parser.add_argument(
            "--rotate", action="store_true",
            help="If the kiosk exists, issue a new token (the old one stops working) instead of failing.",
        )
        parser.add_argument(
            "--unrevoke", action="store_true",
            help="With --rotate: admit a revoked kiosk again (with the new token; its old token stays destroyed).",
        )

    def handle(self, kiosk_id, groups, name, rotate, unrevoke, verbosity, **options):
        if not is_valid_name(kiosk_id):
            raise CommandError("invalid kiosk id %r: %s" % (kiosk_id, NAME_HELP))
        groups_given = groups is not None
        try:
            groups = join_groups(groups or [])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))

        if unrevoke and not rotate:
            raise CommandError("--unrevoke needs --rotate: a kiosk admitted again needs a new token")
        if rotate:
            kiosk, token, created = self._rotate_or_create(kiosk_id, groups if groups_given else None, name, unrevoke)
        else:
            kiosk, token, created = self._create(kiosk_id, groups, name)

        if verbosity >= 1:
            self.stdout.write(
                "%s kiosk %r (groups: %s)."
                % ("Enrolled" if created else "Issued a new token for", kiosk.kiosk_id, kiosk.groups or "none")
            )
            groups_json = "[" + ", ".join('"%s"' % g for g in kiosk.group_list) + "]"
            self.stdout.write(CONFIG_SNIPPET.format(kiosk_id=kiosk.kiosk_id, groups_json=groups_json))
        # Alone on the last line, so that scripts can take it with `tail -n 1`.
        self.stdout.write(token)

    def _create(self, kiosk_id, groups, name):
        # INSERT at once, with no SELECT before it: on SQLite a transaction that reads and
        # then writes cannot wait for another writer (its read lock cannot be upgraded, so it
        # fails at once with "database is locked"), and an imaging script that enrols kiosks
        # in parallel would lose some. The unique kiosk_id tells a duplicate apart instead.
        kiosk = Kiosk(kiosk_id=kiosk_id, groups=groups)
        if name is not None:
            kiosk.name = name
        token = kiosk.issue_token()
        try:
            with transaction.atomic():
                kiosk.save(force_insert=True)
        except IntegrityError:
            raise CommandError(
                "kiosk %r already exists; use --rotate to issue it a new token (the old one stops working)" % kiosk_id
            )
        return kiosk, token, True

    def _rotate_or_create(self, kiosk_id, groups, name, unrevoke=False):
        """--rotate: a new token for the kiosk, created if it does not exist; ``groups`` None keeps them.

        A read-modify-write (``save()`` sends the signal that disconnects the old token), so
        two run at once can collide: on SQLite "database is locked" at once, or both creating
        the kiosk. Each collision is tried again, a few times, after a short random pause.
        """
        for attempt in range(ROTATE_ATTEMPTS):
            try:
                return self._rotate_or_create_once(kiosk_id, groups, name, unrevoke)
            except (IntegrityError, OperationalError):
                if attempt == ROTATE_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))

    def _rotate_or_create_once(self, kiosk_id, groups, name, unrevoke):
        with transaction.atomic():
            kiosk = Kiosk.objects.select_for_update().filter(kiosk_id=kiosk_id).first()
            created = kiosk is None
            if kiosk is not None and kiosk.revoked:
                if not unrevoke:
                    raise CommandError(
                        "kiosk %r is revoked; pass --unrevoke as well to admit it again with a new token" % kiosk_id
                    )
                kiosk.revoked = False
            kiosk = kiosk or Kiosk(kiosk_id=kiosk_id)
            if groups is not None or created:
                kiosk.groups = groups or ""
            if name is not None:
                kiosk.name = name
            token = kiosk.issue_token()
            kiosk.save()
        return kiosk, token, created
