from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Organization
from speakers.models import Speaker


class SpeakerForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    card = forms.CharField(
        label=_("Party card number (if a member of the platform)"), max_length=20, required=False
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    level = forms.ChoiceField(
        label=pgettext_lazy("speaker level", "Level"), choices=Speaker.Level.choices
    )
    decision_number = forms.CharField(
        label=_("Appointment decision"), max_length=40, required=False
    )
    appointed_on = forms.DateField(
        label=_("Appointed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_ends_on = forms.DateField(
        label=_("Term ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    topics = forms.CharField(
        label=_("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    theory = forms.ChoiceField(
        label=_("Political theory"), choices=[("", "—"), *Speaker.Theory.choices], required=False
    )
    education = forms.CharField(label=_("Education"), max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Speaker.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=1000)
    certificate = forms.CharField(label=_("Certificate"), max_length=100, required=False)


class TalkForm(forms.Form):
    speaker = forms.ModelChoiceField(label=_("Speaker"), queryset=Speaker.objects.none())
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=None, required=False, empty_label=_("The whole session")
    )
    topic = forms.CharField(label=_("Topic"), max_length=300)
    materials_url = forms.URLField(label=_("Materials link"), required=False, assume_scheme="https")

    def __init__(self, *args, speakers, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = speakers
        self.fields["segment"].queryset = segments


RATING = [(n, str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    content = forms.TypedChoiceField(
        label=_("Content"), choices=RATING, coerce=int, widget=forms.RadioSelect
    )
    relevance = forms.TypedChoiceField(
        label=_("Relevance to practice"), choices=RATING, coerce=int, widget=forms.RadioSelect
    )
    clarity = forms.TypedChoiceField(
        label=_("Clarity"), choices=RATING, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional, anonymous)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
