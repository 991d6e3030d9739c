"""The catalogue's closed lists: the EU elements' values and a specification's status. Plain
enumerations, importable without the app registry, so that pipelines and credentials name the same
values."""

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FieldOfStudy(models.TextChoices):
    """ISCED-F 2013 broad fields of education and training."""

    GENERIC = "00", _("Generic programmes and qualifications")
    EDUCATION = "01", _("Education")
    ARTS_HUMANITIES = "02", _("Arts and humanities")
    SOCIAL_SCIENCES = "03", _("Social sciences, journalism and information")
    BUSINESS_LAW = "04", _("Business, administration and law")
    NATURAL_SCIENCES = "05", _("Natural sciences, mathematics and statistics")
    ICT = "06", _("Information and Communication Technologies")
    ENGINEERING = "07", _("Engineering, manufacturing and construction")
    AGRICULTURE = "08", _("Agriculture, forestry, fisheries and veterinary")
    HEALTH = "09", _("Health and welfare")
    SERVICES = "10", _("Services")


class AssessmentType(models.TextChoices):
    TEST = "test", _("Written or online test")
    PRACTICAL = "practical", _("Practical demonstration of skills")
    PORTFOLIO = "portfolio", _("Portfolio of evidence")
    PROJECT = "project", _("Project or assignment")
    INTERVIEW = "interview", _("Interview")
    PRIOR_LEARNING = "prior_learning", _("Recognition of prior learning")
    COMBINED = "combined", _("A combination of methods")


