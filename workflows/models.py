"""Pipelines and their versions. Write through ``workflows.pipelines.services``; read through
``workflows.pipelines.selectors``.

A version's ``definition`` is the validated, normalised pipeline (``pipeline_schema.to_data``).
A draft may change; once published a version is frozen for good (published, then superseded when a
newer one is published), so a case that started on it keeps exactly the plan it started with.
"""

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from assessments.scoresheets import records
from rpl.accounts.roles import Role
from workflows.pipelines.schema import load_trusted


class FrozenVersionError(Exception):
    """A published or superseded version was about to change or disappear."""


def definition_digest(definition: dict) -> str:
    """SHA-256 over the canonical JSON of a definition (sorted keys, no spaces)."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Pipeline(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_pl = models.CharField(_("title in Polish"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["key"]

    def __str__(self):
        return self.key

    @property
    def display_title(self) -> str:
        language = get_language() or ""
        if language.startswith("pl") and self.title_pl:
            return self.title_pl
        return self.title or self.title_pl

    # The two below read ``versions.all()`` so that a prefetch serves them without queries.
    @property
    def published_version(self):
        return next(
            (v for v in self.versions.all() if v.status == PipelineVersion.Status.PUBLISHED), None
        )

    @property
    def draft_version(self):
        return next(
            (v for v in self.versions.all() if v.status == PipelineVersion.Status.DRAFT), None
        )


FROZEN_FIELDS = (
    "pipeline_id",
    "number",
    "definition",
    "source",
    "digest",
    "created_by_id",
    "created_at",
    "published_at",
    "published_by_id",
)


class PipelineVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        names = {name.removesuffix("_id") for name in kwargs}
        frozen = {name.removesuffix("_id") for name in FROZEN_FIELDS}
        touches_frozen = (
            bool(names & frozen) or kwargs.get("status") == PipelineVersion.Status.DRAFT
        )
        if touches_frozen and self.exclude(status=PipelineVersion.Status.DRAFT).exists():
            raise FrozenVersionError("Published pipeline versions cannot be changed")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=PipelineVersion.Status.DRAFT).exists():
            raise FrozenVersionError("Published pipeline versions cannot be deleted")
        return super().delete()


class PipelineVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    definition = models.JSONField(_("definition"))
    source = models.TextField(_("source"), blank=True)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PipelineVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("pipeline version")
        verbose_name_plural = _("pipeline versions")
        ordering = ["pipeline", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "number"], name="workflows_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["pipeline"],
                condition=Q(status="draft"),
                name="workflows_one_draft_per_pipeline",
            ),
            models.UniqueConstraint(
                fields=["pipeline"],
                condition=Q(status="published"),
                name="workflows_one_published_per_pipeline",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status__in=["published", "superseded"], published_at__isnull=False),
                name="workflows_version_published_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.pipeline_id and self.pipeline.key} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            self._refuse_frozen_changes()
        if not self.is_frozen or self._state.adding:
            self.digest = definition_digest(self.definition)
        super().save(*args, **kwargs)

    def _refuse_frozen_changes(self):
        stored = type(self).objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        changed = [name for name in FROZEN_FIELDS if getattr(self, name) != stored[name]]
        allowed_moves = {
            (self.Status.PUBLISHED, self.Status.PUBLISHED),
            (self.Status.PUBLISHED, self.Status.SUPERSEDED),
            (self.Status.SUPERSEDED, self.Status.SUPERSEDED),
        }
        if changed or (stored["status"], self.status) not in allowed_moves:
            raise FrozenVersionError(
                f"Pipeline version {self} is {stored['status']} and cannot change"
                + (f" ({', '.join(changed)})" if changed else "")
            )

    def delete(self, *args, **kwargs):
        if self.is_frozen or type(self).objects.filter(pk=self.pk).exclude(status="draft").exists():
            raise FrozenVersionError(f"Pipeline version {self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class SpecificationPipeline(models.Model):
    """Which pipeline assesses a specification; a new case pins the pipeline's published version."""

    specification = models.OneToOneField(
        "credentials.Specification",
        verbose_name=_("specification"),
        on_delete=models.CASCADE,
        related_name="assessment_pipeline",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment pipeline of a specification")
        verbose_name_plural = _("assessment pipelines of specifications")

    def __str__(self):
        return f"{self.specification_id} -> {self.pipeline.key}"


class NamedPool(models.Model):
    """The people of one role who take the steps that name this pool (``pool: technical``) in a
    specification's pipeline. Steps without a pool name take the role's default pool: the
    holders of the role's object permission on the specification."""

    specification = models.ForeignKey(
        "credentials.Specification",
        verbose_name=_("specification"),
        on_delete=models.CASCADE,
        related_name="named_pools",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    name = models.SlugField(_("name"), max_length=50)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("named pool")
        verbose_name_plural = _("named pools")
        constraints = [
            models.UniqueConstraint(
                fields=["specification", "role", "name"], name="workflows_named_pool_unique"
            )
        ]

    def __str__(self):
        return f"{self.specification_id}/{self.role}/{self.name}"


class Outcome(models.TextChoices):
    FULL = "full", _("Full recognition")
    PARTIAL = "partial", _("Partial recognition")
    NONE = "none", _("No recognition")


class Case(Process):
    """A candidate's case as the engine runs it: the pinned plan, a cursor and the results so far.

    ``plan`` is a copy of the pipeline version's definition taken when the case starts, so a case
    finishes on the version it started with whatever is published later.
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    specification = models.ForeignKey(
        "credentials.Specification",
        verbose_name=_("specification"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    pipeline_version = models.ForeignKey(
        PipelineVersion,
        verbose_name=_("pipeline version"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    plan = models.JSONField(_("plan"), editable=False)
    cursor = models.SmallIntegerField(_("current step"), default=-1)
    results = models.JSONField(_("results"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    recognised_outcomes = models.JSONField(_("recognised outcomes"), default=list, blank=True)
    application = models.OneToOneField(
        "evidence.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    # The credential its full recognition issued: at most one per case, also under retries.
    credential = models.OneToOneField(
        "credentials.IssuedCredential",
        verbose_name=_("credential"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    # The unguessable key of the public page that confirms a statement of recognised outcomes.
    statement_key = models.UUIDField(
        _("statement verification key"), default=uuid.uuid4, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # The pipeline versions a specification's cases run on, found without reading every case.
        indexes = [
            models.Index(
                fields=["specification", "pipeline_version"], name="workflows_case_spec_version"
            )
        ]

    def __str__(self):
        return _("Case %(number)s") % {"number": self.pk}

    @cached_property
    def plan_model(self):
        return load_trusted(self.plan)

    @property
    def current_step(self):
        if self.cursor < 0:
            return None
        return self.plan_model.steps[self.cursor]


class StepResult(models.Model):
    """What one person recorded on one step of a case; the step's measures are built from these.
    Read it as ``record``; ``workflows.cases.services.record`` stores it."""

    class Role(models.TextChoices):
        IDENTITY_OFFICER = "identity_officer", _("Identity officer")
        ASSESSOR = "assessor", _("Assessor")
        MODERATOR = "moderator", _("Moderator")
        DECISION_MAKER = "decision_maker", _("Decision maker")
        AUTOMATIC = "automatic", _("Automatic marking")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="step_results"
    )
    step_id = models.CharField(_("step"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="step_result"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField(_("recorded data"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("step result")
        verbose_name_plural = _("step results")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "step_id"])]

    def __str__(self):
        return f"{self.case_id}/{self.step_id}/{self.role}"

    @cached_property
    def record(self) -> records.Record:
        """What was recorded, typed by its kind (``data`` is the record as stored)."""
        return records.parse(self.data, role=self.role)


class ConflictDeclaration(models.Model):
    """Before a person's first look at a case: no conflict of interest, or a conflict and why."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="declarations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL
    )
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="workflows_one_declaration"),
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(reason=""),
                name="workflows_conflict_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.case_id}/{self.person_id}: {self.has_conflict}"


