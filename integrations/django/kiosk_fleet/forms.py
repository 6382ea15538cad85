from django import forms
from django.core.exceptions import ValidationError

from . import conf
from .commands import clean_args, default_expires_seconds
from .models import Command, Kiosk
from .names import NAME_HELP, split_groups
from .targets import ALL, GROUPS, KIOSKS, Target
from django.utils.translation import gettext_lazy as _


def known_groups():
    """Every group name some non-revoked kiosk is in, sorted."""
    names = set()
    for groups in Kiosk.objects.filter(revoked=False).values_list("groups", flat=True):
        names.update(split_groups(groups))
    return sorted(names)


class CommandOptionsForm(forms.Form):
    """How a command runs: the options a confirmation page offers for any target."""

    when = forms.ChoiceField(
        choices=Command.WHEN_CHOICES, initial=Command.NOW, required=False,
        label=_("When"), help_text=_("When idle: once nobody has touched the kiosk for its idle time."),
    )
    expires_in_minutes = forms.IntegerField(
        label=_("Expires in (minutes)"), min_value=1, required=False,
        help_text=_("Not run after this; kiosks that have not answered by then count as expired. "
        "Default: 10 for a reset, 15 for other commands."),
    )
    max_width = forms.IntegerField(
        label=_("Screenshot width at most (px)"), min_value=16, max_value=16384, required=False,
        help_text=_("Default 1280."),
    )
    power = forms.ChoiceField(choices=[("off", _("off")), ("on", _("on"))], required=False, label=_("Display power"))
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"), help_text=_("Recorded, and shown to kiosks with a reset."))

    def clean_expires_in_minutes(self):
        minutes = self.cleaned_data.get("expires_in_minutes")
        if minutes is not None and minutes * 60 > conf.max_expires_seconds():
            raise ValidationError(_("At most %(minutes)d minutes.") % {"minutes": conf.max_expires_seconds() // 60})
        return minutes

    def send_kwargs(self, command, fixed_args=None):
        """Keyword arguments for commands.send_command; ValidationError if they do not fit ``command``.

        ``fixed_args`` (an action's own, e.g. display power) replace the form's arguments.
        """
        data = self.cleaned_data
        args = {}
        if fixed_args is not None:
            args = dict(fixed_args)
        elif command == Command.SCREENSHOT and data.get("max_width"):
            args["maxWidth"] = data["max_width"]
        elif command == Command.DISPLAY:
            args["power"] = data.get("power") or None
            if args["power"] is None:
                raise ValidationError(_("display needs power=off or power=on"))
        try:
            args = clean_args(command, args)
        except ValueError as exc:
            raise ValidationError(str(exc))
        minutes = data.get("expires_in_minutes")
        return {
            "args": args,
            "when": data.get("when") or Command.NOW,
            "expires_in": minutes * 60 if minutes else default_expires_seconds(command),
            "reason": data.get("reason") or "",
        }


class SendCommandForm(CommandOptionsForm):
    """A command for all kiosks, some groups, or some kiosks by id."""

    command = forms.ChoiceField(label=_("Command"), choices=Command.COMMAND_CHOICES)
    target = forms.ChoiceField(
        label=_("Target"),
        choices=[(ALL, _("all kiosks")), (GROUPS, _("the kiosks in these groups")), (KIOSKS, _("these kiosks"))],
        initial=ALL, widget=forms.RadioSelect,
    )
    groups = forms.MultipleChoiceField(label=_("Groups"), widget=forms.CheckboxSelectMultiple, required=False)
    kiosks = forms.CharField(
        label=_("Kiosks"), required=False, max_length=100000, help_text=_("Kiosk ids, separated by commas or spaces."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    field_order = ["command", "target", "groups", "kiosks", "when", "expires_in_minutes", "max_width", "power", "reason"]

    def __init__(self, *args, allowed_commands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(name, name) for name in known_groups()]
        if allowed_commands is not None:
            self.fields["command"].choices = [c for c in Command.COMMAND_CHOICES if c[0] in allowed_commands]

    def clean(self):
        data = super().clean()
        kind = data.get("target")
        try:
            if kind == GROUPS:
                if not data.get("groups"):
                    raise ValidationError({"groups": _("Choose at least one group.")})
                data["target_value"] = Target.of(GROUPS, data.get("groups"))
            elif kind == KIOSKS:
                try:
                    names = split_groups(data.get("kiosks") or "")
                except ValidationError:
                    raise ValidationError({"kiosks": _("Kiosk ids: %(rule)s") % {"rule": NAME_HELP}}) from None
                if not names:
                    raise ValidationError({"kiosks": _("Enter at least one kiosk id.")})
                known = set(Kiosk.objects.filter(kiosk_id__in=names).values_list("kiosk_id", flat=True))
                missing = [name for name in names if name not in known]
                if missing:
                    raise ValidationError({"kiosks": _("No such kiosk: %(ids)s") % {"ids": ", ".join(missing[:20])}})
                data["target_value"] = Target.of(KIOSKS, names)
            elif kind == ALL:
                data["target_value"] = Target(ALL)
        except ValueError as exc:
            raise ValidationError({"groups" if kind == GROUPS else "kiosks": str(exc)}) from None
        if data.get("command"):
            try:
                data["send_kwargs"] = self.send_kwargs(data["command"])
            except ValidationError as exc:
                self.add_error("power" if data["command"] == Command.DISPLAY else None, exc)
        return data
