"""API test data: the demo catalogue with its pools, applications, a submitted case, an issued
credential, and clients that call the API with a personal token."""

import io

import pytest
from django.core.cache import cache
from django.test import Client

from api import tokens
from api.models import Scope
from credentials.catalogue.demo import seed_specifications
from credentials.catalogue.models import Specification
from credentials.issuing import services as issuing_services
from evidence.portfolio import services as evidence_services
from workflows.cases.applications import submit_application
from workflows.demo.engine import seed_engine

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"


@pytest.fixture(autouse=True)
def api_settings(settings, tmp_path):
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
    settings.API_PUBLIC_RATE = "1000/min"
    cache.clear()
    yield settings
    cache.clear()


class ApiClient(Client):
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    def __init__(self, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        super().__init__(headers=headers)


def token_client(user, scopes=tuple(Scope.values)) -> ApiClient:
    _row, text = tokens.create_token(user=user, name="test", scopes=scopes)
    return ApiClient(text)


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def spec(candidate, assessor, identity_officer, decision_maker):
    """python-basics, with the assessor, identity officer and decision maker in its pools
    (assessor2 is in no pool)."""
    seed_specifications()
    seed_engine([assessor, identity_officer, decision_maker])
    return Specification.objects.get(slug="python-basics")


@pytest.fixture
def application(candidate, spec):
    return evidence_services.start_application(candidate=candidate, specification=spec)


@pytest.fixture
def submitted(application):
    evidence_services.add_file(
        application, actor=application.candidate, source=io.BytesIO(PDF), name="cv.pdf"
    )
    submit_application(application, application.candidate)
    application.refresh_from_db()
    return application


@pytest.fixture
def issued(candidate, spec):
    return issuing_services.issue_credential(learner=candidate, specification=spec)
