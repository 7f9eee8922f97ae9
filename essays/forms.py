from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from essays.models import Level, Mark
from essays.services import MAX_PLAN_ITEMS, PLAN_FIELDS, SECTIONS
from study.models import DEFAULT_GRADING_CRITERIA


class EssayForm(forms.Form):
    """The sections and up to MAX_PLAN_ITEMS plan rows; completeness is checked on submit."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    # Set only when the member chooses a copy in a conflict: the refused copy they saw, and
    # the revision of the saved copy shown beside it (the choice is saved on top of it).
    settles = forms.IntegerField(required=False, widget=forms.HiddenInput)
    saved_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

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


def copy_fields(sections: dict, plan: list) -> dict:
    """A copy of an essay as the editor's field names and values."""
    fields = {name: sections.get(name, "") for name, _label in SECTIONS}
    for index, item in enumerate((plan or [])[:MAX_PLAN_ITEMS]):
        for name, _label in PLAN_FIELDS:
            fields[f"plan-{index}-{name}"] = item.get(name, "")
    return fields


def essay_initial(essay) -> dict:
    sections = {name: getattr(essay, name) for name, _label in SECTIONS}
    return {"revision": essay.revision, **copy_fields(sections, essay.plan)}


class GradeForm(forms.Form):
    """A mark on each of the session's criteria, the level and a comment. `version` is the
    essay's revision when the page was opened (another grader's grade since is refused)."""

    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            code: _("This page is out of date: open the essay again to grade it.")
            for code in ("required", "invalid", "min_value")
        },
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria: Sequence[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if criteria is None:
            criteria = [str(c) for c in DEFAULT_GRADING_CRITERIA]
        for index, criterion in enumerate(criteria):
            self.fields[f"mark-{index}"] = forms.ChoiceField(
                label=criterion,
                choices=Mark.choices,
                widget=forms.RadioSelect(attrs={"data-mark": index}),
                error_messages={"required": _("Mark this criterion.")},
            )
        self.criteria_count = len(criteria)

    def mark_fields(self):
        return [self[f"mark-{index}"] for index in range(self.criteria_count)]

    def marks(self) -> list[str]:
        return [self.cleaned_data[f"mark-{index}"] for index in range(self.criteria_count)]


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What to revise"), widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Word or PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )


class PassageForm(forms.Form):
    """Dismiss a matched passage for the session (its folded words), or restore a dismissal."""

    dismiss = forms.CharField(required=False, max_length=100_000)
    restore = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if bool(data.get("dismiss")) == bool(data.get("restore")):
            raise forms.ValidationError(_("Choose one passage to dismiss or restore."))
        return data
