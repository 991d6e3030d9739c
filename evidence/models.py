"""What the candidate brings: applications, self-assessment, evidence items, uploads, witnesses,
and the snapshots frozen at each submission. Write through ``evidence.portfolio.services``
(files: ``evidence.uploads.services``; witnesses: ``evidence.witnesses.services``).

Freezing: an item added in a round that was submitted is frozen (``frozen=True``); a frozen item,
its outcome mapping and every snapshot refuse to change or disappear, whichever way is tried
(instance save or delete, queryset update or delete, or the many-to-many manager).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FrozenError(Exception):
    """Something that was submitted was about to change or disappear."""


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SUBMITTED = "submitted", _("Submitted")
        MORE_EVIDENCE = "more_evidence", _("More evidence requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    specification = models.ForeignKey(
        "credentials.Specification",
        verbose_name=_("micro-credential"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "specification"],
                condition=~Q(status="withdrawn"),
                name="evidence_one_open_application_per_specification",
            )
        ]

    def __str__(self):
        return _("Application %(number)s") % {"number": self.pk}

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.MORE_EVIDENCE}


class Confidence(models.IntegerChoices):
    NOT_YET = 1, _("Not yet: I am still learning this")
    SOMEWHAT = 2, _("Somewhat: I have done it with help")
    CONFIDENT = 3, _("Confident: I do it on my own")
    EXPERT = 4, _("Very confident: I could teach it to others")


class SelfAssessment(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="self_assessments",
    )
    outcome = models.ForeignKey(
        "credentials.LearningOutcome",
        verbose_name=_("learning outcome"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confidence = models.PositiveSmallIntegerField(
        _("how confident you are"), choices=Confidence.choices, null=True, blank=True
    )
    narrative = models.TextField(_("where and how you learned it"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "outcome"], name="evidence_one_self_assessment_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.application_id}/{self.outcome_id}"


class FrozenQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes that would touch frozen rows."""

    frozen_filter: dict = {"frozen": True}

    def update(self, **kwargs):
        if set(kwargs) != {"frozen"} and self.filter(**self.frozen_filter).exists():
            raise FrozenError("Submitted evidence cannot change")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(**self.frozen_filter).exists():
            raise FrozenError("Submitted evidence cannot be deleted")
        return super().delete()


