"""Bulk issuing survives crashes: the lease, the heartbeat, resuming, the sweeper, the page.

A worker killed mid-job is simulated here by an exception no job code catches, raised inside a
row (``WorkerKilled``): the row's transaction is rolled back and the job stays "running" with
the dead worker's lease, as after a real kill (tests/credentials/test_bulk_crash.py kills a real
worker process).
"""

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from credentials.bulk import jobs as tasks
from credentials.bulk import rows as bulk
from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.issuing.models import IssuedCredential
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import make_organisation, make_specification

pytestmark = pytest.mark.django_db

Status = BulkIssueJob.Status


class WorkerKilled(BaseException):
    """What a kill -9 looks like from inside: nothing in the job handles it."""


@pytest.fixture
def specification(db):
    return make_specification(make_organisation(), slug="data-analysis", outcomes=2)


def _job(administrator, count=4, **fields) -> BulkIssueJob:
    lines = ["email,full_name,specification,recognised_outcomes,assessed_on,grade"] + [
        f"learner{n}@example.org,Learner {n},data-analysis,all,2025-05-10," for n in range(count)
    ]
    result = bulk.parse(("\n".join(lines) + "\n").encode())
    assert result.ok, result.errors
    return BulkIssueJob.objects.create(
        created_by=administrator,
        file_name="learners.csv",
        rows=[row.as_dict() for row in result.rows],
        total_rows=count,
        language="en",
        **fields,
    )


def _kill_at_row(monkeypatch, number: int):
    """Make the worker 'die' while issuing the ``number``-th row it issues."""
    real = tasks.issue_credential
    calls = []

    def dying(**kwargs):
        calls.append(kwargs["learner"].email)
        if len(calls) == number:
            raise WorkerKilled
        return real(**kwargs)

    monkeypatch.setattr(tasks, "issue_credential", dying)
    return real


def _expire_lease(job):
    BulkIssueJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    job.refresh_from_db()


def _per_learner() -> Counter:
    return Counter(IssuedCredential.objects.values_list("learner__email", flat=True))


def _sent(monkeypatch) -> list:
    sent = []
    monkeypatch.setattr(tasks.run_bulk_issue, "delay", lambda job_id: sent.append(job_id))
    return sent


