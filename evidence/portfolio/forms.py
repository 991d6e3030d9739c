from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.catalogue.models import LearningOutcome
from evidence.models import Confidence, EvidenceItem

TEXT_MAX = 5000


class OutcomeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.position}. {obj.statement}"


def outcomes_field(specification, label):
    return OutcomeChoiceField(
        label=label,
        queryset=LearningOutcome.objects.filter(specification=specification).order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SelfAssessmentForm(forms.Form):
    """Two fields per learning outcome: ``confidence_<pk>`` and ``narrative_<pk>``."""

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        for outcome in outcomes:
            self.fields[f"confidence_{outcome.pk}"] = forms.TypedChoiceField(
                label=_("How confident are you?"),
                choices=Confidence.choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"narrative_{outcome.pk}"] = forms.CharField(
                label=_("Where and how did you learn it? Describe it in your own words."),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=TEXT_MAX,
            )

    def rows(self):
        return [
            (outcome, self[f"confidence_{outcome.pk}"], self[f"narrative_{outcome.pk}"])
            for outcome in self.outcomes
        ]

    def answers(self) -> dict:
        return {
            o.pk: (
                self.cleaned_data[f"confidence_{o.pk}"],
                self.cleaned_data[f"narrative_{o.pk}"].strip(),
            )
            for o in self.outcomes
        }


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("When it happened or was made, as far as you know."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    context = forms.CharField(
        label=_("Context"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("Where, for whom and what your part was."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    url = forms.URLField(
        label=_("Link"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("The web address of your work, e.g. https://example.org/my-project"),
    )
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=TEXT_MAX * 4,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, kind, specification, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["outcomes"] = outcomes_field(
            specification, _("Learning outcomes this evidence supports")
        )
        if kind != EvidenceItem.Kind.LINK:
            del self.fields["url"]
        if kind != EvidenceItem.Kind.STATEMENT:
            del self.fields["statement"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter a web address that starts with https://"))
        return url


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    files = forms.FileField(
        label=_("Files"),
        help_text=_("You can choose several files at once."),
        widget=MultipleFileInput(attrs={"multiple": True}),
        required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn application cannot be reopened."),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )


class SubmitForm(forms.Form):
    """The declaration the candidate makes before their portfolio is frozen and judged."""

    declaration = forms.BooleanField(
        label=_(
            "I declare that this work and evidence are my own and true, and that I have not "
            "changed what others wrote about me."
        ),
        error_messages={
            "required": _(
                "Tick the declaration to submit: assessors can only judge work that you "
                "declare as your own. Nothing you prepared is lost."
            )
        },
    )
