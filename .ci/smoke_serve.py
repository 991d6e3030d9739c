"""Smoke test of the served topology: ``./bin/dev serve`` (gunicorn, a Celery worker and beat) on a
scratch PostgreSQL database and Redis, driven over HTTP; then Ctrl+C stops all three.

    .venv/bin/python .ci/smoke_serve.py

An administrator logs in and uploads a one-row CSV file for bulk issuing; the real worker issues
the credential; its public page ``/credentials/<uuid>/`` must say it is valid. The database
(SMOKE_DATABASE_URL, default ``rpl_smoke`` on the local PostgreSQL) is dropped and the broker
(SMOKE_BROKER_URL, default Redis database 11, apart from the tests' ones) emptied before and
after. Exit 0 when every step passed and the three processes stopped on SIGINT, 1 otherwise.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from psycopg import connect, conninfo, sql
from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rpl_smoke")
BROKER_URL = os.environ.get("SMOKE_BROKER_URL", "redis://127.0.0.1:6379/11")
ADMIN, PASSWORD = "admin@smoke.example.org", "smoke-serve-2026"
LEARNER = "learner@smoke.example.org"
VALID = "Valid: the signature, the status and the dates all check out."
started = time.monotonic()


def step(message: str) -> None:
    print(f"[{time.monotonic() - started:5.1f} s] {message}", flush=True)


def start_afresh() -> None:
    """No database, and no message a killed earlier run left on the broker."""
    Redis.from_url(BROKER_URL).flushdb()
    name = conninfo.conninfo_to_dict(DATABASE_URL)["dbname"]
    with connect(conninfo.make_conninfo(DATABASE_URL, dbname="postgres"), autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        server = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept": "text/html", "Accept-Language": "en", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            server.request(method, path, body=body, headers=headers)
            response = server.getresponse()
            page = response.read().decode()
        finally:
            server.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), page

    def token(self, path) -> str:
        status, _, page = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and found, f"GET {path}: {status}"
        return found.group(1)


def wait_for_server(topology: subprocess.Popen, browser: Browser) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert topology.poll() is None, f"./bin/dev serve stopped with {topology.returncode}"
        try:
            if browser.request("GET", "/accounts/login/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("gunicorn did not answer within 180 s")


def seed() -> None:
    import django

    django.setup()
    from credentials.catalogue.demo import seed_specifications
    from credentials.issuing import keys
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user

    specifications = seed_specifications()
    keys.ensure_key(specifications[0].awarding_body)
    ensure_user(ADMIN, full_name="Smoke Admin", roles=[Role.ADMINISTRATOR], password=PASSWORD)


def issue_through_the_worker(browser: Browser) -> str:
    from credentials.bulk.models import BulkIssueJob
    from credentials.issuing.models import IssuedCredential

    form = {"csrfmiddlewaretoken": browser.token("/accounts/login/")}
    form |= {"username": ADMIN, "password": PASSWORD}
    status, location, _ = browser.request(
        "POST",
        "/accounts/login/",
        urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302, f"log-in refused: {status}"
    boundary = "smoke-serve-boundary"
    csv = (
        "email,full_name,specification,assessed_on\n"
        f"{LEARNER},Smoke Learner,python-basics,2026-01-15\n"
    )
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{browser.token('/credentials/bulk/')}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="smoke.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    )
    status, location, page = browser.request(
        "POST",
        "/credentials/bulk/",
        body.encode(),
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 302 and "/credentials/bulk/" in location, f"upload: {status} {page[:500]}"
    step(f"bulk issuing job created: {location}")
    job = BulkIssueJob.objects.get()
    deadline = time.monotonic() + 60
    while job.status not in (BulkIssueJob.Status.DONE, BulkIssueJob.Status.FAILED):
        assert time.monotonic() < deadline, f"the worker did not finish the job: {job.status}"
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.status == BulkIssueJob.Status.DONE and job.issued_count == 1, job.errors
    return str(IssuedCredential.objects.get(learner__email=LEARNER).public_id)


def stop(topology: subprocess.Popen) -> bool:
    """Ctrl+C: SIGINT to the process group; True when every process in it is gone within 30 s."""
    os.killpg(topology.pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        topology.poll()
        try:
            os.killpg(topology.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    os.killpg(topology.pid, signal.SIGKILL)
    return False


def main() -> int:
    port = free_port()
    var = tempfile.mkdtemp(prefix="rpl-smoke-")
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        RPL_VAR_DIR=var,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    sys.path.insert(0, str(ROOT))
    start_afresh()
    step("./bin/dev serve on a scratch database")
    topology = subprocess.Popen([str(ROOT / "bin" / "dev"), "serve"], start_new_session=True)  # noqa: S603
    try:
        browser = Browser(port)
        wait_for_server(topology, browser)
        step(f"gunicorn answers on 127.0.0.1:{port}")
        seed()
        public_id = issue_through_the_worker(browser)
        step(f"the worker issued credential {public_id}")
        status, _, page = browser.request("GET", f"/credentials/{public_id}/")
        assert status == 200 and VALID in page, f"verification page: {status}"
        step("its public page says it is valid")
    finally:
        stopped = stop(topology)
        from django.db import connections

        connections.close_all()
        start_afresh()
    step("SIGINT stopped gunicorn, the worker and beat" if stopped else "processes left running")
    return 0 if stopped else 1


if __name__ == "__main__":
    sys.exit(main())
