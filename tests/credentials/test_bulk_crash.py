"""Bulk issuing survives a killed worker, with a real broker (Redis) and real Celery workers.

A job of 60 rows is sent to a ``celery -A config worker`` process; once some rows are done the
worker is killed with SIGKILL (no clean-up, no acknowledgement: as when a machine dies or the
kernel kills it for memory). A second worker is started: the message the dead worker held is
delivered to it again (``acks_late``, Redis visibility timeout), it takes the job over once the
dead worker's lease has run out, and goes on from the first row not yet done. Every learner
ends with exactly one credential.

The worker and this test share a database: PostgreSQL's test database as it is, or SQLite's
in-memory test database copied to a file for the workers and back for the checks. So that the
kill lands mid-job, and mid-row, on any machine however loaded, the first worker hangs in the
row after ``KILL_AFTER`` (a wrapper around ``issue_credential``, set before the worker starts):
it holds the job and that row's open transaction when it is killed.
"""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from credentials.bulk import rows as bulk
from credentials.bulk.jobs import lease_length
from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.issuing.models import IssuedCredential
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import make_organisation, make_specification

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of its own, so that nothing else's messages are restored or consumed here.
REDIS_URL = os.environ.get("TEST_CRASH_REDIS_URL", "redis://127.0.0.1:6379/5")
ROWS = 60
KILL_AFTER = 12  # rows the first worker issues; it hangs in the next one and is killed there
LEASE_SECONDS = 3
WAIT_SECONDS = 120  # the longest one step may take on a loaded machine before the test gives up


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    # Never skipped in CI (.ci/run starts Redis): there a missing Redis is a failure.
    pytest.mark.skipif(
        not _redis_up() and not os.environ.get("CI"),
        reason="Redis is not running on 127.0.0.1:6379",
    ),
]

# A real worker (what ``celery -A config worker`` runs); with CRASH_TEST_HANG_AFTER=n it hangs
# in row n + 1, inside its transaction, until it is killed.
WORKER = """
import itertools, os, time

import django

django.setup()

from config.celery import app
from credentials.bulk import jobs

issue = jobs.issue_credential
hang_after = int(os.environ.get("CRASH_TEST_HANG_AFTER") or 0)
rows = itertools.count(1)


def issue_or_hang(**kwargs):
    if hang_after and next(rows) > hang_after:
        time.sleep(3600)
    return issue(**kwargs)


jobs.issue_credential = issue_or_hang
queue = os.environ["CRASH_TEST_QUEUE"]
app.conf.task_default_queue = queue  # e-mails the issuing sends, too
app.worker_main(
    ["worker", "--pool", "solo", "--queues", queue, "--loglevel", "WARNING",
     "--without-heartbeat", "--without-mingle", "--without-gossip"]
)
"""


class SharedDatabase:
    """The test database, reachable by the workers: ``url`` for them, ``pull()`` before reading
    what they wrote."""

    def __init__(self, tmp_path: Path):
        connection.ensure_connection()
        self.copied: Path | None = None
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            if connection.is_in_memory_db():
                self.copied = tmp_path / "shared.sqlite3"
                self.url = f"sqlite:///{self.copied}"
            else:
                self.url = f"sqlite:///{db['NAME']}"
        elif connection.vendor == "postgresql":
            user = quote(db.get("USER") or "", safe="")
            password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
            host = db.get("HOST") or "127.0.0.1"
            port = f":{db['PORT']}" if db.get("PORT") else ""
            self.url = f"postgres://{user}{password}@{host}{port}/{db['NAME']}"
        else:
            pytest.fail(f"no way to share a {connection.vendor} database with a worker")

    def push(self) -> None:
        """Give the workers what this test wrote (SQLite in memory: a copy in a file)."""
        if self.copied is None:
            return
        target = sqlite3.connect(self.copied)
        try:
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # readers never block the worker
        finally:
            target.close()

    def pull(self) -> None:
        """See what the workers wrote (SQLite in memory: copy the file back)."""
        if self.copied is None:
            return
        source = sqlite3.connect(self.copied, timeout=30)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


