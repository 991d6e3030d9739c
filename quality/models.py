"""Quality assurance: sampling policies, audits of decided cases and a reporting table of scores.

Write through ``quality.audits.services`` (policies, audits) and ``quality.statistics.scores``
(scores).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

DEFAULT_SHARE_PERCENT = Decimal("10")
DEFAULT_SCORE_MARGIN = Decimal("0.5")
DEFAULT_PERCENT_MARGIN = Decimal("5")


class SamplingPolicy(models.Model):
    """How many decisions of a specification go to audit. Without a row the defaults apply."""

    specification = models.OneToOneField(
        "credentials.Specification",
        verbose_name=_("micro-credential"),
        on_delete=models.CASCADE,
        related_name="sampling_policy",
    )
    share_percent = models.DecimalField(
        _("share of decisions audited at random (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_SHARE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    score_margin = models.DecimalField(
        _("margin around a rubric pass score (points)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_SCORE_MARGIN,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    percent_margin = models.DecimalField(
        _("margin around a test pass mark (percentage points)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_PERCENT_MARGIN,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sampling policy")
        verbose_name_plural = _("sampling policies")

    def __str__(self):
        return f"{self.specification_id}: {self.share_percent} %"


class AuditCase(Process):
    """A quality officer's audit of one decided case: the ``AuditFlow`` process."""

    class Reason(models.TextChoices):
        RANDOM = "random", _("Chosen at random")
        NEAR_THRESHOLD = "near_threshold", _("Close to a pass threshold")
        APPEAL = "appeal", _("Appealed")

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("Decision confirmed")
        FINDING = "finding", _("Finding recorded")

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        SERIOUS = "serious", _("Serious")

    # Not ``case``: every Process already has ``case``, the reverse of Case's parent link.
    audited_case = models.ForeignKey(
        "workflows.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="audits"
    )
    reason = models.CharField(_("why it is audited"), max_length=20, choices=Reason.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    description = models.TextField(_("finding"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    credential_suspended = models.BooleanField(_("credential suspended"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        indexes = [models.Index(fields=["reviewed_at"])]

    def __str__(self):
        return _("Audit %(number)s of case %(case)s") % {
            "number": self.pk,
            "case": self.audited_case_id,
        }


class Score(models.Model):
    """One score one person gave one learning outcome on one step: a reporting row written when
    the step result is recorded, so that statistics are aggregate queries."""

    step_result = models.ForeignKey(
        "workflows.StepResult", on_delete=models.CASCADE, related_name="quality_scores"
    )
    case = models.ForeignKey("workflows.Case", on_delete=models.CASCADE, related_name="+")
    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.PROTECT, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20)
    step_id = models.CharField(max_length=50)
    round = models.PositiveSmallIntegerField(default=1)
    outcome_id = models.PositiveIntegerField()
    value = models.SmallIntegerField()
    rubric_min = models.SmallIntegerField()
    rubric_max = models.SmallIntegerField()
    passed = models.BooleanField()
    moderated = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        indexes = [
            models.Index(fields=["recorded_at", "specification"]),
            models.Index(fields=["case", "step_id", "round", "outcome_id"]),
        ]

    def __str__(self):
        return f"{self.case_id}/{self.step_id}/{self.outcome_id}: {self.value}"
