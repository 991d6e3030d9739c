import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail

from rpl.accounts.jobs import send_email

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
        producer = Celery("rpl-test", broker=REDIS_URL, backend=REDIS_URL)
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
