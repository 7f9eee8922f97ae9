"""The early warnings' thresholds of an organisation for a year. Out-of-range and contradictory
numbers are the service's to refuse, with its own message (oversight.warnings)."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _number(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class WarningRuleForm(forms.Form):
    year = forms.IntegerField(min_value=1945, max_value=2199, widget=forms.HiddenInput)
    unexcused = _number(_("Warn at this many absences without excuse"))
    missing = _number(_("Warn at this many essays missing past their deadline"))
