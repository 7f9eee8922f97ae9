from django import forms
from django.utils.translation import gettext_lazy as _

from essays.models import Level
from essays.services import MAX_PLAN_ITEMS, PLAN_FIELDS, SECTIONS


class EssayForm(forms.Form):
    """The sections and up to MAX_PLAN_ITEMS plan rows; completeness is checked on submit."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 6})
            )
        for index in range(MAX_PLAN_ITEMS):
            for name, label in PLAN_FIELDS:
                self.fields[f"plan-{index}-{name}"] = forms.CharField(
                    label=label, required=False, max_length=1000
                )

    def sections(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name, _label in SECTIONS}

    def plan(self) -> list[dict]:
        return [
            {name: self.cleaned_data.get(f"plan-{i}-{name}", "") for name, _label in PLAN_FIELDS}
            for i in range(MAX_PLAN_ITEMS)
        ]

    def plan_rows(self):
        return [
            [self[f"plan-{i}-{name}"] for name, _label in PLAN_FIELDS]
            for i in range(MAX_PLAN_ITEMS)
        ]

    def section_fields(self):
        return [self[name] for name, _label in SECTIONS]


def essay_initial(essay) -> dict:
    initial = {"revision": essay.revision}
    for name, _label in SECTIONS:
        initial[name] = getattr(essay, name)
    for index, item in enumerate(essay.plan or []):
        for name, _label in PLAN_FIELDS:
            initial[f"plan-{index}-{name}"] = item.get(name, "")
    return initial


class GradeForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What to revise"), widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Word or PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )
