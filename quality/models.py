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


# Roll-ups of the dashboard: rows kept current by ``quality.receivers`` as the engine records and
# decides (``quality.statistics.rollups``), rebuilt from the raw rows by ``manage.py quality
# rebuild_rollups``. ``day`` is the local date (TIME_ZONE) of the raw row's time, so that a period
# of whole days reads whole rows.


class ScoreTally(models.Model):
    """How many scores an assessor gave of one value on one day."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    value = models.SmallIntegerField()
    rubric_min = models.SmallIntegerField()
    rubric_max = models.SmallIntegerField()
    passed = models.BooleanField()
    scores = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "specification",
                    "assessor",
                    "day",
                    "value",
                    "rubric_min",
                    "rubric_max",
                    "passed",
                ],
                name="quality_scoretally_key",
            )
        ]
        indexes = [models.Index(fields=["day", "specification"])]

    def __str__(self):
        return f"{self.specification_id}/{self.assessor_id}/{self.day}: {self.value} x{self.scores}"


class SheetTally(models.Model):
    """How many score sheets an assessor filled on one day, how many were moderated, and how
    many cases the assessor scored for the first time that day."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    sheets = models.PositiveIntegerField(default=0)
    moderated = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "assessor", "day"], name="quality_sheettally_key"
            )
        ]
        indexes = [models.Index(fields=["day", "specification"])]

    def __str__(self):
        return f"{self.specification_id}/{self.assessor_id}/{self.day}: {self.sheets}"


class AssessorCase(models.Model):
    """An assessor scored the case on that day (``first_day``: the first time). Distinct cases
    do not sum over days: a period counts the cases first scored in it (``SheetTally.cases``)
    plus those first scored before it and again in it, the few rows of the partial index."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey("workflows.Case", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    first_day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "assessor", "case", "day"],
                name="quality_assessorcase_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["day", "first_day"],
                condition=models.Q(day__gt=models.F("first_day")),
                name="quality_assessorcase_again",
            )
        ]

    def __str__(self):
        return f"{self.assessor_id}/{self.case_id}/{self.day}"


class PairTally(models.Model):
    """Double marking: how often ``assessor`` gave ``value`` (on ``day``) to an outcome that a
    colleague scored ``colleague_value`` in the same step and round. Each pair is counted from
    both sides, on the day of its own score; ``first`` marks the side of the lower user id, which
    the specification's agreement reads (each pair once). Colleagues are folded together: the
    dashboard shows agreement per assessor, not per pair of assessors."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    first = models.BooleanField()
    day = models.DateField()
    value = models.SmallIntegerField()
    colleague_value = models.SmallIntegerField()
    rubric_min = models.SmallIntegerField()
    rubric_max = models.SmallIntegerField()
    pairs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "specification",
                    "assessor",
                    "first",
                    "day",
                    "value",
                    "colleague_value",
                    "rubric_min",
                    "rubric_max",
                ],
                name="quality_pairtally_key",
            )
        ]
        indexes = [models.Index(fields=["day", "specification"])]

    def __str__(self):
        return f"{self.assessor_id}/{self.day}: {self.value}-{self.colleague_value}"


class TaskTally(models.Model):
    """An assessor's or moderator's recorded tasks on one day: how many, and their time from the
    task's creation to the record, in microseconds."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    tasks = models.PositiveIntegerField(default=0)
    microseconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "actor", "day"], name="quality_tasktally_key"
            )
        ]
        indexes = [models.Index(fields=["day", "specification"])]

    def __str__(self):
        return f"{self.specification_id}/{self.actor_id}/{self.day}: {self.tasks}"


class DecidedCase(models.Model):
    """A decided case's outcome and time from submission to decision (microseconds), on the day
    of its decision: the percentiles of time to decision read these integers."""

    case = models.OneToOneField(
        "workflows.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    decided_on = models.DateField()
    outcome = models.CharField(max_length=10)
    microseconds = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["decided_on", "specification"]),
            models.Index(fields=["specification", "decided_on", "microseconds"]),
        ]

    def __str__(self):
        return f"{self.case_id}/{self.decided_on}: {self.outcome}"


class StepWaitTally(models.Model):
    """The case tasks at one step created on one day and since done: how many, and their time
    from creation to completion, in microseconds. Tasks still open are few and are counted from
    the tasks themselves; cancelled ones are never done, so they are never counted."""

    specification = models.ForeignKey(
        "credentials.Specification", on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(max_length=50)  # "" for a task that was not tagged with its step
    day = models.DateField()
    tasks = models.PositiveIntegerField(default=0)
    microseconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "step", "day"], name="quality_stepwaittally_key"
            )
        ]
        indexes = [models.Index(fields=["day", "specification"])]

    def __str__(self):
        return f"{self.specification_id}/{self.step}/{self.day}: {self.tasks}"
