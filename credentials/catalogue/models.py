"""The micro-credential catalogue: awarding organisations, specifications and learning outcomes.

Text that people read is stored in Polish and English (``<name>_pl``/``<name>_en``); the
properties without a suffix (``title``, ``description``, ``statement`` ...) give the text in the
active language, falling back to the other one. Writes go through
``credentials.catalogue.services`` so that every change is audited; reads through
``credentials.catalogue.selectors``.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credentials.catalogue.countries import ISO_3166_ALPHA2, NUTS_PREFIX
from credentials.catalogue.vocabularies import (
    AssessmentType,
    FieldOfStudy,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Status,
    Supervision,
)
from rpl.bilingual import Bilingual

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
# Path segments under /catalogue/ that are pages, not specifications.
RESERVED_SLUGS = frozenset({"manage", "new", "search"})
LEVELS = [(n, str(n)) for n in range(1, 9)]
MAX_OUTCOMES = 30


def validate_country(value: str) -> None:
    if value not in ISO_3166_ALPHA2:
        raise ValidationError(
            _(
                "“%(value)s” is not an ISO 3166-1 country code. "
                "Use two capital letters, for example PL for Poland."
            ),
            code="invalid_country",
            params={"value": value},
        )


def validate_esco_skill_uri(value: str) -> None:
    if value and not (value.startswith(ESCO_SKILL_PREFIX) and len(value) > len(ESCO_SKILL_PREFIX)):
        raise ValidationError(
            _(
                "An ESCO skill address starts with %(prefix)s followed by the skill's identifier. "
                "Copy it from the skill's page on the ESCO portal."
            ),
            code="invalid_esco_uri",
            params={"prefix": ESCO_SKILL_PREFIX},
        )


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved for a page of the catalogue. Choose another address."),
            code="reserved_slug",
            params={"value": value},
        )


validate_nuts_code = RegexValidator(
    r"^[A-Z]{2}[0-9A-Z]{0,3}$",
    _(
        "A NUTS code is the country's two letters followed by up to three letters or "
        "digits, for example PL91."
    ),
    code="invalid_nuts",
)


def search_key(text: str) -> str:
    """Lower-case text without diacritics, so that "zarzadzanie" finds "Zarządzanie"."""
    text = text.casefold().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip()


class Organisation(Bilingual, models.Model):
    """An awarding body: who vouches for the learning outcomes."""

    name_pl = models.CharField(_("name (Polish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country],
        help_text=_("ISO 3166-1 two-letter code, for example PL."),
    )
    region_code = models.CharField(
        _("region code (NUTS)"),
        max_length=5,
        blank=True,
        validators=[validate_nuts_code],
        help_text=_("Optional, for example PL91."),
    )
    region = models.CharField(
        _("region"),
        max_length=200,
        blank=True,
        help_text=_("Optional, for example Mazowieckie."),
    )
    website = models.URLField(_("website"), blank=True)
    identifier = models.CharField(
        _("identifier"),
        max_length=200,
        blank=True,
        help_text=_("Optional official identifier, for example a KRS, REGON or VAT number."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en", "name_pl", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="credentials_org_country_alpha2"
            ),
            models.CheckConstraint(
                condition=~Q(name_pl="", name_en=""),
                name="credentials_org_has_name",
                violation_error_message=_(
                    "Give the organisation's name in Polish, English or both."
                ),
            ),
            models.UniqueConstraint(
                fields=["identifier"],
                condition=~Q(identifier=""),
                name="credentials_org_identifier_unique",
                violation_error_message=_("Another organisation already has this identifier."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.text("name")

    def clean(self):
        super().clean()
        self.country = (self.country or "").strip().upper()
        self.region_code = (self.region_code or "").strip().upper()
        errors = {}
        if not (self.name_pl.strip() or self.name_en.strip()):
            errors["name_pl"] = _("Give the organisation's name in Polish, English or both.")
        if self.region_code and self.country in ISO_3166_ALPHA2:
            prefix = NUTS_PREFIX.get(self.country, self.country)
            if not self.region_code.startswith(prefix):
                errors["region_code"] = _(
                    "A NUTS region code for this country starts with %(prefix)s."
                ) % {"prefix": prefix}
        if errors:
            raise ValidationError(errors)


class Specification(Bilingual, models.Model):
    """A micro-credential that can be recognised: every element of the EU Recommendation that
    does not depend on the learner (learner and date of issue belong to the issued credential)."""

    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_(
            "The last part of the catalogue address: lower-case letters, digits and hyphens, "
            "for example python-basics."
        ),
        error_messages={
            "unique": _("Another specification already uses this address. Choose another one.")
        },
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    assessment_ready = models.BooleanField(
        _("assessment ready"),
        default=False,
        help_text=_(
            "Whether a published assessment pipeline is set up and its pools can staff every "
            "path; kept up to date by the assessment set-up."
        ),
    )

    title_pl = models.CharField(_("title (Polish)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    field_of_study = models.CharField(
        _("field of study"),
        max_length=2,
        choices=FieldOfStudy.choices,
        blank=True,
        help_text=_("ISCED-F 2013 broad field."),
    )

    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"),
        choices=LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("European Qualifications Framework level, 1 to 8."),
    )
    prk_level = models.PositiveSmallIntegerField(
        _("PRK level"),
        choices=LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_(
            "Polish Qualifications Framework level, 1 to 8; PRK levels match EQF levels one to one."
        ),
    )
    workload_ects = models.DecimalField(
        _("workload in ECTS credits"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    workload_hours = models.PositiveIntegerField(
        _("workload in hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Notional hours of learning needed to achieve the learning outcomes."),
    )

    awarding_body = models.ForeignKey(
        Organisation,
        verbose_name=_("awarding body"),
        on_delete=models.PROTECT,
        related_name="specifications",
        null=True,
        blank=True,
    )

    assessment_type = models.CharField(
        _("type of assessment"), max_length=20, choices=AssessmentType.choices, blank=True
    )
    supervision = models.CharField(
        _("supervision and identity verification"),
        max_length=30,
        choices=Supervision.choices,
        blank=True,
    )
    participation_form = models.CharField(
        _("form of participation"), max_length=20, choices=ParticipationForm.choices, blank=True
    )
    quality_assurance = models.CharField(
        _("type of quality assurance"),
        max_length=20,
        choices=QualityAssurance.choices,
        blank=True,
    )
    quality_assurance_reference = models.CharField(
        _("quality assurance reference"),
        max_length=300,
        blank=True,
        help_text=_("Optional: an accreditation, a register entry or the QA body's address."),
    )

    prerequisites_pl = models.TextField(_("prerequisites (Polish)"), blank=True)
    prerequisites_en = models.TextField(_("prerequisites (English)"), blank=True)
    grading = models.CharField(
        _("grading scheme"), max_length=20, choices=Grading.choices, blank=True
    )
    stackability = models.CharField(
        _("stackability"), max_length=20, choices=Stackability.choices, blank=True
    )
    stackable_towards_pl = models.CharField(
        _("stackable towards (Polish)"), max_length=300, blank=True
    )
    stackable_towards_en = models.CharField(
        _("stackable towards (English)"), max_length=300, blank=True
    )
    stackable_towards_url = models.URLField(
        _("stackable towards (address)"),
        max_length=500,
        blank=True,
        help_text=_(
            "The address (IRI) of the credential it stacks towards, for example that "
            "micro-credential's page in a catalogue; the signed credential links to it."
        ),
    )
    further_information_pl = models.TextField(_("further information (Polish)"), blank=True)
    further_information_en = models.TextField(_("further information (English)"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity in months"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Leave empty if the credential does not expire."),
    )
    appeal_window_days = models.PositiveSmallIntegerField(
        _("days to appeal a decision"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("How long after a decision the candidate may appeal; 0 allows no appeals."),
    )

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("micro-credential specification")
        verbose_name_plural = _("micro-credential specifications")
        # Granted per specification with django-guardian: the pools of people for its cases.
        permissions = [
            ("assess", _("Can assess cases for this micro-credential")),
            ("verify_identity", _("Can check identity in cases for this micro-credential")),
            ("decide", _("Can decide cases for this micro-credential")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(eqf_level__isnull=True) | Q(eqf_level__gte=1, eqf_level__lte=8),
                name="credentials_spec_eqf_level_1_8",
            ),
            models.CheckConstraint(
                condition=Q(prk_level__isnull=True) | Q(prk_level__gte=1, prk_level__lte=8),
                name="credentials_spec_prk_level_1_8",
            ),
            models.CheckConstraint(
                condition=Q(workload_ects__isnull=True) | Q(workload_ects__gte=0),
                name="credentials_spec_ects_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="credentials_spec_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                name="credentials_spec_validity_positive",
            ),
        ]
        indexes = [models.Index(fields=["status", "eqf_level"])]

    def __str__(self):
        return self.title or self.slug

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    # Text in the active language.
    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def prerequisites(self) -> str:
        return self.text("prerequisites")

    @property
    def stackable_towards(self) -> str:
        return self.text("stackable_towards")

    @property
    def further_information(self) -> str:
        return self.text("further_information")

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_open(self) -> bool:
        """Whether candidates may apply: published, and its assessment can be staffed."""
        return self.is_published and self.assessment_ready

    def clean(self):
        super().clean()
        errors = {}
        if not (self.title_pl.strip() or self.title_en.strip()):
            errors["title_pl"] = _("Give the title in Polish, English or both.")
        if self.prk_level and self.eqf_level and self.prk_level != self.eqf_level:
            errors["prk_level"] = _(
                "PRK levels are referenced one to one to EQF levels: with EQF level %(eqf)s the "
                "PRK level is %(eqf)s."
            ) % {"eqf": self.eqf_level}
        if self.stackability == Stackability.STACKABLE and not (
            self.stackable_towards_pl.strip() or self.stackable_towards_en.strip()
        ):
            errors["stackable_towards_pl"] = _(
                "Name the credential this micro-credential stacks towards."
            )
        if self.stackability != Stackability.STACKABLE and (
            self.stackable_towards_pl.strip() or self.stackable_towards_en.strip()
        ):
            errors["stackability"] = _(
                "You named a credential to stack towards: choose “stackable” here, "
                "or clear that name."
            )
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        parts = [self.title_pl, self.title_en, self.description_pl, self.description_en]
        self.search_text = search_key(" ".join(parts))


class LearningOutcome(Bilingual, models.Model):
    """One learning outcome of a specification, with the criteria it is assessed against."""

    specification = models.ForeignKey(
        Specification,
        verbose_name=_("specification"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    position = models.PositiveSmallIntegerField(
        _("order"), validators=[MinValueValidator(1), MaxValueValidator(MAX_OUTCOMES)]
    )
    statement_pl = models.TextField(_("learning outcome (Polish)"), blank=True)
    statement_en = models.TextField(_("learning outcome (English)"), blank=True)
    criteria_pl = models.TextField(
        _("assessment criteria (Polish)"),
        blank=True,
        help_text=_("One criterion per line."),
    )
    criteria_en = models.TextField(
        _("assessment criteria (English)"),
        blank=True,
        help_text=_("One criterion per line."),
    )
    esco_uri = models.URLField(
        _("ESCO skill"),
        max_length=300,
        blank=True,
        validators=[validate_esco_skill_uri],
        help_text=_(
            "Optional address of the matching ESCO skill, http://data.europa.eu/esco/skill/…"
        ),
    )

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["specification_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "position"], name="credentials_outcome_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="credentials_outcome_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(esco_uri="") | Q(esco_uri__startswith=ESCO_SKILL_PREFIX),
                name="credentials_outcome_esco_skill_uri",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.statement}"[:200]

    @property
    def statement(self) -> str:
        return self.text("statement")

    @property
    def criteria(self) -> str:
        return self.text("criteria")

    @property
    def criteria_list(self) -> list[str]:
        """The criteria in the active language, one item per non-empty line."""
        return split_lines(self.criteria)

    def clean(self):
        super().clean()
        if not (self.statement_pl.strip() or self.statement_en.strip()):
            raise ValidationError(
                {"statement_pl": _("Write the learning outcome in Polish, English or both.")}
            )


def split_lines(text: str) -> list[str]:
    return [line.strip(" \t-•*") for line in text.splitlines() if line.strip(" \t-•*")]
