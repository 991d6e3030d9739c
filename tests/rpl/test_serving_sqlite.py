"""The SQLite demo takes concurrent writes: WAL, a busy timeout and immediate transactions.

A real server process (``bench/wsgi_server.py``, one thread per request) serves a file database:
a copy of the migrated test database with a candidate, an application and a logged-in session.
"""

import http.client
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from credentials.catalogue.services import set_assessment_ready
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.catalogue import make_specification
from tests.factories.evidence import PDF, ApplicationFactory

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 24
CSRF = uuid.uuid4().hex  # 32 characters, as Django's own cookie

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the test database is copied with SQLite's backup"
    ),
    pytest.mark.django_db,  # so that the test database exists
]


def _copy(source: sqlite3.Connection, path: Path) -> None:
    with sqlite3.connect(path) as target:
        source.backup(target)
    target.close()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The file database and the session of its candidate; the test database is left as found."""
    folder = tmp_path_factory.mktemp("serving")
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        connection.ensure_connection()
        memory = connection.connection
        _copy(memory, folder / "clean.sqlite3")
        candidate = make_user(Role.CANDIDATE, email="concurrent@example.org")
        specification = make_specification()
        set_assessment_ready(specification, True)
        application = ApplicationFactory(candidate=candidate, specification=specification)
        browser = Client()
        browser.force_login(candidate)
        _copy(memory, folder / "db.sqlite3")
        with sqlite3.connect(folder / "clean.sqlite3") as clean:
            clean.backup(memory)
        clean.close()
    return {
        "folder": folder,
        "path": reverse("evidence:evidence", args=[application.pk]),
        "application": application.pk,
        "session": browser.cookies["sessionid"].value,
    }


@pytest.fixture(scope="module")
def server(world):
    folder = world["folder"]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "RPL_VAR_DIR": str(folder),
        "SECRET_KEY": settings.SECRET_KEY,  # signs the session made here
        "DEBUG": "false",
        "AXES_ENABLED": "false",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "wsgi_server.py"), "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("listening on "), line
    yield int(line.split()[-1])
    process.terminate()
    process.wait(10)


def _post_file(port: int, world: dict, name: str) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{CSRF}\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        server.request(
            "POST",
            world["path"],
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"sessionid={world['session']}; csrftoken={CSRF}",
            },
        )
        return server.getresponse().status
    finally:
        server.close()


def test_it_stores_every_one_of_24_concurrent_uploads(world, server):
    answers: list[int] = []
    start = threading.Barrier(UPLOADS)

    def upload(n: int) -> None:
        start.wait()
        answers.append(_post_file(server, world, f"evidence-{n}.pdf"))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * UPLOADS
    with sqlite3.connect(world["folder"] / "db.sqlite3") as db:
        stored = db.execute(
            "SELECT COUNT(*) FROM evidence_evidenceitem WHERE application_id = ?",
            [world["application"]],
        ).fetchone()[0]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()
    assert stored == UPLOADS
    assert mode == "wal"  # set by the server's connections: the copy was made in another mode
