from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import parse_id
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


# --- annual study assessment ------------------------------------------------------------------


class YearForm(forms.Form):
    """?year=2026; anything else is the current year."""

    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2199, required=False)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def year_value(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.today.year


def _number(label, *, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class RuleForm(forms.Form):
    """The thresholds of the two upper study levels (and, for the bloc, the names)."""

    year = forms.IntegerField(min_value=1945, max_value=2199, widget=forms.HiddenInput)
    good_name = forms.CharField(label=_("Name of the best level"), max_length=40, required=False)
    pass_name = forms.CharField(label=_("Name of the middle level"), max_length=40, required=False)
    fail_name = forms.CharField(label=_("Name of the lowest level"), max_length=40, required=False)
    good_min_full_pct = _number(_("Attended fully, at least (%)"), maximum=100)
    good_max_unexcused = _number(_("Absences without excuse, at most"), maximum=999)
    good_max_missing = _number(_("Essays missing, at most"), maximum=999)
    good_max_failed = _number(_("Essays graded fail, at most"), maximum=999)
    pass_min_full_pct = _number(_("Attended fully, at least (%)"), maximum=100)
    pass_max_unexcused = _number(_("Absences without excuse, at most"), maximum=999)
    pass_max_missing = _number(_("Essays missing, at most"), maximum=999)
    pass_max_failed = _number(_("Essays graded fail, at most"), maximum=999)

    LEVEL_FIELDS = ("min_full_pct", "max_unexcused", "max_missing", "max_failed")

    def level_fields(self, level: str) -> list:
        return [self[f"{level}_{suffix}"] for suffix in self.LEVEL_FIELDS]

    def thresholds(self, level: str) -> dict:
        return {suffix: self.cleaned_data[f"{level}_{suffix}"] for suffix in self.LEVEL_FIELDS}


class OverrideForm(forms.Form):
    """A secretary's judgement of one member's year. An empty reason is the service's to
    refuse, with its own message."""

    year = forms.IntegerField(min_value=1945, max_value=2199, widget=forms.HiddenInput)
    member = forms.CharField(max_length=20, widget=forms.HiddenInput)
    level = forms.ChoiceField(label=_("Study level"), choices=())
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels

    def clean_member(self) -> int:
        pk = parse_id(self.cleaned_data["member"])
        if pk is None:
            raise forms.ValidationError(_("Choose a member of the list."))
        return pk