class EvidenceItem(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        STATEMENT = "statement", _("Written statement")
        TESTIMONY = "testimony", _("Witness testimony")

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="items"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    context = models.TextField(_("context"), blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    # Files: stored under a random name; the original name only as a sanitised display name.
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    display_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    outcomes = models.ManyToManyField(
        "credentials.LearningOutcome",
        verbose_name=_("learning outcomes it supports"),
        through="ItemOutcome",
        related_name="+",
        blank=True,
    )
    frozen = models.BooleanField(_("submitted"), default=False, editable=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["round", "created_at", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self._stored_frozen():
            raise FrozenError(f"Evidence item {self.pk} was submitted and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.frozen or self._stored_frozen():
            raise FrozenError(f"Evidence item {self.pk} was submitted and cannot be deleted")
        return super().delete(*args, **kwargs)

    def _stored_frozen(self) -> bool:
        return self.pk is not None and type(self).objects.filter(pk=self.pk, frozen=True).exists()


class ItemOutcomeQuerySet(FrozenQuerySet):
    frozen_filter = {"item__frozen": True}

    def update(self, **kwargs):
        if self.filter(**self.frozen_filter).exists():
            raise FrozenError("The mapping of submitted evidence cannot change")
        return super(FrozenQuerySet, self).update(**kwargs)


class ItemOutcome(models.Model):
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="mapping")
    outcome = models.ForeignKey(
        "credentials.LearningOutcome", on_delete=models.PROTECT, related_name="+"
    )

    objects = ItemOutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence mapped to an outcome")
        verbose_name_plural = _("evidence mapped to outcomes")
        constraints = [
            models.UniqueConstraint(fields=["item", "outcome"], name="evidence_item_outcome_unique")
        ]

    def __str__(self):
        return f"{self.item_id}->{self.outcome_id}"

    def save(self, *args, **kwargs):
        if EvidenceItem.objects.filter(pk=self.item_id, frozen=True).exists():
            raise FrozenError("The mapping of submitted evidence cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if EvidenceItem.objects.filter(pk=self.item_id, frozen=True).exists():
            raise FrozenError("The mapping of submitted evidence cannot change")
        return super().delete(*args, **kwargs)


class Upload(models.Model):
    """A file on its way in, in chunks; resumable from ``received`` after a dropped connection."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    display_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    item = models.OneToOneField(
        EvidenceItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self):
        return self.display_name


class SnapshotQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenError("Snapshots cannot change")

    def delete(self):
        raise FrozenError("Snapshots cannot be deleted")


class Snapshot(models.Model):
    """What was submitted in one round: items with their hashes, the mapping, the
    self-assessment. Written once; never changed or deleted."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    round = models.PositiveSmallIntegerField(_("round"))
    content = models.JSONField(_("content"))
    digest = models.CharField(_("SHA-256 of the content"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["application", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round"], name="evidence_one_snapshot_per_round"
            )
        ]

    def __str__(self):
        return f"{self.application_id}/round {self.round}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise FrozenError("Snapshots cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("Snapshots cannot be deleted")


class WitnessRequest(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for the witness")
        ANSWERED = "answered", _("Testimony received")
        CANCELLED = "cancelled", _("Cancelled")

    class Relation(models.TextChoices):
        """How the witness knows the candidate's work; the e-mail and pages speak of them from it
        (``evidence.witnesses.services.as_relation``)."""

        MANAGER = "manager", _("Manager or supervisor")
        COLLEAGUE = "colleague", _("Colleague")
        CLIENT = "client", _("Client or customer")
        TEACHER = "teacher", _("Teacher or trainer")
        OTHER = "other", pgettext_lazy("witness relation", "Other")

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="witness_requests",
    )
    witness_name = models.CharField(_("witness's name"), max_length=200)
    witness_email = models.EmailField(_("witness's e-mail address"))
    relation = models.CharField(
        _("how they know the candidate's work"),
        max_length=20,
        choices=Relation.choices,
        default=Relation.OTHER,  # requests made before it was asked
    )
    # Their role or organisation; in requests made before ``relation`` was asked, the candidate's
    # own words on how the witness knows their work.
    relationship = models.CharField(_("their role or organisation"), max_length=200)
    claim = models.TextField(_("what you ask them to confirm"))
    outcomes = models.ManyToManyField(
        "credentials.LearningOutcome",
        verbose_name=_("learning outcomes concerned"),
        related_name="+",
        blank=True,
    )
    nonce_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    expires_at = models.DateTimeField(_("link expires"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("witness request")
        verbose_name_plural = _("witness requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.witness_name


class Testimony(models.Model):
    class Confirmation(models.TextChoices):
        YES = "yes", _("Yes, I confirm it")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No, I cannot confirm it")

    request = models.OneToOneField(
        WitnessRequest, on_delete=models.PROTECT, related_name="testimony"
    )
    full_name = models.CharField(_("your full name"), max_length=200)
    position = models.CharField(_("your position and organisation"), max_length=300)
    relationship = models.TextField(_("how and for how long you know the candidate's work"))
    confirmation = models.CharField(
        _("do you confirm what the candidate describes?"),
        max_length=10,
        choices=Confirmation.choices,
    )
    statement = models.TextField(_("your testimony"))
    item = models.OneToOneField(
        EvidenceItem, null=True, on_delete=models.PROTECT, related_name="testimony"
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    # When the witness declared that what they wrote is true and that they know the work as
    # described; empty for testimonies received before the declaration was asked.
    declared_at = models.DateTimeField(_("declaration made"), null=True, blank=True)

    class Meta:
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")

    def __str__(self):
        return self.full_name


def _refuse_frozen_mapping(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    if not reverse:
        frozen = instance.frozen or instance._stored_frozen()
    else:
        items = EvidenceItem.objects.filter(frozen=True)
        frozen = (
            items.filter(pk__in=pk_set).exists()
            if pk_set
            else ItemOutcome.objects.filter(outcome=instance, item__frozen=True).exists()
        )
    if frozen:
        raise FrozenError("The mapping of submitted evidence cannot change")


models.signals.m2m_changed.connect(_refuse_frozen_mapping, sender=ItemOutcome)
