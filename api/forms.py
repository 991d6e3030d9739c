from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope

EXPIRY_CHOICES = [
    (30, _("In 30 days")),
    (90, _("In 90 days")),
    (365, _("In a year")),
    (0, _("Never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “HR system”: you will see it in the list."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
        help_text=_("A token never does more than your roles allow."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, coerce=int, initial=90
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "\x00" in name or not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
