"""The sweep of abandoned chunked uploads: what it deletes, and what it never touches."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evidence.models import Upload
from evidence.portfolio import services as portfolio
from evidence.uploads import jobs, services, storage
from rpl.audit.models import AuditEvent
from tests.factories.evidence import PDF, add_file

pytestmark = pytest.mark.django_db

HOUR = 3600


def _begin(application, *, name="portfolio.pdf", chunk=PDF[:100]):
    """An upload of PDF begun and given its first chunk, as the page's script does."""
    upload = services.begin_upload(
        application, actor=application.candidate, name=name, size=len(PDF)
    )
    return services.receive_chunk(
        upload, actor=application.candidate, stream=io.BytesIO(chunk), offset=0
    )


def _age(path, hours):
    moment = time.time() - hours * HOUR
    os.utime(path, (moment, moment))


def _age_upload(upload, hours):
    Upload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    if storage.partial_path(upload.pk).exists():
        _age(storage.partial_path(upload.pk), hours)


def _fragment(name, hours=0.0, content=b"half a file"):
    path = storage.incoming_dir() / name
    path.write_bytes(content)
    if hours:
        _age(path, hours)
    return path


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep, with what it leaves to run on commit run (as outside a test's transaction)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.sweep_abandoned_uploads()

    return run


@pytest.fixture
def shared_root(settings):
    """As in production by default: the evidence storage's folder is EVIDENCE_STORAGE_ROOT, so
    stored files and incoming/ sit side by side."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.EVIDENCE_STORAGE_ROOT), "base_url": None},
        },
    }
    return settings.EVIDENCE_STORAGE_ROOT


def test_it_removes_the_fragment_a_submission_leaves_and_keeps_fresh_and_finished_files(
    sweep, shared_root, application
):
    # The finding: a submission forgets unfinished uploads but not their partial files.
    item = add_file(application)
    abandoned = _begin(application)
    fragment = storage.partial_path(abandoned.pk)
    portfolio.freeze(application, actor=application.candidate)
    assert fragment.exists()
    assert not Upload.objects.filter(pk=abandoned.pk).exists()

    # Nothing cleaned it before; now, once it is older than the age, the sweep does.
    sweep()
    assert fragment.exists(), "younger than EVIDENCE_ABANDONED_UPLOAD_HOURS: kept"
    _age(fragment, 25)
    stored = shared_root / item.storage_name
    _age(stored, 24 * 365)
    fresh = _fragment("0" * 32)

    result = sweep()

    assert not fragment.exists()
    assert result.fragments == [{"file": f"incoming/{fragment.name}", "size": 100}]
    assert fresh.exists()
    assert stored.exists()
    with storage.open_stored(item.storage_name) as kept:
        assert kept.read() == PDF


def test_it_deletes_an_abandoned_upload_with_its_partial_file(sweep, application):
    abandoned = _begin(application, name="old.pdf")
    _age_upload(abandoned, 30)
    assert services.used_bytes(application) == len(PDF)

    result = sweep()

    assert not Upload.objects.filter(pk=abandoned.pk).exists()
    assert not storage.partial_path(abandoned.pk).exists()
    assert services.used_bytes(application) == 0
    assert [u["name"] for u in result.uploads] == ["old.pdf"]
    event = AuditEvent.objects.get(action="evidence.abandoned_uploads_swept")
    assert event.actor is None
    assert event.changes["uploads_removed"] == 1
    assert event.changes["fragments_removed"] == 0
    assert event.changes["bytes_removed"] == 100
    assert event.changes["uploads"][0]["upload"] == str(abandoned.pk)
    assert event.changes["uploads"][0]["application"] == application.pk


def test_it_keeps_uploads_with_activity_within_the_age(sweep, application):
    # Begun long ago, but a chunk arrived an hour ago: the candidate is still at it.
    slow = _begin(application, name="slow.pdf")
    Upload.objects.filter(pk=slow.pk).update(created_at=timezone.now() - timedelta(hours=30))
    _age(storage.partial_path(slow.pk), 1)
    # Begun an hour ago, no chunk yet.
    waiting = services.begin_upload(
        application, actor=application.candidate, name="waiting.pdf", size=len(PDF)
    )
    Upload.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=1))

    result = sweep()

    assert result.removed == 0
    assert Upload.objects.filter(pk__in=[slow.pk, waiting.pk]).count() == 2
    assert storage.partial_path(slow.pk).exists()
    assert not AuditEvent.objects.filter(action="evidence.abandoned_uploads_swept").exists()
    # ...and the slow upload goes on and finishes.
    done = services.receive_chunk(
        slow, actor=application.candidate, stream=io.BytesIO(PDF[100:]), offset=100
    )
    assert done.item is not None


def test_it_never_deletes_stored_evidence_nor_anything_newer_than_the_age(
    sweep, shared_root, application
):
    finished = _begin(application, name="finished.pdf", chunk=PDF)
    assert finished.item is not None
    stored = shared_root / finished.item.storage_name
    direct = add_file(application, name="direct.pdf")
    # Everything stored is old; a leftover partial of the finished upload too (a crash between
    # storing the file and removing the partial); a stored file nothing names, old as well.
    for path in [stored, shared_root / direct.storage_name]:
        _age(path, 24 * 400)
    Upload.objects.filter(pk=finished.pk).update(created_at=timezone.now() - timedelta(days=400))
    leftover = _fragment(finished.pk.hex, hours=48)
    unnamed = "items/00/" + "f" * 32
    storages["evidence"].save(unnamed, ContentFile(PDF))
    _age(shared_root / unnamed, 24 * 400)
    # Recent things: a fragment no upload refers to, and an upload just begun.
    recent_fragment = _fragment("not-an-upload", hours=23)
    recent_upload = _begin(application, name="recent.pdf")

    result = sweep()

    assert [f["file"] for f in result.fragments] == [f"incoming/{finished.pk.hex}"]
    assert not leftover.exists()
    assert result.uploads == []
    for path in [stored, shared_root / direct.storage_name, shared_root / unnamed]:
        assert path.exists(), path
    assert recent_fragment.exists()
    assert storage.partial_path(recent_upload.pk).exists()
    assert Upload.objects.filter(pk__in=[finished.pk, recent_upload.pk]).count() == 2


def test_it_uses_the_configured_age(sweep, settings, application):
    settings.EVIDENCE_ABANDONED_UPLOAD_HOURS = 2
    three_hours = _fragment("a" * 32, hours=3)
    one_hour = _fragment("b" * 32, hours=1)
    upload = _begin(application)
    _age_upload(upload, 3)

    result = sweep()

    assert not three_hours.exists()
    assert one_hour.exists()
    assert not Upload.objects.filter(pk=upload.pk).exists()
    assert result.removed == 2
    event = AuditEvent.objects.get(action="evidence.abandoned_uploads_swept")
    assert event.changes["older_than_hours"] == 2


def test_it_ignores_folders_under_incoming(sweep, application):
    folder = storage.incoming_dir() / "a-folder"
    folder.mkdir()
    _age(folder, 48)
    assert sweep().removed == 0
    assert folder.is_dir()


def test_it_runs_from_the_command_line(application, django_capture_on_commit_callbacks):
    _fragment("c" * 32, hours=25)
    abandoned = _begin(application)
    _age_upload(abandoned, 25)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_uploads", stdout=out)
    assert out.getvalue() == (
        "1 abandoned upload(s) and 1 leftover partial file(s) older than 24 hour(s) deleted "
        "(111 bytes).\n"
    )
    out = io.StringIO()
    call_command("sweep_uploads", stdout=out)
    assert out.getvalue().startswith("0 abandoned upload(s) and 0 leftover")


def test_it_runs_hourly_as_a_background_job(settings, application):
    from config.celery import app

    assert "evidence.uploads.jobs" in settings.CELERY_IMPORTS
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-abandoned-uploads"]
    assert entry == {"task": "evidence.uploads.jobs.sweep_abandoned_uploads", "schedule": 3600.0}
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    _fragment("d" * 32, hours=25)
    assert jobs.sweep_abandoned_uploads.delay().get() == 1


def test_it_answers_a_swept_upload_as_gone(sweep, client, application):
    abandoned = _begin(application)
    _age_upload(abandoned, 25)
    sweep()
    client.force_login(application.candidate)
    response = client.get(reverse("evidence:upload_chunk", args=[application.pk, abandoned.pk]))
    assert response.status_code == 404


def test_it_discards_the_partial_files_of_a_submission_once_it_commits(
    application, django_capture_on_commit_callbacks
):
    add_file(application)
    abandoned = _begin(application)
    fragment = storage.partial_path(abandoned.pk)
    with django_capture_on_commit_callbacks(execute=True):
        portfolio.freeze(application, actor=application.candidate)
    assert not fragment.exists()
