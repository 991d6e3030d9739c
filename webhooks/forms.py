from django import forms
from django.utils.translation import gettext_lazy as _

from credentials.catalogue.models import Organisation
from webhooks import transport
from webhooks.models import EventType


class SubscriptionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        help_text=_("The awarding body whose cases and credentials are reported."),
        error_messages={
            "required": _("Choose the organisation."),
            "invalid_choice": _("Choose one of the listed organisations."),
        },
    )
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("We send a signed POST request with a JSON body to this address."),
        error_messages={
            "required": _("Enter the address to send the events to."),
            "invalid": _("Enter a full web address, for example https://example.org/rpl-events."),
            "max_length": _("Use an address of at most 500 characters."),
        },
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event."),
            "invalid_choice": _("Choose only the listed events."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Optional, for example which system receives the events."),
        error_messages={"max_length": _("Use at most 200 characters.")},
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        transport.check_url(url)
        return url
