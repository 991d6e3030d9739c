from django import forms
from django.db import models
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from credentials.catalogue.models import (
    LEVELS,
    MAX_OUTCOMES,
    LearningOutcome,
    Organisation,
    Specification,
)
from credentials.catalogue.services import (
    ORGANISATION_FIELDS,
    OUTCOME_FIELDS,
    SPECIFICATION_FIELDS,
    OutcomeData,
)
from credentials.catalogue.vocabularies import FieldOfStudy


def _formfield(model_field, **kwargs):
    """Form fields as the model says, with addresses typed without a scheme read as https."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def _mark_languages(form: forms.BaseForm) -> None:
    """Tell browsers and screen readers which language each bilingual input is in."""
    for name, field in form.fields.items():
        for code in ("pl", "en"):
            if name.endswith(f"_{code}"):
                field.widget.attrs["lang"] = code
                field.widget.attrs.setdefault("spellcheck", "true")


class GroupedFieldsMixin:
    """``groups``: (legend, [row, ...]) where a row is a tuple of field names shown side by side.
    ``grouped_fields`` gives the same with bound fields, for the template."""

    groups: list[tuple[str, list[tuple[str, ...]]]] = []

    def grouped_fields(self):
        return [
            (legend, [[self[name] for name in row] for row in rows]) for legend, rows in self.groups
        ]


class OrganisationForm(GroupedFieldsMixin, forms.ModelForm):
    groups = [
        (_("Name"), [("name_pl", "name_en")]),
        (_("Location"), [("country", "region_code", "region")]),
        (_("Other details"), [("website", "identifier")]),
    ]

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        formfield_callback = _formfield
        widgets = {"country": forms.TextInput(attrs={"autocomplete": "off", "size": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _mark_languages(self)

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_region_code(self):
        return (self.cleaned_data.get("region_code") or "").strip().upper()


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.country})"


class SpecificationForm(GroupedFieldsMixin, forms.ModelForm):
    groups = [
        (
            _("Title and description"),
            [("slug",), ("title_pl", "title_en"), ("description_pl", "description_en")],
        ),
        (
            _("Level, field and workload"),
            [("eqf_level", "prk_level"), ("field_of_study",), ("workload_ects", "workload_hours")],
        ),
        (_("Awarding body"), [("awarding_body",)]),
        (
            _("Assessment and quality assurance"),
            [
                ("assessment_type", "supervision"),
                ("participation_form",),
                ("quality_assurance", "quality_assurance_reference"),
                ("grading",),
            ],
        ),
        (
            _("Optional elements"),
            [
                ("prerequisites_pl", "prerequisites_en"),
                ("stackability",),
                ("stackable_towards_pl", "stackable_towards_en"),
                ("stackable_towards_url",),
                ("further_information_pl", "further_information_en"),
                ("validity_months", "appeal_window_days"),
            ],
        ),
    ]

    class Meta:
        model = Specification
        fields = SPECIFICATION_FIELDS
        formfield_callback = _formfield
        field_classes = {"awarding_body": OrganisationChoiceField}
        widgets = {
            "description_pl": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "prerequisites_pl": forms.Textarea(attrs={"rows": 3}),
            "prerequisites_en": forms.Textarea(attrs={"rows": 3}),
            "further_information_pl": forms.Textarea(attrs={"rows": 3}),
            "further_information_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _mark_languages(self)
        self.fields["awarding_body"].queryset = Organisation.objects.order_by(
            "name_en", "name_pl", "pk"
        )
        self.fields["awarding_body"].empty_label = _("Choose later")
        for name in ("eqf_level", "prk_level"):
            self.fields[name].choices = [("", _("Not set")), *LEVELS]
        if self.instance.pk and self.instance.published_at:
            slug = self.fields["slug"]
            slug.disabled = True
            slug.help_text = _("The address cannot change once the specification is published.")
        self.fields["appeal_window_days"].required = False

    def clean_appeal_window_days(self):
        """Left empty, the window is the model's default."""
        days = self.cleaned_data.get("appeal_window_days")
        if days is None:
            return Specification._meta.get_field("appeal_window_days").default
        return days

    def specification_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in SPECIFICATION_FIELDS}
        if self.fields["slug"].disabled:
            data.pop("slug")
        return data


class LearningOutcomeForm(forms.ModelForm):
    class Meta:
        model = LearningOutcome
        fields = OUTCOME_FIELDS
        formfield_callback = _formfield
        widgets = {
            "statement_pl": forms.Textarea(attrs={"rows": 2}),
            "statement_en": forms.Textarea(attrs={"rows": 2}),
            "criteria_pl": forms.Textarea(attrs={"rows": 3}),
            "criteria_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _mark_languages(self)

    def rows(self):
        return [
            [self["statement_pl"], self["statement_en"]],
            [self["criteria_pl"], self["criteria_en"]],
            [self["esco_uri"]],
        ]


class BaseOutcomeFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_many_forms": _("A specification can have at most %(num)d learning outcomes."),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position")
        form.fields["ORDER"].help_text = _("Outcomes are shown in this order.")
        form.fields["ORDER"].widget.attrs.update({"min": 1, "max": MAX_OUTCOMES})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this learning outcome")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", LearningOutcome.objects.order_by("position"))
        super().__init__(*args, **kwargs)

    def outcome_data(self) -> list[OutcomeData]:
        """The outcomes to keep, in the chosen order (call after ``is_valid()``)."""
        return [
            OutcomeData.from_mapping({**form.cleaned_data, "id": form.instance.pk})
            for form in self.ordered_forms
            if not self._should_delete_form(form)
        ]


def outcome_formset(*, extra: int):
    return inlineformset_factory(
        Specification,
        LearningOutcome,
        form=LearningOutcomeForm,
        formset=BaseOutcomeFormSet,
        fields=OUTCOME_FIELDS,
        extra=extra,
        can_order=True,
        can_delete=True,
        max_num=MAX_OUTCOMES,
        validate_max=True,
    )


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    eqf_level = forms.TypedChoiceField(
        label=_("EQF level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any level")), *LEVELS],
    )
    field = forms.ChoiceField(
        label=_("Field of study"),
        required=False,
        choices=[("", _("Any field")), *FieldOfStudy.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> dict:
        """The valid filters only: a bad value is reported on its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "eqf_level": data.get("eqf_level"),
            "field_of_study": data.get("field") or "",
        }