class Workers:
    def __init__(self, tmp_path: Path, database: SharedDatabase, queue: str):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database.url,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": "",
            # Redeliver a dead worker's message at once, and let its lease run out soon.
            "CELERY_VISIBILITY_TIMEOUT": "1",
            "BULK_ISSUE_LEASE_SECONDS": str(LEASE_SECONDS),
            "CRASH_TEST_QUEUE": queue,
            # The keys that encrypt issuer keys and seal the audit chain, as in this process.
            "SECRET_KEY": settings.SECRET_KEY,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "RPL_VAR_DIR": str(tmp_path),
            "DEBUG": "false",
        }
        for name in ("CREDENTIAL_KEY_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY"):
            if getattr(settings, name, None):
                self.env[name] = getattr(settings, name)

    def start(self, *, hang_after: int = 0) -> subprocess.Popen:
        log = (self.tmp_path / f"worker-{len(self.processes) + 1}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env={**self.env, "CRASH_TEST_HANG_AFTER": str(hang_after)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.tmp_path.glob("worker-*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_for(condition, what: str, workers: Workers, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")


def _forget_queue(queue: str) -> None:
    """Remove what this test left in Redis (the queue and its bindings)."""
    with contextlib.suppress(redis.RedisError), redis.Redis.from_url(REDIS_URL) as client:
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)


def _rows(count: int) -> list[dict]:
    lines = ["email,full_name,specification,recognised_outcomes,assessed_on,grade"] + [
        f"learner{n:02}@example.org,Learner {n:02},crash-course,all,2025-05-10,"
        for n in range(count)
    ]
    result = bulk.parse(("\n".join(lines) + "\n").encode())
    assert result.ok, result.errors
    return [row.as_dict() for row in result.rows]


def test_it_finishes_a_job_whose_worker_was_killed_issuing_every_row_exactly_once(
    tmp_path, administrator
):
    organisation = make_organisation()
    make_specification(organisation, slug="crash-course", title_en="Crash course", outcomes=2)
    rows = _rows(ROWS)
    job = BulkIssueJob.objects.create(
        created_by=administrator,
        file_name="crash.csv",
        rows=rows,
        total_rows=len(rows),
        language="en",
        lease_expires_at=timezone.now() + lease_length(),
    )
    database = SharedDatabase(tmp_path)
    database.push()
    queue = f"crash-{uuid.uuid4().hex[:8]}"
    workers = Workers(tmp_path, database, queue)
    # Not the current app: the jobs of later tests must keep running in-process.
    producer = Celery("rpl-crash-test", broker=REDIS_URL, set_as_current=False)

    def progress() -> BulkIssueJob:
        database.pull()
        return BulkIssueJob.objects.get(pk=job.pk)

    try:
        first = workers.start(hang_after=KILL_AFTER)
        producer.send_task("credentials.bulk.jobs.run_bulk_issue", args=[job.pk], queue=queue)
        _wait_for(lambda: progress().processed_rows >= KILL_AFTER, "the first rows", workers)
        time.sleep(0.2)  # well inside the next row
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        stopped = progress()
        assert stopped.status == BulkIssueJob.Status.RUNNING, workers.logs()
        assert stopped.processed_rows == KILL_AFTER, "killed mid-job, in the row after"
        assert stopped.lease_owner, "the dead worker still holds the job"
        assert IssuedCredential.objects.count() == KILL_AFTER

        # Another worker: the dead one's message is delivered to it again, and it takes the job
        # over once the dead one's lease has run out.
        workers.start()
        done = _wait_for(
            lambda: (job := progress()).is_finished and job, "the job to finish", workers
        )
    finally:
        workers.stop()
        producer.close()
        _forget_queue(queue)

    database.pull()
    assert done.status == BulkIssueJob.Status.DONE, (done.errors, workers.logs())
    assert (done.processed_rows, done.issued_count, done.duplicate_count) == (ROWS, ROWS, 0)
    assert done.lease_owner == "" and done.interruptions == 0
    per_learner = Counter(
        IssuedCredential.objects.filter(specification__slug="crash-course").values_list(
            "learner__email", flat=True
        )
    )
    assert per_learner == {row["email"]: 1 for row in rows}, "each row issued exactly once"
    assert BulkIssuedRow.objects.filter(job=job).count() == ROWS
    issued_events = AuditEvent.objects.filter(action="credential.issued").count()
    assert issued_events == ROWS, "a row in flight when the worker died left nothing behind"
    actions = list(
        AuditEvent.objects.filter(
            target_type="credentials.bulkissuejob", target_id=str(job.pk)
        ).values_list("action", flat=True)
    )
    assert actions.count("bulk_issue.resumed") == 1 and actions.count("bulk_issue.finished") == 1
