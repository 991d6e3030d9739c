"""Question banks and the online tests candidates take.

Write through ``assessments.online_tests.services``; read through
``assessments.online_tests.selectors``.

A question keeps its ``key`` (its id in the bank's YAML) and, once drawn in an attempt, never
changes: a re-import may retire it but not rewrite it, so every attempt can be marked and read
back exactly as it was sat. Answers are append-only: a later answer to the same question
replaces an earlier one only if it arrived in time (``counted``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.online_tests.marking import percent
from rpl.bilingual import Bilingual


class QuestionBank(Bilingual, models.Model):
    specification = models.ForeignKey(
        "credentials.Specification",
        verbose_name=_("specification"),
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    slug = models.SlugField(_("identifier"), max_length=50)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_pl = models.CharField(_("title (Polish)"), max_length=200, blank=True)
    source = models.TextField(_("last imported file"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["specification_id", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "slug"], name="assessments_bank_slug_unique"
            )
        ]

    def __str__(self):
        return self.title or self.slug

    @property
    def title(self) -> str:
        return self.text("title")


class Question(Bilingual, models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SHORT = "short", _("Short answer")

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(_("identifier"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_en = models.TextField(_("question (English)"), blank=True)
    text_pl = models.TextField(_("question (Polish)"), blank=True)
    model_answer_en = models.TextField(_("model answer (English)"), blank=True)
    model_answer_pl = models.TextField(_("model answer (Polish)"), blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    outcomes = models.ManyToManyField(
        "credentials.LearningOutcome",
        verbose_name=_("learning outcomes"),
        related_name="questions",
        blank=True,
    )
    active = models.BooleanField(_("in use"), default=True)
    digest = models.CharField(_("content digest"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "key"], name="assessments_question_key_unique"),
            models.CheckConstraint(condition=Q(points__gte=1), name="assessments_points_positive"),
        ]

    def __str__(self):
        return self.key

    @property
    def body(self) -> str:
        return self.text("text")

    @property
    def model_answer(self) -> str:
        return self.text("model_answer")


class Option(Bilingual, models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text_en = models.CharField(_("option (English)"), max_length=500, blank=True)
    text_pl = models.CharField(_("option (Polish)"), max_length=500, blank=True)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question_id", "position"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.text("text")


class TestSitting(models.Model):
    """The online test of one step of a case: its settings, copied from the step when the
    candidate is invited, and the attempts made. ``over_at`` is set when no attempt may follow."""

    __test__ = False  # not a pytest test class

    # The engine's process (a viewflow process: the candidate's case) the test is a step of; this
    # app knows the workflow library, not the app that runs cases.
    case = models.ForeignKey(
        "viewflow.Process", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    step_id = models.CharField(_("step"), max_length=50)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="test_sittings",
    )
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="sittings"
    )
    questions = models.PositiveSmallIntegerField(_("questions drawn"))
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit in minutes"), null=True)
    pass_mark_percent = models.FloatField(_("pass mark (per cent)"))
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"))
    supervised = models.BooleanField(_("supervised"))
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    over_at = models.DateTimeField(_("over"), null=True, blank=True)

    class Meta:
        verbose_name = _("online test")
        verbose_name_plural = _("online tests")
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step_id"],
                condition=Q(over_at__isnull=True),
                name="assessments_one_open_sitting_per_step",
            )
        ]

    def __str__(self):
        return _("Test %(step)s of case %(case)s") % {"step": self.step_id, "case": self.case_id}


class TestAttempt(models.Model):
    """One attempt at a sitting. ``drawn`` is frozen when it starts: ``[{"question": id,
    "options": [ids]}]`` in the order shown. ``deadline_at`` is set by the server."""

    __test__ = False  # not a pytest test class

    sitting = models.ForeignKey(
        TestSitting, verbose_name=_("test"), on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    drawn = models.JSONField(_("questions drawn"), editable=False)
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("time limit ends"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    auto_points = models.FloatField(_("points marked automatically"), null=True, blank=True)
    short_points = models.FloatField(_("points for short answers"), null=True, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"))
    short_max_points = models.PositiveIntegerField(_("maximum points for short answers"))
    needs_marking = models.BooleanField(_("short answers to mark"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked"), null=True, blank=True)

    class Meta:
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        ordering = ["sitting_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "number"], name="assessments_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["sitting"],
                condition=Q(closed_at__isnull=True),
                name="assessments_one_open_attempt",
            ),
        ]

    def __str__(self):
        return _("Attempt %(number)s") % {"number": self.number}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def points(self) -> float | None:
        """Points so far: the automatic ones plus the short answers once marked (or known to be
        worth nothing because none was answered in time)."""
        if self.auto_points is None:
            return None
        return self.auto_points + (self.short_points or 0)

    @property
    def score_percent(self) -> float | None:
        return None if self.points is None else percent(self.points, self.max_points)

    @property
    def best_possible_percent(self) -> float | None:
        """The score if every unmarked short answer got full points."""
        if self.auto_points is None:
            return None
        short = self.short_max_points if self.short_points is None else self.short_points
        return percent(self.auto_points + short, self.max_points)


class Answer(models.Model):
    attempt = models.ForeignKey(
        TestAttempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    chosen = models.JSONField(_("options chosen"), default=list, blank=True)
    text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"))
    counted = models.BooleanField(_("counted"), help_text=_("False if it came after the limit."))
    points = models.FloatField(_("points"), null=True, blank=True)
    comment = models.TextField(_("marker's comment"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt_id", "answered_at", "pk"]
        indexes = [models.Index(fields=["attempt", "question"])]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}"
