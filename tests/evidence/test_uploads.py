import hashlib
import io
import tracemalloc

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from evidence.models import EvidenceItem, Upload
from evidence.uploads import services, storage
from rpl.audit.models import AuditEvent
from tests.factories.evidence import ELF, HTML, PDF, PNG, add_file, upload

pytestmark = pytest.mark.django_db


def test_it_uploads_several_files_and_refuses_oversized_and_disguised_ones(
    client, candidate, application
):
    client.force_login(candidate)
    big = PDF + b"0" * (1024 * 1024)
    response = upload(
        client,
        application,
        [
            ("cv.pdf", PDF),
            ("../../etc/photo of me.png", PNG),
            ("big.pdf", big),
            ("invoice.pdf", ELF),
            ("page.pdf", HTML),
        ],
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Some files were not accepted" in text
    assert "“big.pdf” is 1.0 MB, larger than the limit of 1 MB per file." in text
    assert (
        "“invoice.pdf” was not accepted: its content is a program or script, whatever its name "
        "says." in text
    )
    assert (
        "“page.pdf” was not accepted: its content is a web page or markup (HTML, SVG, XML), "
        "whatever its name says." in text
    )
    items = list(EvidenceItem.objects.filter(application=application).order_by("pk"))
    assert [(i.display_name, i.content_type) for i in items] == [
        ("cv.pdf", "application/pdf"),
        ("photo of me.png", "image/png"),
    ]
    for item, content in zip(items, [PDF, PNG], strict=True):
        assert item.sha256 == hashlib.sha256(content).hexdigest()
        assert item.size == len(content)
        assert item.storage_name.startswith("items/")
        assert "cv" not in item.storage_name and "photo" not in item.storage_name
        with storages["evidence"].open(item.storage_name) as stored:
            assert stored.read() == content
    # nothing kept of refused files
    assert sorted(_stored_files("items")) == sorted(i.storage_name for i in items)
    hashes = [
        e.changes["sha256"] for e in AuditEvent.objects.filter(action="evidence.file_uploaded")
    ]
    assert hashes == [i.sha256 for i in items]


def _stored_files(folder):
    """Every file stored under ``folder`` of the evidence storage, in its shard folders."""
    store = storages["evidence"]
    folders, files = store.listdir(folder)
    return [f"{folder}/{name}" for name in files] + [
        path for sub in folders for path in _stored_files(f"{folder}/{sub}")
    ]


def test_it_asks_for_a_file_when_none_is_chosen(client, candidate, application):
    client.force_login(candidate)
    response = client.post(reverse("evidence:evidence", args=[application.pk]), {})
    assert "Choose at least one file to upload." in response.content.decode()


def test_it_renames_text_disguised_as_pdf_so_it_opens_as_text(application):
    item = add_file(application, name="notes.pdf", content=b"Plain words.\n")
    assert (item.display_name, item.content_type) == ("notes.pdf.txt", "text/plain")


def test_it_enforces_the_quota_per_application(application):
    chunk = PDF + b"0" * (900 * 1024)
    for n in range(3):
        add_file(application, name=f"part{n}.pdf", content=chunk)
    with pytest.raises(storage.UploadError) as refused:
        add_file(application, name="one-more.pdf", content=chunk)
    assert refused.value.code == "over_quota"
    with pytest.raises(storage.UploadError) as refused:
        services.begin_upload(
            application, actor=application.candidate, name="x.pdf", size=len(chunk)
        )
    assert refused.value.code == "over_quota"
    assert "this application may hold 3 MB of files and 2.6 MB are already used" in (
        refused.value.message
    )


def _start(client, application, name, size):
    return client.post(
        reverse("evidence:upload_start", args=[application.pk]),
        {"name": name, "size": size},
        content_type="application/json",
    )


def _chunk(client, url, offset, data):
    return client.post(f"{url}?offset={offset}", data, content_type="application/octet-stream")


def test_it_resumes_a_chunked_upload_from_the_servers_offset(client, candidate, application):
    client.force_login(candidate)
    content = PDF + bytes(range(256)) * 1000
    started = _start(client, application, "portfolio.pdf", len(content))
    assert started.status_code == 201
    state = started.json()
    assert state["offset"] == 0
    first = _chunk(client, state["url"], 0, content[:100_000])
    assert first.json()["offset"] == 100_000
    # the connection dropped; the browser asks where to go on from
    assert client.get(state["url"]).json()["offset"] == 100_000
    wrong = _chunk(client, state["url"], 50_000, content[50_000:])
    assert wrong.status_code == 409
    assert wrong.json()["offset"] == 100_000
    done = _chunk(client, state["url"], 100_000, content[100_000:])
    assert done.json()["done"] is True
    item = EvidenceItem.objects.get(application=application)
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    assert not storage.partial_path(state["id"]).exists()


def test_it_refuses_a_disguised_file_at_the_first_chunk(client, candidate, application):
    client.force_login(candidate)
    state = _start(client, application, "contract.pdf", len(ELF)).json()
    answer = _chunk(client, state["url"], 0, ELF)
    assert answer.status_code == 415
    assert "its content is a program or script" in answer.json()["error"]
    assert not Upload.objects.exists()
    assert not EvidenceItem.objects.exists()


def test_it_refuses_too_large_and_malformed_upload_requests(client, candidate, application):
    client.force_login(candidate)
    too_big = _start(client, application, "film.mp4", 5 * 1024 * 1024)
    assert too_big.status_code == 413
    assert "larger than the limit of 1 MB per file" in too_big.json()["error"]
    bad = client.post(
        reverse("evidence:upload_start", args=[application.pk]),
        "not json",
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "The upload request was not understood."
    state = _start(client, application, "a.pdf", len(PDF)).json()
    longer = _chunk(client, state["url"], 0, PDF + b"more")
    assert longer.status_code == 400
    assert "longer than announced" in longer.json()["error"]
    bad_offset = client.post(
        state["url"] + "?offset=x", b"", content_type="application/octet-stream"
    )
    assert bad_offset.status_code in {400, 404}


def test_it_streams_files_without_holding_them_in_memory(application, settings):
    settings.EVIDENCE_MAX_FILE_MB = 40
    settings.EVIDENCE_QUOTA_MB = 100

    class Source(io.RawIOBase):
        remaining = 30 * 1024 * 1024
        first = True

        def readable(self):
            return True

        def read(self, n=-1):
            if self.first:
                self.first = False
                return PDF
            n = min(n if n and n > 0 else 65536, self.remaining)
            self.remaining -= n
            return b"x" * n

    tracemalloc.start()
    services.add_file(application, actor=application.candidate, source=Source(), name="big.pdf")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
