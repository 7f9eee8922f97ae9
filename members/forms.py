from django import forms
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
