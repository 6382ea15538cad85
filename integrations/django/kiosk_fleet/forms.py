from django import forms

from .models import Kiosk
from .names import split_groups


class ResetReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


def known_groups():
    """Every group name some non-revoked kiosk is in, sorted."""
    names = set()
    for groups in Kiosk.objects.filter(revoked=False).values_list("groups", flat=True):
        names.update(split_groups(groups))
    return sorted(names)


class ResetGroupForm(ResetReasonForm):
    groups = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, help_text="Kiosks in any of these groups reload.")

    field_order = ["groups", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(name, name) for name in known_groups()]
