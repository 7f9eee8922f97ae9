from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import Direction, ManualMark, Status


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6 digits under the QR code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ProjectorForm(forms.Form):
    point = forms.IntegerField(required=False)
    direction = forms.ChoiceField(choices=Direction.choices, required=False)


class MarkForm(forms.Form):
    participant = forms.IntegerField()
    segment = forms.IntegerField()
    status = forms.ChoiceField(choices=[(s, Status(s).label) for s in ManualMark.STATUSES])
    reason = forms.CharField(max_length=300, required=False)
    # Where the sheet was: the answer comes back to that page and row.
    org = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)


class ExcuseForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("For"),
        queryset=None,
        required=False,
        empty_label=_("The whole session"),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )

    def __init__(self, *args, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments


class CardForm(forms.Form):
    """What the door scanner sends: a member's personal QR, or a card number typed."""

    code = forms.CharField(max_length=200)


# Times a device reports, in milliseconds of its own clock: only their difference is trusted
# (attendance.services.receive_phone_scans), so a phone set to the wrong time still counts.
_DEVICE_MS = {"min_value": 0, "max_value": 10**14}


class QueuedScanForm(forms.Form):
    """One scan a device kept while it had no network: a member's phone sends the projector's
    token, the door scanner the card or personal QR it read."""

    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$")
    token = forms.CharField(max_length=500, required=False)
    code = forms.CharField(max_length=200, required=False)
    # The member logged in on the phone when the scan was kept (their id, from the page).
    user = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    scanned_at = forms.IntegerField(**_DEVICE_MS)
    sent_at = forms.IntegerField(**_DEVICE_MS)


class QueuedDecisionForm(forms.Form):
    """The secretary confirms (or refuses) scans that arrived late."""

    scan = forms.TypedMultipleChoiceField(coerce=int, choices=())
    accept = forms.TypedChoiceField(coerce=int, choices=[(1, "1"), (0, "0")])

    def __init__(self, *args, scans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].choices = [(pk, str(pk)) for pk in scans]