class ParticipationForm(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")
    BLENDED = "blended", _("Blended (online and on site)")
    WORK_BASED = "work_based", _("Work experience")
    VOLUNTEERING = "volunteering", _("Volunteering")
    INDEPENDENT = "independent", _("Independent learning")


class QualityAssurance(models.TextChoices):
    INTERNAL = "internal", _("Internal quality assurance")
    EXTERNAL = "external", _("External quality assurance")
    BOTH = "internal_external", _("Internal and external quality assurance")


class Supervision(models.TextChoices):
    """Supervision and identity verification during assessment (standards.md 1.3)."""

    UNSUPERVISED_NO_ID = "unsupervised_no_id", _("Unsupervised, with no identity verification")
    SUPERVISED_NO_ID = "supervised_no_id", _("Supervised, with no identity verification")
    SUPERVISED_ONLINE_WITH_ID = (
        "supervised_online_with_id",
        _("Supervised online, with identity verification"),
    )
    SUPERVISED_ONSITE_WITH_ID = (
        "supervised_onsite_with_id",
        _("Supervised on site, with identity verification"),
    )


class Stackability(models.TextChoices):
    STANDALONE = "standalone", _("Stand-alone, independent micro-credential")
    STACKABLE = "stackable", _("Integrated, stackable towards another credential")


class Grading(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    SCALE_2_5 = "scale_2_5", _("Grades from 2 (fail) to 5 (very good)")
    PERCENTAGE = "percentage", _("Percentage score")
    ECTS_A_F = "ects_a_f", _("ECTS grading scale, A to F")


# The EU's controlled vocabularies ------------------------------------------------------------
# Each stored code maps to a concept of the EU's vocabularies (data.europa.eu/snb, the ELM v3
# lists) where one means the same thing; the IRIs come from the ELM repository's lists
# (xsd/loq/cv at commit fba69946/b3eecc8f) and the Commission's micro-credential sample
# (../shared/reference/elm). A code the EU has no concept for gets ours, under RPL_CONCEPTS:
# a verifier still reads an IRI, never a private literal.

SNB = "http://data.europa.eu/snb/"
RPL_CONCEPTS = "https://w3id.org/rpl-engine/eu-microcredential/v1#"


class Concept(NamedTuple):
    iri: str
    scheme: str
    label: str  # the English preferred label of the EU concept, or ours

    @property
    def is_eu(self) -> bool:
        return self.iri.startswith(SNB)


MODE_SCHEME = SNB + "learning-assessment/25831c2"  # Mode of learning and assessment
ACTIVITY_SCHEME = SNB + "learning-activity/25831c2"  # Learning activity type
ASSESSMENT_SCHEME = SNB + "assessment/25831c2"  # Assessment type
SUPERVISION_SCHEME = SNB + "supervision-verification/25831c2"  # Supervision and verification
CREDIT_SCHEME = SNB + "education-credit/25831c2"  # Educational credit systems
ECTS = Concept(
    SNB + "education-credit/6fcec5c5af", CREDIT_SCHEME, "European Credit Transfer System"
)


def _ours(kind: str, code: str, label: str) -> Concept:
    return Concept(f"{RPL_CONCEPTS}{kind}-{code}", f"{RPL_CONCEPTS}{kind}", label)


EU_CONCEPTS: dict[type[models.TextChoices], dict[str, Concept]] = {
    ParticipationForm: {
        ParticipationForm.ONLINE: Concept(
            SNB + "learning-assessment/920fbb3cbe", MODE_SCHEME, "Online"
        ),
        ParticipationForm.ONSITE: Concept(
            SNB + "learning-assessment/9191af2ed9", MODE_SCHEME, "Presential"
        ),
        ParticipationForm.BLENDED: Concept(
            SNB + "learning-assessment/e92d221e4d", MODE_SCHEME, "Blended"
        ),
        ParticipationForm.WORK_BASED: Concept(
            SNB + "learning-assessment/729f3bed4b", MODE_SCHEME, "Workbased"
        ),
        ParticipationForm.VOLUNTEERING: Concept(
            SNB + "learning-activity/59eaf34fab", ACTIVITY_SCHEME, "volunteering"
        ),
        ParticipationForm.INDEPENDENT: Concept(
            SNB + "learning-activity/b660f5dcea", ACTIVITY_SCHEME, "self-motivated study"
        ),
    },
    AssessmentType: {
        AssessmentType.TEST: Concept(
            SNB + "assessment/6e6cb2cc78", ASSESSMENT_SCHEME, "written examination"
        ),
        AssessmentType.PRACTICAL: Concept(
            SNB + "assessment/6a4db9f11d", ASSESSMENT_SCHEME, "practical assessment"
        ),
        AssessmentType.PORTFOLIO: Concept(
            SNB + "assessment/4f03b91c0e", ASSESSMENT_SCHEME, "portfolio"
        ),
        AssessmentType.PROJECT: Concept(
            SNB + "assessment/795dac4096", ASSESSMENT_SCHEME, "project work"
        ),
        AssessmentType.INTERVIEW: Concept(
            SNB + "assessment/d30284d7df", ASSESSMENT_SCHEME, "oral examination"
        ),
        AssessmentType.PRIOR_LEARNING: _ours(
            "assessment", "prior_learning", "recognition of prior learning"
        ),
        AssessmentType.COMBINED: _ours("assessment", "combined", "a combination of methods"),
    },
    QualityAssurance: {
        QualityAssurance.INTERNAL: _ours("quality-assurance", "internal", "internal"),
        QualityAssurance.EXTERNAL: _ours("quality-assurance", "external", "external"),
        QualityAssurance.BOTH: _ours(
            "quality-assurance", "internal_external", "internal and external"
        ),
    },
    Supervision: {
        Supervision.UNSUPERVISED_NO_ID: Concept(
            SNB + "supervision-verification/c598449d64",
            SUPERVISION_SCHEME,
            "Unsupervised without ID Verification",
        ),
        Supervision.SUPERVISED_NO_ID: _ours(
            "supervision", "supervised_no_id", "supervised with no identity verification"
        ),
        Supervision.SUPERVISED_ONLINE_WITH_ID: _ours(
            "supervision",
            "supervised_online_with_id",
            "supervised online, with identity verification",
        ),
        Supervision.SUPERVISED_ONSITE_WITH_ID: _ours(
            "supervision",
            "supervised_onsite_with_id",
            "supervised on site, with identity verification",
        ),
    },
}


def concept(choices: type[models.TextChoices], code: str) -> Concept:
    """The concept a stored code stands for (codes are compared in lower case)."""
    return EU_CONCEPTS[choices][choices(str(code).lower())]


def code_of(choices: type[models.TextChoices], value: str) -> str | None:
    """The stored code for a concept IRI or an old credential's code; None for neither."""
    for code, known in EU_CONCEPTS[choices].items():
        if value in (known.iri, code, str(code).upper()):
            return str(code)
    return None


class GradeScale(NamedTuple):
    """An OB 3.0 ResultDescription's scale: ``resultType`` and the values it allows."""

    result_type: str
    allowed: tuple[str, ...] = ()
    minimum: str = ""
    maximum: str = ""


GRADE_SCALES: dict[str, GradeScale] = {
    Grading.PASS_FAIL: GradeScale("Result", ("Pass", "Fail")),
    Grading.SCALE_2_5: GradeScale("Result", ("5", "4.5", "4", "3.5", "3", "2")),
    Grading.PERCENTAGE: GradeScale("Percent", minimum="0", maximum="100"),
    Grading.ECTS_A_F: GradeScale("LetterGrade", ("A", "B", "C", "D", "E", "FX", "F")),
}
