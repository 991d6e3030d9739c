import io

import pytest
from django.urls import reverse

from credentials.catalogue.demo import seed_specifications
from credentials.catalogue.models import Specification
from evidence.portfolio import services
from tests.factories import make_user
from workflows.demo.engine import seed_engine

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def evidence_settings(settings, tmp_path):
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }
    settings.EVIDENCE_MAX_FILE_MB = 1
    settings.EVIDENCE_QUOTA_MB = 3
    settings.SITE_URL = "http://testserver"
    return settings


@pytest.fixture
def staff(db):
    from rpl.accounts.roles import Role

    return [
        make_user(Role.ASSESSOR, email="pool1@example.org", full_name="Paula Poolassessor"),
        make_user(Role.ASSESSOR, email="pool2@example.org", full_name="Piotr Poolassessor"),
        make_user(Role.IDENTITY_OFFICER, email="ido@example.org", full_name="Irena Idofficer"),
        make_user(Role.DECISION_MAKER, email="dm@example.org", full_name="Damian Decisionmaker"),
    ]


@pytest.fixture
def spec(db, staff):
    seed_specifications()
    seed_engine(staff)
    return Specification.objects.get(slug="python-basics")


@pytest.fixture
def application(candidate, spec):
    return services.start_application(candidate=candidate, specification=spec)


@pytest.fixture
def other_application(candidate2, spec):
    return services.start_application(candidate=candidate2, specification=spec)


def upload(client, application, files):
    """Post files through the form (no JavaScript): ``files`` is a list of (name, bytes)."""
    handles = []
    for name, content in files:
        handle = io.BytesIO(content)
        handle.name = name
        handles.append(handle)
    return client.post(reverse("evidence:evidence", args=[application.pk]), {"files": handles})


def add_file(application, name="report.pdf", content=PDF):
    return services.add_file(
        application, actor=application.candidate, source=io.BytesIO(content), name=name
    )
