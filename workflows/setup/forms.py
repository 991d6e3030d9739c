from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rpl.accounts.roles import Role
from workflows.models import Pipeline, PipelineVersion

# pool field -> (object permission codename on the specification, role its members must hold)
POOLS = {
    "assessors": ("assess", Role.ASSESSOR),
    "identity_officers": ("verify_identity", Role.IDENTITY_OFFICER),
    "decision_makers": ("decide", Role.DECISION_MAKER),
}


def _person(user) -> str:
    return f"{user.get_full_name()} ({user.email})"


class AssessmentSetupForm(forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Assessment pipeline"),
        queryset=Pipeline.objects.none(),
        required=False,
        empty_label=_("None yet: candidates cannot apply"),
        help_text=_("Only pipelines with a published version can be chosen."),
    )
    assessors = forms.ModelMultipleChoiceField(
        label=_("Assessors"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    identity_officers = forms.ModelMultipleChoiceField(
        label=_("Identity officers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision_makers = forms.ModelMultipleChoiceField(
        label=_("Decision makers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(
            versions__status=PipelineVersion.Status.PUBLISHED
        ).order_by("key")
        users = get_user_model().objects.filter(is_active=True).order_by("full_name", "email")
        for name, (_codename, role) in POOLS.items():
            self.fields[name].queryset = users.filter(groups__name=role.value)
            self.fields[name].label_from_instance = _person
