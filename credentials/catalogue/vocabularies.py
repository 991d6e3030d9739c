"""The catalogue's closed lists: the EU elements' values and a specification's status. Plain
enumerations, importable without the app registry, so that pipelines and credentials name the same
values."""

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
