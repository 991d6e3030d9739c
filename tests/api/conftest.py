"""API fixtures: python-basics assessed by its pipeline, applications, a submitted case and an
issued credential; the clients are in ``tests.api.clients``."""

import pytest
from django.core.cache import cache

from tests.api.clients import ApiClient
from tests.factories.credentials import issue
from tests.factories.evidence import ApplicationFactory, add_file
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from workflows.cases.applications import submit_application


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


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def spec(candidate, assessor, identity_officer, decision_maker):
    """python-basics, with the assessor, identity officer and decision maker in its pools, and
    reserves enough for every path (assessor2 is in no pool)."""
    staff = [assessor, identity_officer, decision_maker, *reserve_staff()]
    return assessed_catalogue(staff)["python-basics"]


@pytest.fixture
def application(candidate, spec):
    return ApplicationFactory(candidate=candidate, specification=spec)


@pytest.fixture
def submitted(application):
    add_file(application, name="cv.pdf")
    submit_application(application, application.candidate)
    application.refresh_from_db()
    return application


@pytest.fixture
def issued(candidate, spec):
    return issue(candidate, spec)
