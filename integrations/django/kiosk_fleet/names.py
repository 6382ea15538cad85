"""Kiosk ids and group names share one charset: it is safe in URLs, logs and channel group names."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

NAME_RE = re.compile(r"\A[A-Za-z0-9._-]{1,64}\Z")
NAME_HELP = _("1 to 64 characters: letters, digits, '.', '_' or '-'.")

validate_kiosk_id = RegexValidator(NAME_RE, format_lazy("{} ({})", _("Enter a valid kiosk id"), NAME_HELP))


def is_valid_name(value):
    return isinstance(value, str) and NAME_RE.match(value) is not None


def split_groups(value):
    """Return the sorted, de-duplicated group names in ``value``.

    ``value`` is either the stored form ("floor-2,lobby"), what a person types in the admin
    ("lobby, floor-2") or an iterable of names. Raises ValidationError naming any bad one.
    """
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[\s,]+", value)
    else:
        parts = list(value)
    names = set()
    bad = []
    for part in parts:
        if isinstance(part, str):
            part = part.strip()
            if not part:
                continue
        if is_valid_name(part):
            names.add(part)
        else:
            bad.append(str(part)[:80])
    if bad:
        raise ValidationError(
            ngettext(
                "Invalid group name: %(bad)s. Each group name: %(help)s",
                "Invalid group names: %(bad)s. Each group name: %(help)s",
                len(bad),
            ),
            params={"bad": ", ".join(bad), "help": NAME_HELP},
            code="invalid_group",
        )
    return sorted(names)


def join_groups(names):
    return ",".join(split_groups(names))


def validate_group_list(value):
    split_groups(value)
