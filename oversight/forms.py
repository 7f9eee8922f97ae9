from django import forms
from django.utils.translation import gettext_lazy as _

from oversight import periods
from study.forms import plausible_date

KINDS = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Dates of my own")),
]


class PeriodForm(forms.Form):
    """?kind=month&year=2026&month=12, ?kind=quarter&year=2026&quarter=4, ?kind=year&year=2026,
    or ?kind=custom&start=...&end=... (links use start/end with any kind)."""

    kind = forms.ChoiceField(label=_("Period"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2199, required=False)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "year"
        year = data.get("year") or self.today.year
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            data["period"] = periods.between(start, end)
        elif kind == "custom":
            raise forms.ValidationError(_("Give both dates of the period."))
        elif kind == "month":
            data["period"] = periods.month(year, data.get("month") or self.today.month)
        elif kind == "quarter":
            data["period"] = periods.quarter(
                year, data.get("quarter") or (self.today.month - 1) // 3 + 1
            )
        else:
            data["period"] = periods.year(year)
        return data

    def period(self) -> periods.Period:
        if self.is_valid():
            return self.cleaned_data["period"]
        return periods.year(self.today.year)
