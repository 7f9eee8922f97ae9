from datetime import date, datetime

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from members.forms import BoundedModelMultipleChoiceField
from members.models import Organization
from study.models import DEFAULT_GRADING_CRITERIA, ActionItem, Document, StudySession

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


# Dates a person can mean: the calendar and the period exports step a day or a month around
# them, which datetime cannot do at its very ends (year 1, year 9999).
EARLIEST, LATEST = date(1945, 1, 1), date(2199, 12, 31)


def plausible_date(value) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": f"{EARLIEST:%d/%m/%Y}", "last": f"{LATEST:%d/%m/%Y}"},
        )


def datetime_field(label, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT],
        validators=[plausible_date],
    )


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


class OrganizationMultipleChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    organizer = OrganizationChoiceField(label=_("Organiser"), queryset=Organization.objects.none())
    audience = OrganizationMultipleChoiceField(
        label=_("Audience (their members are expected)"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    documents = BoundedModelMultipleChoiceField(
        label=_("Documents studied"),
        queryset=Document.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=StudySession.Mode.choices)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    meeting_url = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")
    starts_at = datetime_field(_("Starts at"))
    ends_at = datetime_field(_("Ends at"))
    essay_required = forms.BooleanField(label=_("Essay required"), required=False)
    essay_deadline = datetime_field(_("Essay deadline"), required=False)
    grading_criteria = forms.CharField(
        label=_("Grading criteria, one per line"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    grades_released_together = forms.BooleanField(
        label=_("Release the grades together: each cell's secretary shows the cell's grades"),
        required=False,
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizations
        self.fields["audience"].queryset = organizations
        self.fields["grading_criteria"].help_text = _("Empty: %(defaults)s.") % {
            "defaults": "; ".join(str(c) for c in DEFAULT_GRADING_CRITERIA)
        }

    def criteria(self) -> list[str]:
        return self.cleaned_data["grading_criteria"].splitlines()


class SegmentForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)  # kept across edits
    name = forms.CharField(label=_("Segment"), max_length=100)
    starts_at = datetime_field(_("Starts at"))
    ends_at = datetime_field(_("Ends at"))
    checkin_opens_at = datetime_field(_("Check-in opens (default: 30 min before)"), required=False)
    late_after = datetime_field(_("Late after (default: 15 min after start)"), required=False)
    has_checkout = forms.BooleanField(label=_("Check-out at the end"), required=False)


class PointForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)  # kept across edits
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    host_card = forms.CharField(
        label=_("Host's party card number (optional)"), max_length=20, required=False
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


SegmentFormSet = formset_factory(
    SegmentForm, extra=2, min_num=1, max_num=6, validate_min=True, can_delete=True
)
PointFormSet = formset_factory(PointForm, extra=2, max_num=50, can_delete=True)


class AddParticipantForm(forms.Form):
    card = forms.CharField(label=_("Party card number"), max_length=20)


class DocumentForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, help_text=_("e.g. 328-KL/ĐUK"))
    issued_on = forms.DateField(
        label=_("Date issued"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ProgrammeForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    document = forms.ModelChoiceField(
        label=_("Document carried out"), queryset=Document.objects.all()
    )
    title = forms.CharField(label=_("Title"), max_length=300)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ActionItemForm(forms.Form):
    """Every field is optional here so that the service can name all missing elements at once."""

    content = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    objective = forms.CharField(
        label=_("Objective"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    solution = forms.CharField(
        label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("Timeline (deadline)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    responsible = forms.CharField(
        label=_("Responsible person or unit"), required=False, max_length=300
    )


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(label=_("Progress"), choices=ActionItem.Progress.choices)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("PDF or Word file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class OrganizationPeriodForm(forms.Form):
    """An organisation the user may see and a date range: for reports and exports."""

    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), validators=[plausible_date]
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date must not be before the start date."))
        return data
