"""Forms for agreeing a meeting time and for giving identity documents."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.meetings import services as appointments


def _slot_field(label, required):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Propose at least one time."),
            "invalid": _("Enter a date and time, for example 2030-05-17 10:30."),
        },
    )


class ProposeTimesForm(forms.Form):
    slot_1 = _slot_field(_("First time"), required=True)
    slot_2 = _slot_field(_("Second time (optional)"), required=False)
    slot_3 = _slot_field(_("Third time (optional)"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        initial=60,
        min_value=appointments.MIN_DURATION,
        max_value=appointments.MAX_DURATION,
        error_messages={
            "required": _("Say how long the meeting lasts."),
            "min_value": _("A meeting lasts at least %(limit_value)s minutes."),
            "max_value": _("A meeting lasts at most %(limit_value)s minutes."),
        },
    )
    place = forms.CharField(
        label=_("Place or meeting link"),
        max_length=500,
        help_text=_("An address and room, or the link of a video meeting (https://…)."),
        error_messages={
            "required": _("Say where the meeting takes place, or give the meeting link.")
        },
    )

    def clean(self):
        data = super().clean()
        for name in ("slot_1", "slot_2", "slot_3"):
            slot = data.get(name)
            if slot is None or name in self.errors:
                continue
            try:
                appointments.validate_slots([slot])
            except appointments.SchedulingError as error:
                self.add_error(name, str(error))
        slots = [data[name] for name in ("slot_1", "slot_2", "slot_3") if data.get(name)]
        if len(set(slots)) < len(slots):
            self.add_error("slot_2", _("Propose different times."))
        return data

    @property
    def slots(self):
        return [self.cleaned_data.get(name) for name in ("slot_1", "slot_2", "slot_3")]


OTHER = "other"


class TimeChoiceForm(forms.Form):
    """The candidate picks one of the proposed times, or asks for others with a note."""

    choice = forms.ChoiceField(
        label=_("Which time suits you?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time, or ask for other times.")},
    )
    note = forms.CharField(
        label=_("If none suits you: which days and times would?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            (str(index), appointments.when(slot))
            for index, slot in enumerate(appointments.slot_times(appointment))
        ] + [(OTHER, _("None of these: I ask for other times"))]

    def clean(self):
        data = super().clean()
        if data.get("choice") == OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say which days and times suit you."))
        return data

    @property
    def asks_other_times(self) -> bool:
        return self.cleaned_data["choice"] == OTHER


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class IdentityDocumentForm(forms.Form):
    files = forms.FileField(
        label=_("Photos or scans of your identity document"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
        help_text=_(
            "One or two files (for example the front and the back of an identity card): photos "
            "(JPEG, PNG or WebP) or a PDF. They are deleted as soon as the check is recorded."
        ),
    )
