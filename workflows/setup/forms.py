from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rpl.accounts.roles import Role
from workflows.models import Pipeline, PipelineVersion
from workflows.staffing.pools import PoolKey

# default pool field -> (object permission codename on the specification, role its members hold)
POOLS = {
    "assessors": ("assess", Role.ASSESSOR),
    "identity_officers": ("verify_identity", Role.IDENTITY_OFFICER),
    "decision_makers": ("decide", Role.DECISION_MAKER),
}


def _person(user) -> str:
    return f"{user.get_full_name()} ({user.email})"


def named_field(key: PoolKey) -> str:
    return f"pool__{key.role.value}__{key.name}"


class AssessmentSetupForm(forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Assessment pipeline"),
        queryset=Pipeline.objects.none(),
        required=False,
        empty_label=_("None yet: candidates cannot apply"),
        help_text=_(
            "Only pipelines with a published version can be chosen. Pools named by the "
            "pipeline's steps appear below once it is saved."
        ),
    )
    assessors = forms.ModelMultipleChoiceField(
        label=_("Assessors (default pool)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    identity_officers = forms.ModelMultipleChoiceField(
        label=_("Identity officers (default pool)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision_makers = forms.ModelMultipleChoiceField(
        label=_("Decision makers (default pool)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, named_pools: list[PoolKey] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(
            versions__status=PipelineVersion.Status.PUBLISHED
        ).order_by("key")
        users = get_user_model().objects.filter(is_active=True).order_by("full_name", "email")
        for name, (_codename, role) in POOLS.items():
            self.fields[name].queryset = users.filter(groups__name=role.value)
            self.fields[name].label_from_instance = _person
        self.named_pools = list(named_pools)
        for key in self.named_pools:
            field = forms.ModelMultipleChoiceField(
                label=key.label,
                queryset=users.filter(groups__name=key.role.value),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            field.label_from_instance = _person
            self.fields[named_field(key)] = field

    def default_pool_fields(self):
        return [self[name] for name in POOLS]

    def named_pool_fields(self):
        return [self[named_field(key)] for key in self.named_pools]
