"""Evidence fixtures: a python-basics specification assessed by its pipeline, applications."""

import pytest

from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.evidence import ApplicationFactory
from tests.factories.pipelines import assessed_catalogue


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
    return [
        make_user(Role.ASSESSOR, email="pool1@example.org", full_name="Paula Poolassessor"),
        make_user(Role.ASSESSOR, email="pool2@example.org", full_name="Piotr Poolassessor"),
        make_user(Role.IDENTITY_OFFICER, email="ido@example.org", full_name="Irena Idofficer"),
        make_user(Role.DECISION_MAKER, email="dm@example.org", full_name="Damian Decisionmaker"),
        # enough people besides for every path: a test marker and an appeal's reviewer and decider
        make_user(Role.ASSESSOR, email="pool3@example.org", full_name="Pola Poolassessor"),
        make_user(Role.DECISION_MAKER, email="dm2@example.org", full_name="Dorota Decisionmaker"),
    ]


@pytest.fixture
def spec(db, staff):
    return assessed_catalogue(staff)["python-basics"]


@pytest.fixture
def application(candidate, spec):
    return ApplicationFactory(candidate=candidate, specification=spec)


@pytest.fixture
def other_application(candidate2, spec):
    return ApplicationFactory(candidate=candidate2, specification=spec)
