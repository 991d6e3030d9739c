"""`manage.py reconcile_evidence`: stored files and the records that name them, read only."""

import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from evidence.models import EvidenceItem, Upload
from evidence.uploads import selectors, services, storage
from tests.factories.evidence import PDF, PNG, add_file

pytestmark = pytest.mark.django_db


def reconcile():
    """Run the command; returns (stdout, the error it ended with or None)."""
    out = io.StringIO()
    try:
        call_command("reconcile_evidence", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def _everything(root):
    return sorted(
        (str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    )


def test_it_says_so_when_the_storage_and_the_records_agree(application):
    add_file(application)
    add_file(application, name="photo.png", content=PNG)
    out, error = reconcile()
    assert error is None
    assert out == "The evidence storage and the records agree.\n"


def test_it_names_stored_files_without_records_and_records_without_files(application, tmp_path):
    kept = add_file(application)
    lost = add_file(application, name="photo.png", content=PNG)
    storages["evidence"].delete(lost.storage_name)
    orphan = storages["evidence"].save("items/00/" + "e" * 32, ContentFile(PDF))
    before = _everything(tmp_path)
    rows = EvidenceItem.objects.count()

    out, error = reconcile()

    assert error is not None
    assert error.returncode == 1
    assert str(error) == "2 problem(s) found; nothing was changed."
    lines = out.splitlines()
    assert lines[0] == (
        f"Evidence item {lost.pk} (“photo.png”) refers to the stored file {lost.storage_name}, "
        "which is not in the evidence storage."
    )
    assert lines[1].startswith(f"The stored file {orphan} ({len(PDF)} bytes, last changed ")
    assert lines[1].endswith(" UTC) is named by no record.")
    assert len(lines) == 2
    assert kept.storage_name not in out
    # Read only: every file and every record as they were.
    assert _everything(tmp_path) == before
    assert EvidenceItem.objects.count() == rows


def test_it_names_partial_files_no_upload_owns_and_uploads_that_lost_theirs(application):
    upload = services.begin_upload(
        application, actor=application.candidate, name="cv.pdf", size=len(PDF)
    )
    upload = services.receive_chunk(
        upload, actor=application.candidate, stream=io.BytesIO(PDF[:50]), offset=0
    )
    storage.partial_path(upload.pk).unlink()
    (storage.incoming_dir() / ("1" * 32)).write_bytes(b"left behind")
    working = services.begin_upload(
        application, actor=application.candidate, name="ok.pdf", size=len(PDF)
    )
    services.receive_chunk(
        working, actor=application.candidate, stream=io.BytesIO(PDF[:50]), offset=0
    )

    out, error = reconcile()

    assert error.returncode == 1
    fragment, lost = out.splitlines()
    assert fragment.startswith(f"The partial upload file incoming/{'1' * 32} (11 bytes, last ")
    assert fragment.endswith(
        " UTC) belongs to no unfinished upload; sweep_uploads deletes it once it is older than "
        "EVIDENCE_ABANDONED_UPLOAD_HOURS."
    )
    assert lost == (
        f"The unfinished upload {upload.pk} of application {application.pk} (“cv.pdf”) has "
        f"received 50 of {len(PDF)} bytes, but its partial file incoming/{upload.pk.hex} is "
        "missing."
    )
    assert Upload.objects.count() == 2


def test_it_leaves_partial_uploads_out_when_they_share_the_storage_folder(settings, application):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.EVIDENCE_STORAGE_ROOT), "base_url": None},
        },
    }
    item = add_file(application)
    upload = services.begin_upload(
        application, actor=application.candidate, name="cv.pdf", size=len(PDF)
    )
    services.receive_chunk(
        upload, actor=application.candidate, stream=io.BytesIO(PDF[:50]), offset=0
    )
    assert storage.stored_names() == [item.storage_name]
    assert reconcile() == ("The evidence storage and the records agree.\n", None)


def test_it_counts_every_model_that_names_a_stored_file():
    assert apps.get_model("evidence", "EvidenceItem") in selectors.referring_models()
    # Identity documents are stored beside evidence, by the workflows app.
    assert apps.get_model("workflows", "IdentityDocument") in selectors.referring_models()


def test_it_reads_an_empty_storage(db):
    assert storage.stored_names() == []
    assert reconcile() == ("The evidence storage and the records agree.\n", None)
