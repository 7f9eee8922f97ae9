from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, card number or e-mail"), required=False, max_length=100)


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


MAX_ID = 2**63 - 1  # the largest primary key the databases hold


def parse_id(value: object) -> int | None:
    """An id typed into a URL parameter or a hidden field: plain ASCII digits that fit a
    database key; anything else (a superscript "²", which str.isdigit() accepts, or 2**64) is
    no id at all."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ids beyond what a database key holds are invalid choices, not a database error (Django
    guards them for `pk=` but not for the `pk__in=` this field sends; SQLite then overflows)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip().lstrip("-")
            if text.isascii() and text.isdigit() and int(text) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
