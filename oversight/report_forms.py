"""The periodic report's choices: a quarter or a year, and what the top of the document says.

A field left out of the query takes its default (the place from HOCTAP_REPORT_PLACE, today's
date, the issuing body named from the organisation); a field sent empty is printed as dots, to
be filled in by hand on the signed copy."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oversight import periods
from study.forms import plausible_date

KINDS = [("quarter", _("Quarter")), ("year", _("Year"))]
HEADING_FIELDS = ("number", "place", "dated", "superior", "issuer")


class ReportForm(forms.Form):
    """?kind=quarter&year=2026&quarter=4 or ?kind=year&year=2026, with the heading's fields."""

    kind = forms.ChoiceField(label=_("Report"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2199, required=False)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
    number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        help_text=_("For example 15-BC/BTGĐUK. Left empty, dots are printed."),
    )
    place = forms.CharField(label=pgettext_lazy("document", "Place"), max_length=60, required=False)
    dated = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
    )
    superior = forms.CharField(label=_("Superior body"), max_length=120, required=False)
    issuer = forms.CharField(label=_("Issuing body"), max_length=120, required=False)

    def __init__(self, *args, today: date, defaults: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.defaults = {**defaults, "dated": today}
        if not self.is_bound:
            self.initial = {
                "kind": "quarter",
                "year": today.year,
                "quarter": (today.month - 1) // 3 + 1,
                **self.defaults,
            }

    def clean(self):
        data = super().clean()
        year = data.get("year") or self.today.year
        if data.get("kind") == "year":
            data["period"] = periods.year(year)
        else:
            data["period"] = periods.quarter(
                year, data.get("quarter") or (self.today.month - 1) // 3 + 1
            )
        return data

    def period(self) -> periods.Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return periods.quarter(self.today.year, (self.today.month - 1) // 3 + 1)

    def heading(self) -> dict:
        """The heading's values: defaults for the fields left out, what was given otherwise
        (dots for an empty one); defaults throughout when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return dict(self.defaults)
        return {
            name: self.cleaned_data[name] if name in self.data else self.defaults.get(name, "")
            for name in HEADING_FIELDS
        }

    def values(self) -> dict:
        """What the form's inputs show: what was typed, else the default (the period in force
        for the period's fields)."""
        period = self.period()
        shown = {
            **self.defaults,
            "kind": period.kind,
            "year": period.first.year,
            "quarter": (period.first.month - 1) // 3 + 1,
        }
        if self.is_bound:
            shown |= {name: self.data[name] for name in self.fields if name in self.data}
        if isinstance(shown["dated"], date):
            shown["dated"] = shown["dated"].isoformat()
        return shown
