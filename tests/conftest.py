import pytest
from django.core.cache import cache
from django.utils import translation

from rpl.accounts.roles import Role
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page cached by one test never answers another
    whose rows happen to reuse the same ids and times."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A test that switches the language does not leave it switched for the next one."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test its own checkpoint file: a developer's var/ never decides whether a chain
    verifies."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.log"


@pytest.fixture
def candidate(db):
    return make_user(Role.CANDIDATE, email="alice@example.org", full_name="Alice Candidate")


@pytest.fixture
def candidate2(db):
    return make_user(Role.CANDIDATE, email="bob@example.org", full_name="Bob Candidate")


@pytest.fixture
def assessor(db):
    return make_user(Role.ASSESSOR, email="ada@example.org", full_name="Ada Assessor")


@pytest.fixture
def assessor2(db):
    return make_user(Role.ASSESSOR, email="alan@example.org", full_name="Alan Assessor")


@pytest.fixture
def identity_officer(db):
    return make_user(Role.IDENTITY_OFFICER, email="ida@example.org", full_name="Ida Identity")


@pytest.fixture
def decision_maker(db):
    return make_user(Role.DECISION_MAKER, email="dan@example.org", full_name="Dan Decider")


@pytest.fixture
def quality_officer(db):
    return make_user(Role.QUALITY_OFFICER, email="quinn@example.org", full_name="Quinn Quality")


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR, email="root@example.org", full_name="Ann Admin")


@pytest.fixture
def outsider(db):
    return make_user(email="eve@example.org", full_name="Eve Outsider")


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db['NAME']})"
