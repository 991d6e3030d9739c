from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import Testimony
from evidence.portfolio.forms import TEXT_MAX, outcomes_field


class WitnessForm(forms.Form):
    witness_name = forms.CharField(label=_("Witness's full name"), max_length=200)
    witness_email = forms.EmailField(label=_("Witness's e-mail address"))
    relationship = forms.CharField(
        label=_("How they know your work"),
        max_length=200,
        help_text=_("For example: my supervisor at Acme Ltd, 2019–2023."),
    )
    claim = forms.CharField(
        label=_("What you ask them to confirm"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only this text and the outcomes you tick are shown to the witness."),
    )

    def __init__(self, *args, specification, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcomes"] = outcomes_field(
            specification, _("Learning outcomes they can confirm")
        )


class TestimonyForm(forms.ModelForm):
    class Meta:
        model = Testimony
        fields = ["full_name", "position", "relationship", "confirmation", "statement"]
        widgets = {
            "relationship": forms.Textarea(attrs={"rows": 3}),
            "statement": forms.Textarea(attrs={"rows": 6}),
            "confirmation": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].choices = Testimony.Confirmation.choices
        for name in ("relationship", "statement"):
            self.fields[name].max_length = TEXT_MAX
            self.fields[name].widget.attrs["maxlength"] = TEXT_MAX
