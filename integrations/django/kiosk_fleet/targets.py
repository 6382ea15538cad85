"""Who a reset is for: everyone, some kiosks by id, or some groups.

The wire form is the one in the kiosk contract: ``"all"``, ``{"kiosks": [...]}`` or
``{"groups": [...]}``. ``Target`` is its validated, normalised (sorted, de-duplicated) form.
"""

from dataclasses import dataclass
from typing import Tuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .names import split_groups

ALL = "all"
KIOSKS = "kiosks"
GROUPS = "groups"
KINDS = (ALL, KIOSKS, GROUPS)


@dataclass(frozen=True)
class Target:
    kind: str
    names: Tuple[str, ...] = ()

    @classmethod
    def parse(cls, value):
        """Build a Target from its wire form (or return ``value`` if it already is one).

        Raises ValueError with a readable message for anything else.
        """
        if isinstance(value, Target):
            return value
        if value == ALL:
            return cls(ALL)
        if isinstance(value, dict) and len(value) == 1:
            (kind, names), = value.items()
            if kind in (KIOSKS, GROUPS):
                return cls.of(kind, names)
        raise ValueError('target must be "all", {"kiosks": [...]} or {"groups": [...]}')

    @classmethod
    def of(cls, kind, names):
        if kind not in (KIOSKS, GROUPS):
            raise ValueError("unknown target kind %r" % (kind,))
        if isinstance(names, str) or not names:
            raise ValueError("a %s target needs a non-empty list of names" % kind)
        try:
            clean = split_groups(names)  # same charset and normalisation for ids and groups
        except ValidationError as exc:
            raise ValueError("; ".join(exc.messages)) from None
        return cls(kind, tuple(clean))

    def to_wire(self):
        if self.kind == ALL:
            return ALL
        return {self.kind: list(self.names)}

    def matches(self, kiosk_id, kiosk_groups):
        if self.kind == ALL:
            return True
        if self.kind == KIOSKS:
            return kiosk_id in self.names
        return any(group in self.names for group in kiosk_groups)

    @property
    def label(self):
        """For people, in the active language: ``all kiosks``, ``kiosks: a, b``, ``groups: lobby``.

        ``str()`` stays English: it goes into log lines and command-line output.
        """
        if self.kind == ALL:
            return gettext("all kiosks")
        names = ", ".join(self.names)
        if self.kind == KIOSKS:
            return gettext("kiosks: %(names)s") % {"names": names}
        return gettext("groups: %(names)s") % {"names": names}

    def __str__(self):
        if self.kind == ALL:
            return "all kiosks"
        return "%s: %s" % (self.kind, ", ".join(self.names))

