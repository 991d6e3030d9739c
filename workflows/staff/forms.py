from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rpl.accounts.identifiers import normalise_email
from rpl.accounts.roles import Role
from workflows.staff import services
from workflows.staff.selectors import STAFF_ROLES

STAFF_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


def _roles_field(*, required: bool) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=_("Roles"),
        choices=STAFF_CHOICES,
        coerce=Role,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail address"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All staff (everyone but candidates)")), *Role.choices],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"role": "", "query": ""}
        return {"role": self.cleaned_data["role"], "query": self.cleaned_data["q"].strip()}


class InviteForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation goes to this address; the person logs in with it."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    roles = _roles_field(required=True)
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=settings.LANGUAGES,
        help_text=_("The invitation is written in it; the person can change it later."),
    )

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        refusal = services.invitation_refusal(email)
        if refusal:
            raise forms.ValidationError(refusal)
        return email


class RolesForm(forms.Form):
    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        # A candidate stays one, so may hold no staff role; anyone else needs one (a leaver is
        # deactivated instead).
        self.fields["roles"] = _roles_field(required=not person.has_role(Role.CANDIDATE))
        self.fields["roles"].help_text = _(
            "Administrators can also use the Django admin. To stop someone's access, deactivate "
            "their account instead of taking their roles away."
        )
        self.initial.setdefault("roles", [role.value for role in person.roles])
