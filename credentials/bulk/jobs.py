"""Background jobs of the credentials app: bulk issuing from a checked CSV file.

``run_bulk_issue(job_id)`` issues the rows of a :class:`~credentials.bulk.models.BulkIssueJob` in
order, each row in one transaction with its :class:`~credentials.bulk.models.BulkIssuedRow` and
the job's progress, so the progress always says exactly which rows are done. The row's unique key
makes a row issued before (by this job, an earlier upload of the same file or a job running at
the same time) a duplicate that is skipped, never issued twice. The first row that cannot be
issued stops the job: it is marked failed with the row and the reason; rows issued before it stay
issued, and starting it again (``restart``) skips them.

Surviving crashes (docs/decisions/0011-jobs-survive-crashes.md):

- **Lease.** A worker *claims* a job with one conditional UPDATE that names it the lease owner
  until ``now + BULK_ISSUE_LEASE_SECONDS``; only a waiting job, or a running one whose lease ran
  out or was released, can be claimed, so a live worker's job is never taken from it.
- **Heartbeat and fence.** Each row's transaction starts with an UPDATE that renews the lease
  only while this worker still holds it and the row is the next one: it takes the job row's lock
  for the transaction, and a worker that lost its lease stops before issuing anything.
- **Resuming.** A job whose worker died keeps its committed rows; whoever claims it next goes on
  from ``processed_rows``. It is claimed by the redelivered message (Celery ``acks_late`` and
  ``reject_on_worker_lost``: a killed worker's message is delivered again; if the lease is still
  running, the job looks again when it runs out) and by ``reclaim_stale_jobs`` (Celery beat,
  every minute), which releases stale leases and sends the job to a worker again.
- **Poison rows.** A job taken over ``MAX_INTERRUPTIONS`` times in a row without a row issued in
  between fails at that row instead of killing workers forever.
"""

import logging
import os
import socket
import uuid
from datetime import datetime, time, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.catalogue.models import Specification
from credentials.issuing.services import IssuingError, issue_credential
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit import services as audit

logger = logging.getLogger(__name__)

# Take-overs in a row, without a row issued in between, after which the job fails at its row.
MAX_INTERRUPTIONS = 5
# How many stale jobs one run of the sweeper sends again.
RECLAIM_BATCH = 100

Status = BulkIssueJob.Status


class BulkRowError(Exception):
    """A row that cannot be issued any more (for example the specification was retired)."""


class _Duplicate(Exception):
    pass


class _LeaseLost(Exception):
    """This worker no longer holds the job: another one took it over."""


def lease_length() -> timedelta:
    return timedelta(seconds=settings.BULK_ISSUE_LEASE_SECONDS)


def _owner_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _unheld(now) -> Q:
    """Nobody holds the lease: released, never taken, or run out."""
    return Q(lease_owner="") | Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)


def _claimable(now) -> Q:
    """A job a worker may take: waiting, or running without a live lease."""
    return Q(status=Status.PENDING) | Q(status=Status.RUNNING) & _unheld(now)


def _stale(now) -> Q:
    """A job whose message may be lost: waiting or running, and its lease (or, for a waiting
    job, the time given to a worker to take it) ran out."""
    return Q(status__in=[Status.PENDING, Status.RUNNING]) & (
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    )


# Starting, restarting, resuming -----------------------------------------------------------------


def send(job_id: int) -> None:
    """Send the job to a worker once the current transaction commits. A broker that is down
    does not fail the caller: the job waits and ``reclaim_stale_jobs`` sends it again."""

    def start():
        try:
            run_bulk_issue.delay(job_id)
        except Exception:  # noqa: BLE001 - e.g. the broker is down: the sweeper sends it later
            logger.exception("could not send bulk issuing job %s to a worker", job_id)

    transaction.on_commit(start)


def restart(job: BulkIssueJob, *, actor) -> bool:
    """Start a failed job again from its first row (rows already issued are skipped as
    duplicates). False when the job is not failed."""
    with transaction.atomic():
        restarted = BulkIssueJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.PENDING,
            processed_rows=0,
            issued_count=0,
            duplicate_count=0,
            errors=[],
            started_at=None,
            finished_at=None,
            lease_owner="",
            lease_expires_at=timezone.now() + lease_length(),
            interruptions=0,
        )
        if restarted:
            audit.record(actor=actor, action="bulk_issue.restarted", target=job, changes={})
            send(job.pk)
    return bool(restarted)


def resume(job: BulkIssueJob, *, actor) -> bool:
    """Send an interrupted job (its worker stopped) to a worker now, rather than at the next run
    of the sweeper. False when a live worker holds it, or it is not running."""
    now = timezone.now()
    with transaction.atomic():
        released = (
            BulkIssueJob.objects.filter(_unheld(now), pk=job.pk, status=Status.RUNNING)
            .order_by()
            .update(lease_owner="", lease_expires_at=now + lease_length())
        )
        if released:
            audit.record(actor=actor, action="bulk_issue.resume_requested", target=job, changes={})
            send(job.pk)
    return bool(released)


