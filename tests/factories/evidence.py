"""Applications and evidence files, written through the ``evidence`` services."""

import io

import factory
from django.urls import reverse

from evidence.models import Application
from evidence.portfolio import services
from evidence.uploads import services as uploads

# Small files of each kind the upload checks tell apart.
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


class ApplicationFactory(factory.Factory):
    """A draft application of ``candidate`` for ``specification``."""

    class Meta:
        model = Application

    @classmethod
    def _create(cls, model_class, *, candidate, specification):
        return services.start_application(candidate=candidate, specification=specification)


def add_file(application, name="report.pdf", content=PDF):
    """An evidence file the candidate uploads to ``application``."""
    return uploads.add_file(
        application, actor=application.candidate, source=io.BytesIO(content), name=name
    )


def upload(client, application, files):
    """Post files through the form (no JavaScript): ``files`` is a list of (name, bytes)."""
    handles = []
    for name, content in files:
        handle = io.BytesIO(content)
        handle.name = name
        handles.append(handle)
    return client.post(reverse("evidence:evidence", args=[application.pk]), {"files": handles})
