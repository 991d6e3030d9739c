"""Background jobs of the credentials app: bulk issuing from a checked CSV file.

``run_bulk_issue(job_id)`` issues the rows of a :class:`~credentials.models_bulk.BulkIssueJob`
one by one, saving the progress after each row. Each row is issued in its own transaction
together with its :class:`~credentials.models_bulk.BulkIssuedRow`, whose unique key makes a row
that was issued before (by this job, an earlier upload of the same file or a job running at the
same time) a duplicate that is skipped, never issued twice. The first row that cannot be issued
stops the job: it is marked failed with the row and the reason; rows issued before it stay
issued, so starting the job again carries on where it stopped.
"""

import logging
from datetime import datetime, time

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.catalogue.models import Specification
from credentials.issuing.services import IssuingError, issue_credential
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit import services as audit

logger = logging.getLogger(__name__)


class BulkRowError(Exception):
    """A row that cannot be issued any more (for example the specification was retired)."""


class _Duplicate(Exception):
    pass


@shared_task
def run_bulk_issue(job_id: int) -> dict:
    """Issue the rows of job ``job_id``; returns its progress. Safe to call more than once."""
    claimed = BulkIssueJob.objects.filter(
        pk=job_id, status__in=[BulkIssueJob.Status.PENDING, BulkIssueJob.Status.FAILED]
    ).update(
        status=BulkIssueJob.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        processed_rows=0,
        issued_count=0,
        duplicate_count=0,
        errors=[],
    )
    job = BulkIssueJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return {}
    if not claimed:  # already running or done: nothing to do
        return job.progress()
    with translation.override(job.language or None):
        _run(job)
    return job.progress()


def _run(job: BulkIssueJob) -> None:
    specifications: dict[str, Specification | None] = {}
    for row in job.rows:
        try:
            issued = _issue_row(job, row, specifications)
        except Exception as exc:  # noqa: BLE001 - any failure stops the job, never the worker
            _fail(job, row, exc)
            return
        if issued:
            job.issued_count += 1
        else:
            job.duplicate_count += 1
        job.processed_rows += 1
        job.save(update_fields=["processed_rows", "issued_count", "duplicate_count"])
    job.status = BulkIssueJob.Status.DONE
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "finished_at"])
        audit.record(
            actor=job.created_by,
            action="bulk_issue.finished",
            target=job,
            changes=_summary(job),
        )


def _summary(job: BulkIssueJob) -> dict:
    return {
        "file": job.file_name,
        "rows": job.total_rows,
        "processed": job.processed_rows,
        "issued": job.issued_count,
        "duplicates": job.duplicate_count,
    }


def _fail(job: BulkIssueJob, row: dict, exc: Exception) -> None:
    if isinstance(exc, BulkRowError | IssuingError):
        reason = str(exc)
    else:
        logger.exception("bulk issuing job %s failed at row %s", job.pk, row.get("row"))
        reason = _("an unexpected error (%(kind)s); the details are in the server log") % {
            "kind": type(exc).__name__
        }
    message = _(
        "This row could not be issued: %(reason)s. The rows before it were issued. "
        "Fix the problem and start the job again: rows already issued are skipped."
    ) % {"reason": reason}
    job.errors = [*job.errors, {"row": row.get("row", 0), "column": "", "message": message}]
    job.status = BulkIssueJob.Status.FAILED
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["errors", "status", "finished_at"])
        audit.record(
            actor=job.created_by,
            action="bulk_issue.failed",
            target=job,
            changes={**_summary(job), "row": row.get("row"), "error": reason},
        )


def _specification(slug: str, cache: dict) -> Specification:
    if slug not in cache:
        cache[slug] = (
            Specification.objects.filter(slug=slug)
            .select_related("awarding_body")
            .prefetch_related("outcomes")
            .first()
        )
    specification = cache[slug]
    if specification is None or not specification.is_published:
        raise BulkRowError(
            _("the micro-credential “%(slug)s” is no longer published") % {"slug": slug}
        )
    return specification


def _decided_at(assessed_on: str) -> datetime:
    day = datetime.fromisoformat(assessed_on).date()
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    return min(moment, timezone.now())


def _learner(row: dict, actor):
    existing = get_user_model().objects.filter(email__iexact=row["email"]).first()
    if existing is not None and existing.has_role(Role.CANDIDATE):
        return existing
    roles = [*(existing.roles if existing is not None else []), Role.CANDIDATE]
    # A new account has no usable password: the learner sets one with "forgot your password".
    user, _created = ensure_user(
        row["email"], full_name=row["full_name"], roles=roles, password=None, actor=actor
    )
    return user


def _issue_row(job: BulkIssueJob, row: dict, specifications: dict) -> bool:
    """Issue one row; False when it was issued before (a duplicate)."""
    if BulkIssuedRow.objects.filter(key=row["key"]).exists():
        return False
    specification = _specification(row["specification"], specifications)
    wanted = set(row.get("outcomes") or [])
    outcomes = [outcome for outcome in specification.outcomes.all() if outcome.position in wanted]
    if len(outcomes) != len(wanted):
        raise BulkRowError(
            _("a learning outcome of “%(slug)s” listed in this row no longer exists")
            % {"slug": specification.slug}
        )
    try:
        with transaction.atomic():
            learner = _learner(row, job.created_by)
            credential = issue_credential(
                learner=learner,
                specification=specification,
                recognised_outcomes=[outcome.pk for outcome in outcomes] or None,
                decided_at=_decided_at(row["assessed_on"]),
                actor=job.created_by,
                grade=row.get("grade") or None,
            )
            try:
                with transaction.atomic():
                    BulkIssuedRow.objects.create(
                        job=job, row_number=row["row"], key=row["key"], credential=credential
                    )
            except IntegrityError:
                if BulkIssuedRow.objects.filter(key=row["key"]).exists():
                    raise _Duplicate from None  # another job issued it meanwhile: undo ours
                raise
    except _Duplicate:
        return False
    return True