def test_it_resumes_a_job_whose_worker_died_where_it_stopped(
    administrator, specification, monkeypatch, client
):
    job = _job(administrator)
    real = _kill_at_row(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        tasks.run_bulk_issue(job.pk)
    job.refresh_from_db()
    # Two rows committed with their progress; the third was rolled back with its transaction.
    assert job.status == Status.RUNNING and job.lease_owner
    assert (job.processed_rows, job.issued_count) == (2, 2)
    assert IssuedCredential.objects.count() == 2 and BulkIssuedRow.objects.count() == 2
    assert not job.is_interrupted, "the lease has not run out yet"

    monkeypatch.setattr(tasks, "issue_credential", real)
    # A message delivered again while the lease runs: the job is left to its holder.
    assert tasks.run_bulk_issue(job.pk)["processed"] == 2
    job.refresh_from_db()
    assert job.status == Status.RUNNING and IssuedCredential.objects.count() == 2

    _expire_lease(job)
    assert job.is_interrupted
    client.force_login(administrator)
    html = client.get(f"/credentials/bulk/{job.pk}/").content.decode()
    assert "Interrupted, resuming" in html and "Resume now" in html
    assert "The worker running this job stopped." in html
    progress = json.loads(client.get(f"/credentials/bulk/{job.pk}/progress.json").content)
    assert progress["status_display"] == "Interrupted, resuming" and not progress["finished"]
    assert "Interrupted, resuming" in client.get("/credentials/bulk/").content.decode()

    result = tasks.run_bulk_issue(job.pk)
    assert result["status"] == "done"
    job.refresh_from_db()
    assert (job.processed_rows, job.issued_count, job.duplicate_count) == (4, 4, 0)
    assert (job.lease_owner, job.lease_expires_at, job.interruptions) == ("", None, 0)
    assert _per_learner() == {f"learner{n}@example.org": 1 for n in range(4)}
    actions = list(
        AuditEvent.objects.filter(target_type="credentials.bulkissuejob").values_list(
            "action", flat=True
        )
    )
    assert actions.count("bulk_issue.resumed") == 1
    assert actions.count("bulk_issue.finished") == 1
    assert AuditEvent.objects.filter(action="credential.issued").count() == 4
    # Running it again, as a message delivered once more would, changes nothing.
    assert tasks.run_bulk_issue(job.pk)["issued"] == 4
    assert IssuedCredential.objects.count() == 4


def test_a_live_lease_is_never_taken_and_a_worker_that_lost_its_lease_stops(
    administrator, specification
):
    job = _job(administrator, count=2)
    first = tasks._claim(job.pk, "worker-a")
    assert first is not None and first.lease_owner == "worker-a"
    assert tasks._claim(job.pk, "worker-b") is None, "worker-a is alive: its job stays its own"

    _expire_lease(job)
    second = tasks._claim(job.pk, "worker-b")
    assert second is not None and second.lease_owner == "worker-b"
    assert second.interruptions == 1
    # worker-a wakes up (a long pause, a lost network): its next row is refused, nothing issued.
    with pytest.raises(tasks._LeaseLost):
        tasks._process_row(first, 0, "worker-a", {})
    assert IssuedCredential.objects.count() == 0
    tasks._run(second, "worker-b")
    job.refresh_from_db()
    assert job.status == Status.DONE and job.issued_count == 2
    assert IssuedCredential.objects.count() == 2


def test_each_row_renews_the_lease(administrator, specification, monkeypatch):
    job = _job(administrator, count=3)
    seen = []
    real = tasks.issue_credential

    def watching(**kwargs):
        seen.append(BulkIssueJob.objects.get(pk=job.pk).lease_expires_at)
        return real(**kwargs)

    monkeypatch.setattr(tasks, "issue_credential", watching)
    claimed_at = timezone.now()
    tasks.run_bulk_issue(job.pk)
    assert len(seen) == 3
    assert all(expiry >= claimed_at + tasks.lease_length() for expiry in seen)
    assert seen == sorted(seen) and len(set(seen)) == 3, "renewed with every row"


def test_the_sweeper_sends_stale_jobs_again_and_leaves_live_ones(
    administrator, specification, monkeypatch, django_capture_on_commit_callbacks
):
    now = timezone.now()
    past, future = now - timedelta(seconds=5), now + timedelta(minutes=1)
    dead = _job(administrator, status=Status.RUNNING, lease_owner="dead", lease_expires_at=past)
    alive = _job(administrator, status=Status.RUNNING, lease_owner="alive", lease_expires_at=future)
    lost = _job(administrator, lease_expires_at=past)  # waiting; its message was lost
    queued = _job(administrator, lease_expires_at=future)  # waiting its turn
    old = _job(administrator, status=Status.RUNNING, processed_rows=1)  # from before leases
    _job(administrator, status=Status.DONE)
    _job(administrator, status=Status.FAILED, lease_expires_at=past)
    sent = _sent(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reclaim_stale_jobs.delay().get() == 3
    assert sorted(sent) == sorted([dead.pk, lost.pk, old.pk])
    dead.refresh_from_db()
    assert dead.lease_owner == "" and dead.lease_expires_at > now, "released, fenced"
    assert dead.is_interrupted
    alive.refresh_from_db()
    assert alive.lease_owner == "alive"
    queued.refresh_from_db()
    assert queued.lease_expires_at == future

    # Sent once per lease, not every minute while a worker has yet to take it.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reclaim_stale_jobs() == 0
    assert len(sent) == 3
    # The worker that lost the job cannot go on with it.
    with pytest.raises(tasks._LeaseLost):
        tasks._process_row(dead, 0, "dead", {})


def test_the_sweeper_resumes_the_job_when_the_message_runs(
    administrator, specification, monkeypatch, django_capture_on_commit_callbacks
):
    job = _job(administrator, count=3)
    real = _kill_at_row(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        tasks.run_bulk_issue(job.pk)
    monkeypatch.setattr(tasks, "issue_credential", real)
    _expire_lease(job)
    with django_capture_on_commit_callbacks(execute=True):  # the message runs in-process here
        assert tasks.reclaim_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert (job.processed_rows, job.issued_count, job.duplicate_count) == (3, 3, 0)
    assert _per_learner() == {f"learner{n}@example.org": 1 for n in range(3)}


def test_a_message_delivered_again_waits_for_the_lease_to_run_out(
    administrator, specification, monkeypatch
):
    job = _job(administrator, count=1)
    expiry = timezone.now() + timedelta(seconds=30)
    BulkIssueJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, lease_owner="someone", lease_expires_at=expiry
    )
    retried = []

    class Retry(Exception):
        pass

    def retry(countdown):
        retried.append(countdown)
        return Retry()

    monkeypatch.setattr(tasks.run_bulk_issue, "retry", retry)
    tasks.run_bulk_issue.push_request(id="redelivered", called_directly=False, is_eager=False)
    try:
        with pytest.raises(Retry):
            tasks.run_bulk_issue.run(job.pk)
    finally:
        tasks.run_bulk_issue.pop_request()
    assert len(retried) == 1 and 29 <= retried[0] <= 32, "looks again when the lease runs out"
    assert IssuedCredential.objects.count() == 0


def test_a_row_that_kills_its_worker_every_time_fails_the_job(administrator, specification):
    job = _job(
        administrator,
        count=3,
        status=Status.RUNNING,
        lease_owner="dead",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        interruptions=tasks.MAX_INTERRUPTIONS - 1,
    )
    assert tasks.run_bulk_issue(job.pk)["status"] == "failed"
    job.refresh_from_db()
    assert job.errors[0]["row"] == 2
    assert "the job stopped 5 times at this row" in job.errors[0]["message"]
    assert IssuedCredential.objects.count() == 0
    assert AuditEvent.objects.filter(action="bulk_issue.failed").count() == 1


def test_resume_now_sends_an_interrupted_job_and_leaves_a_live_one(
    administrator, specification, client, monkeypatch, django_capture_on_commit_callbacks
):
    sent = _sent(monkeypatch)
    client.force_login(administrator)
    future = timezone.now() + timedelta(minutes=1)
    live = _job(administrator, status=Status.RUNNING, lease_owner="alive", lease_expires_at=future)
    html = client.get(f"/credentials/bulk/{live.pk}/").content.decode()
    assert "Running" in html and "Resume now" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credentials/bulk/{live.pk}/retry/")
    assert sent == []
    live.refresh_from_db()
    assert live.lease_owner == "alive"

    past = timezone.now() - timedelta(seconds=1)
    stale = _job(administrator, status=Status.RUNNING, lease_owner="dead", lease_expires_at=past)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/credentials/bulk/{stale.pk}/retry/", follow=True)
    assert sent == [stale.pk]
    assert "The job was sent to a worker again." in response.content.decode()
    stale.refresh_from_db()
    assert stale.lease_owner == "" and stale.lease_expires_at > timezone.now()
    assert AuditEvent.objects.filter(action="bulk_issue.resume_requested").count() == 1


def test_a_new_job_gives_a_worker_time_to_take_it_before_the_sweeper_sends_it_again(
    administrator, specification, client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sent = _sent(monkeypatch)
    client.force_login(administrator)
    data = (
        b"email,full_name,specification,assessed_on\nann@example.org,Ann,data-analysis,2025-05-10\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/credentials/bulk/", {"file": SimpleUploadedFile("a.csv", data)})
    job = BulkIssueJob.objects.get()
    assert sent == [job.pk] and job.status == Status.PENDING
    assert job.lease_expires_at > timezone.now() + timedelta(seconds=30)
    assert tasks.reclaim_stale_jobs() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers with real row locks (PostgreSQL); SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_the_same_job_at_once_issue_each_row_once(administrator, specification):
    job = _job(administrator, count=6)
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(tasks.run_bulk_issue(job.pk))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert (job.processed_rows, job.issued_count, job.duplicate_count) == (6, 6, 0)
    assert _per_learner() == {f"learner{n}@example.org": 1 for n in range(6)}
