from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.models import Testimony, WitnessRequest
from evidence.portfolio.forms import TEXT_MAX, outcomes_field


class WitnessForm(forms.Form):
    witness_name = forms.CharField(label=_("Witness's full name"), max_length=200)
    witness_email = forms.EmailField(label=_("Witness's e-mail address"))
    relation = forms.ChoiceField(
        label=_("How they know your work"),
        choices=WitnessRequest.Relation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how they know your work.")},
    )
    relationship = forms.CharField(
        label=_("Their role or organisation"),
        max_length=200,
        help_text=_(
            "For example: Head of IT, Acme Ltd. We write to them in the third person: “… asks "
            "you, as their manager or supervisor (Head of IT, Acme Ltd), to confirm it.”"
        ),
        error_messages={"required": _("Give their role or organisation.")},
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
    declaration = forms.BooleanField(
        label=_(
            "I confirm that what I wrote is true and that I know the candidate's work as described."
        ),
        error_messages={
            "required": _(
                "Tick the declaration to send your testimony: we can only accept it if you "
                "confirm that it is true."
            )
        },
    )

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

    def testimony(self) -> dict:
        """The cleaned testimony for ``services.record_testimony``, the declaration included."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**data, "declared": self.cleaned_data["declaration"]}
