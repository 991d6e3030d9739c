from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.catalogue.models import Specification
from quality.models import AuditCase, SamplingPolicy
from quality.statistics.figures import Period

DEFAULT_DAYS = 365


class PeriodForm(forms.Form):
    """The period and specification the statistics cover; read from the query string."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    specification = forms.ModelChoiceField(
        label=_("Micro-credential"),
        queryset=Specification.objects.order_by("slug"),
        required=False,
        empty_label=_("All micro-credentials"),
        error_messages={"invalid_choice": _("Choose a micro-credential from the list.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data

    def chosen_period(self) -> Period:
        """The chosen period, the last year by default; call after ``is_valid()``."""
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS)
        zone = timezone.get_current_timezone()
        return Period(
            datetime.combine(start, time.min, zone),
            datetime.combine(end + timedelta(days=1), time.min, zone),
        )

    def chosen_specification(self):
        return self.cleaned_data.get("specification") if self.is_valid() else None


class CaseNumberForm(forms.Form):
    number = forms.IntegerField(
        label=_("Case number"),
        min_value=1,
        error_messages={
            "required": _("Enter a case number."),
            "invalid": _("A case number is a whole number, for example 42."),
            "min_value": _("A case number is 1 or more."),
        },
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your verdict"), choices=AuditCase.Verdict.choices, widget=forms.RadioSelect
    )
    severity = forms.ChoiceField(
        label=_("Severity of the finding"),
        choices=[("", _("Choose a severity"))] + AuditCase.Severity.choices,
        required=False,
    )
    description = forms.CharField(
        label=_("What went wrong"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    corrective_action = forms.CharField(
        label=_("Corrective action"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What must be done, by whom, for example a re-assessment of the case."),
    )
    suspend = forms.BooleanField(
        label=_("Suspend the credential until the case is re-assessed"),
        required=False,
        help_text=_(
            "Only for a serious finding. The learner is told; the credential stops verifying."
        ),
    )

    def __init__(self, *args, credential=None, **kwargs):
        super().__init__(*args, **kwargs)
        if credential is None or credential.state != credential.State.ACTIVE:
            del self.fields["suspend"]

    def clean(self):
        data = super().clean()
        if data.get("verdict") != AuditCase.Verdict.FINDING:
            return data
        if not data.get("severity"):
            self.add_error("severity", _("Give the finding a severity."))
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Describe what went wrong."))
        if not (data.get("corrective_action") or "").strip():
            self.add_error("corrective_action", _("Say what must be done to put it right."))
        if data.get("suspend") and data.get("severity") != AuditCase.Severity.SERIOUS:
            self.add_error("suspend", _("Only a serious finding may suspend the credential."))
        return data

    def review(self) -> dict:
        """What ``services.record_review`` takes; a confirmed decision carries no finding."""
        data = self.cleaned_data
        if data["verdict"] != AuditCase.Verdict.FINDING:
            return {"verdict": data["verdict"]}
        return {
            "verdict": data["verdict"],
            "severity": data["severity"],
            "description": data["description"].strip(),
            "corrective_action": data["corrective_action"].strip(),
            "suspend": bool(data.get("suspend")),
        }


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SamplingPolicy
        fields = ["share_percent", "score_margin", "percent_margin"]
        help_texts = {
            "share_percent": _("Besides every appeal and every decision close to a threshold."),
            "score_margin": _(
                "A final outcome score this close to the rubric pass score is audited."
            ),
            "percent_margin": _("A test result this close to the pass mark is audited."),
        }