class Appointment(models.Model):
    """A time with the candidate for an interview or an observation on one step of a case."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Times proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        NEW_TIMES_ASKED = "new_times", _("The candidate asked for other times")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="appointments"
    )
    step_id = models.CharField(_("step"), max_length=50)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    slots = models.JSONField(_("proposed times"), default=list)
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=60)
    place = models.CharField(_("place or meeting link"), max_length=500)
    starts_at = models.DateTimeField(_("agreed time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    candidate_note = models.TextField(_("note from the candidate"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(fields=["case", "step_id"], name="workflows_one_appointment"),
        ]

    def __str__(self):
        return f"{self.case_id}/{self.step_id}"


class IdentityDocument(models.Model):
    """A scan the candidate gives for an identity check; the file goes once the check is recorded,
    the row stays as the record that a document was seen."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="identity_documents"
    )
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    display_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.display_name


class Appeal(Process):
    """The candidate's appeal against the decision on a case: a second flow (``AppealFlow``).

    An assessor who did not assess the case reviews the grounds and recommends; a decision maker
    who neither decided the case nor reviewed the appeal upholds or overturns the decision. The
    original decision stays in the case's results and audit trail.
    """

    class Recommendation(models.TextChoices):
        UPHOLD = "uphold", _("Uphold the decision")
        OVERTURN = "overturn", _("Overturn the decision")

    class Result(models.TextChoices):
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    # Not ``case``: every Process already has ``case``, the reverse of Case's parent link.
    appealed_case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="appeals"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    grounds = models.TextField(_("grounds"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # {"recommendation": "uphold" | "overturn", "reasons": "..."} from the reviewing assessor.
    review = models.JSONField(_("review"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Result.choices, blank=True)
    new_outcome = models.CharField(
        _("new decision"), max_length=10, choices=Outcome.choices, blank=True
    )
    recognised_outcomes = models.JSONField(_("recognised outcomes"), default=list, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(fields=["appealed_case"], name="workflows_one_appeal_per_case"),
            models.CheckConstraint(
                condition=Q(outcome="", new_outcome="", decided_at__isnull=True)
                | Q(outcome="upheld", new_outcome="", decided_at__isnull=False)
                | Q(
                    outcome="overturned",
                    new_outcome__in=["full", "partial"],
                    decided_at__isnull=False,
                ),
                name="workflows_appeal_outcome_consistent",
            ),
        ]

    def __str__(self):
        return _("Appeal %(number)s") % {"number": self.pk}

    @property
    def recommendation_label(self) -> str:
        value = self.review.get("recommendation")
        return self.Recommendation(value).label if value else ""
