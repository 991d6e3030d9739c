import os
import smtplib
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from rpl.accounts.jobs import RETRY_BACKOFF_MAX, send_email

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_it_runs_jobs_in_process_without_a_broker(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    result = send_email.delay("Hello", "Body", ["x@example.org"])
    assert result.get() == 1
    assert mail.outbox[0].subject == "Hello"


@pytest.mark.broker
@pytest.mark.skipif(
    not _redis_up() and not os.environ.get("CI"), reason="Redis is not running on 127.0.0.1:6379"
)
def test_it_sends_a_job_through_a_real_worker_and_redis(tmp_path):
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "RPL_VAR_DIR": str(tmp_path),
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        # Not the current app: the jobs of later tests must keep running in-process.
        producer = Celery("rpl-test", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
        subject = f"Job {queue}"
        result = producer.send_task(
            "rpl.accounts.jobs.send_email",
            args=[subject, "Sent by a real worker", ["worker@example.org"]],
            queue=queue,
        )
        assert result.get(timeout=60) == 1
        sent = "".join(path.read_text() for path in mail_dir.iterdir())
        assert f"Subject: {subject}" in sent
        assert "worker@example.org" in sent
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_it_registers_every_scheduled_job_where_a_worker_looks(settings):
    """A worker knows the jobs of the modules in ``CELERY_IMPORTS``: every job the beat schedule
    names, and every job the code sends, is among them."""
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    sent = {
        "rpl.accounts.jobs.send_email",
        "webhooks.jobs.deliver",
        "credentials.bulk.jobs.run_bulk_issue",
    }
    assert scheduled | sent <= set(app.tasks)


def test_jobs_are_acknowledged_when_done_and_given_back_when_their_worker_dies(settings):
    """A killed worker's messages are delivered again (docs/decisions/0011): late
    acknowledgement, rejection when a worker process is lost, and a Redis visibility timeout
    longer than the longest countdown a job waits (else a waiting retry would be delivered
    again while it waits)."""
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout > RETRY_BACKOFF_MAX
    assert timeout > settings.BULK_ISSUE_LEASE_SECONDS
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["credentials.bulk.jobs.reclaim_stale_jobs"] == 60.0


class _Flaky(EmailBackend):
    """A mail server that refuses the first connections, or fails to end the session after it
    accepted the message."""

    opened = 0
    refuse = 0
    fail_on_quit = False

    def open(self):
        type(self).opened += 1
        if type(self).opened <= type(self).refuse:
            raise ConnectionRefusedError("the mail server is down")
        return super().open()

    def close(self):
        if type(self).fail_on_quit:
            raise smtplib.SMTPServerDisconnected("connection lost during QUIT")
        return super().close()


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}._Flaky"
    _Flaky.opened, _Flaky.refuse, _Flaky.fail_on_quit = 0, 0, False
    return _Flaky


def test_it_does_not_send_an_email_again_once_the_server_accepted_it(flaky_mail):
    flaky_mail.fail_on_quit = True
    assert send_email.delay("Accepted", "Body", ["x@example.org"]).get() == 1
    assert [m.subject for m in mail.outbox] == ["Accepted"], "sent once, not retried"
    assert flaky_mail.opened == 1


def test_it_tries_again_later_when_the_server_refuses_before_accepting(flaky_mail, monkeypatch):
    class Retried(Exception):
        pass

    retries = []

    def retry(exc, countdown):
        retries.append((exc, countdown))
        return Retried()

    monkeypatch.setattr(send_email, "retry", retry)
    flaky_mail.refuse = 1
    with pytest.raises(Retried):
        send_email.delay("Later", "Body", ["x@example.org"])
    [(error, countdown)] = retries
    assert isinstance(error, ConnectionRefusedError) and 0 <= countdown <= RETRY_BACKOFF_MAX
    assert mail.outbox == []
    assert send_email.delay("Later", "Body", ["x@example.org"]).get() == 1
    assert [m.subject for m in mail.outbox] == ["Later"]