@shared_task
def reclaim_stale_jobs() -> int:
    """Send again the jobs whose worker stopped (the lease ran out) and the waiting jobs whose
    message was lost; returns how many. Celery beat runs it every minute."""
    now = timezone.now()
    stale = list(
        BulkIssueJob.objects.filter(_stale(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:RECLAIM_BATCH]
    )
    sent = 0
    for job_id in stale:
        # Conditional: a worker that renewed its lease meanwhile keeps the job. Releasing the
        # lease also fences out a worker that lost it but is still alive.
        with transaction.atomic():
            released = (
                BulkIssueJob.objects.filter(_stale(now), pk=job_id)
                .order_by()
                .update(lease_owner="", lease_expires_at=now + lease_length())
            )
            if released:
                send(job_id)
        sent += released
    if sent:
        logger.warning("sent %s interrupted or waiting bulk issuing jobs to a worker again", sent)
    return sent


# The job -----------------------------------------------------------------------------------------


@shared_task(bind=True, max_retries=None)
def run_bulk_issue(self, job_id: int) -> dict:
    """Issue the rows of job ``job_id``; returns its progress. Safe to run more than once, by
    any number of workers: one holds the job, the others do nothing."""
    owner = _owner_id()
    job = _claim(job_id, owner)
    if job is None:
        job = BulkIssueJob.objects.filter(pk=job_id).first()
        if job is None:
            return {}
        wait = _lease_left(job)
        if wait is not None and not (self.request.is_eager or self.request.called_directly):
            # Another worker holds the job. It may have died (this message is then the one it
            # lost, delivered again): look again when its lease runs out. A live worker renews
            # it, and the job is done by then: either way, the next look is cheap.
            raise self.retry(countdown=wait)
        return job.progress()
    with translation.override(job.language or None):
        _run(job, owner)
    job.refresh_from_db()
    return job.progress()


def _lease_left(job: BulkIssueJob) -> float | None:
    if job.status != Status.RUNNING or not job.lease_owner or job.lease_expires_at is None:
        return None
    return max(1.0, (job.lease_expires_at - timezone.now()).total_seconds() + 1)


def _claim(job_id: int, owner: str) -> BulkIssueJob | None:
    """Take the job if nobody holds it; a running job taken over is resumed where it stopped."""
    now = timezone.now()
    started = Value(now, output_field=models.DateTimeField())
    with transaction.atomic():
        # One UPDATE: the database re-checks the condition on the row it locks, so of two
        # workers claiming at once exactly one wins. The right-hand sides read the old row.
        taken = (
            BulkIssueJob.objects.filter(_claimable(now), pk=job_id)
            .order_by()
            .update(
                interruptions=Case(
                    When(status=Status.RUNNING, then=F("interruptions") + 1),
                    default=F("interruptions"),
                    output_field=models.PositiveIntegerField(),
                ),
                status=Status.RUNNING,
                lease_owner=owner,
                lease_expires_at=now + lease_length(),
                started_at=Coalesce(F("started_at"), started),
                finished_at=None,
            )
        )
        if not taken:
            return None
        job = BulkIssueJob.objects.select_related("created_by").get(pk=job_id)
        if job.interruptions:
            audit.record(
                actor=None,
                action="bulk_issue.resumed",
                target=job,
                changes={**_summary(job), "interruptions": job.interruptions},
            )
    return job


def _run(job: BulkIssueJob, owner: str) -> None:
    if job.interruptions >= MAX_INTERRUPTIONS and job.processed_rows < len(job.rows):
        row = job.rows[job.processed_rows]
        _fail(
            job,
            row,
            BulkRowError(
                _("the job stopped %(count)s times at this row (its worker was stopped or crashed)")
                % {"count": job.interruptions}
            ),
            owner,
        )
        return
    specifications: dict[str, Specification | None] = {}
    for index in range(job.processed_rows, len(job.rows)):
        row = job.rows[index]
        try:
            _process_row(job, index, owner, specifications)
        except _LeaseLost:
            logger.warning(
                "bulk issuing job %s: another worker took it over before row %s; stopping",
                job.pk,
                row.get("row"),
            )
            return
        except Exception as exc:  # noqa: BLE001 - any failure stops the job, never the worker
            _fail(job, row, exc, owner)
            return
    _finish(job, owner)


def _process_row(job: BulkIssueJob, index: int, owner: str, specifications: dict) -> None:
    """Issue row ``index`` and record the progress, in one transaction: a crash leaves either
    both or neither."""
    row = job.rows[index]
    with transaction.atomic():
        # The heartbeat and the fence, first: it renews the lease only if this worker still
        # holds it and this row is the next one, and it locks the job row until the commit.
        held = (
            BulkIssueJob.objects.filter(
                pk=job.pk, status=Status.RUNNING, lease_owner=owner, processed_rows=index
            )
            .order_by()
            .update(lease_expires_at=timezone.now() + lease_length())
        )
        if not held:
            raise _LeaseLost
        issued = _issue_row(job, row, specifications)
        BulkIssueJob.objects.filter(pk=job.pk).order_by().update(
            processed_rows=index + 1,
            issued_count=F("issued_count") + int(issued),
            duplicate_count=F("duplicate_count") + int(not issued),
            interruptions=0,
        )
    job.processed_rows = index + 1
    job.issued_count += int(issued)
    job.duplicate_count += int(not issued)
    job.interruptions = 0


def _release_as(job: BulkIssueJob, owner: str, **fields) -> bool:
    """End the job (done or failed) if this worker still holds it."""
    ended = (
        BulkIssueJob.objects.filter(pk=job.pk, status=Status.RUNNING, lease_owner=owner)
        .order_by()
        .update(**fields, finished_at=timezone.now(), lease_owner="", lease_expires_at=None)
    )
    if ended:
        job.refresh_from_db()
    return bool(ended)


def _finish(job: BulkIssueJob, owner: str) -> None:
    with transaction.atomic():
        if _release_as(job, owner, status=Status.DONE):
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


def _fail(job: BulkIssueJob, row: dict, exc: Exception, owner: str) -> None:
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
    errors = [*job.errors, {"row": row.get("row", 0), "column": "", "message": message}]
    with transaction.atomic():
        if _release_as(job, owner, status=Status.FAILED, errors=errors):
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
