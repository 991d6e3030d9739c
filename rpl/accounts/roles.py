"""The people who use the engine. Each role is a Django group of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ASSESSOR = "assessor", _("Assessor")
    IDENTITY_OFFICER = "identity_officer", _("Identity officer")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    QUALITY_OFFICER = "quality_officer", _("Quality officer")
    ADMINISTRATOR = "administrator", _("Administrator")
