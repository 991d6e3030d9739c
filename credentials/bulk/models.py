"""Bulk issuing from a CSV file (issue 6, item 8). Written by ``credentials.bulk.jobs`` and the bulk
pages; the file is checked by ``credentials.bulk.rows`` before a job is created.

- :class:`BulkIssueJob`: one uploaded file, with the valid rows to issue and the progress. A
  running job is held by one worker at a time through a lease (``lease_owner`` until
  ``lease_expires_at``), renewed with each row it commits; a job whose lease ran out (its worker
  died) is taken over and carries on from ``processed_rows`` (docs/decisions/0011).
- :class:`BulkIssuedRow`: one row that was issued. Its ``key`` (``credentials.bulk.rows.row_key``:
  e-mail, specification and assessment date) is unique, so the same row is never issued twice,
  whether the file is uploaded again or two jobs run at the same time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkIssueJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The checked rows (credentials.bulk.Row.as_dict), issued in this order.
    rows = models.JSONField(_("rows"), default=list, editable=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    issued_count = models.PositiveIntegerField(_("credentials issued"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    # [{"row": 3, "column": "", "message": "..."}], in the language of the person who uploaded.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The lease (credentials.bulk.jobs): the worker that holds a running job, until when. Empty
    # owner: nobody holds it (waiting, or released for another worker to resume it). For a
    # waiting job the expiry is when its message is sent again if no worker has taken it.
    lease_owner = models.CharField(_("held by"), max_length=100, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(_("held until"), null=True, blank=True, editable=False)
    # Times in a row the job was taken over from a worker that stopped, without a row issued
    # since: a row that kills its worker every time fails the job instead of looping forever.
    interruptions = models.PositiveIntegerField(_("interruptions"), default=0, editable=False)

    class Meta:
        verbose_name = _("bulk issuing job")
        verbose_name_plural = _("bulk issuing jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="credentials_bulkissuejob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="credentials_bulkissuejob_progress_le_total",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_interrupted(self) -> bool:
        """Running, but its worker stopped (the lease ran out or was released): another worker
        resumes it where it stopped."""
        if self.status != self.Status.RUNNING or self.lease_expires_at is None:
            return False
        return not self.lease_owner or self.lease_expires_at < timezone.now()

    @property
    def status_label(self) -> str:
        if self.is_interrupted:
            return str(_("Interrupted, resuming"))
        return str(self.get_status_display())

    @property
    def percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    def progress(self) -> dict:
        """What the job page shows and polls for."""
        return {
            "status": self.status,
            "status_display": self.status_label,
            "finished": self.is_finished,
            "total": self.total_rows,
            "processed": self.processed_rows,
            "issued": self.issued_count,
            "duplicates": self.duplicate_count,
            "errors": len(self.errors),
            "percent": self.percent,
        }


class BulkIssuedRow(models.Model):
    job = models.ForeignKey(
        BulkIssueJob, verbose_name=_("job"), on_delete=models.PROTECT, related_name="issued_rows"
    )
    row_number = models.PositiveIntegerField(_("row"))
    key = models.CharField(_("row key"), max_length=64, unique=True)
    credential = models.OneToOneField(
        "credentials.IssuedCredential",
        verbose_name=_("credential"),
        on_delete=models.PROTECT,
        related_name="bulk_row",
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("bulk-issued row")
        verbose_name_plural = _("bulk-issued rows")
        ordering = ["job_id", "row_number"]

    def __str__(self):
        return f"{self.job_id}:{self.row_number}"
