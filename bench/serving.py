"""Serving benchmark: pages as production serves them, through gunicorn (config/gunicorn.py).

    .venv/bin/python bench/serving.py                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_benchserve .venv/bin/python bench/serving.py

Prints (issue 17):

- requests per second, median and 95th-percentile latency of three pages served by gunicorn
  (``bench/hello_site.py``: the project plus a hello-world view at ``/bench/hello/`` that only the
  benchmark routes to) on 127.0.0.1, hit by CLIENTS concurrent ``http.client`` threads:
  the hello-world view (the anchor), the public catalogue ``/catalogue/`` (CATALOGUE_SPECS
  published specifications, one page of 20) and the public verification page
  ``/credentials/<uuid>/``; the pages take turns, ROUNDS times, REQUESTS requests each turn, and
  each figure is the median of the rounds with its spread (lowest-highest) and its ratio to the
  hello-world view of the same round;
- SQL queries per request of each page (the Django test client, in this process: load cannot
  move them);
- concurrent uploads: UPLOADS evidence files posted at once by one candidate through the
  evidence form (``bench/upload.py`` with ``CONCURRENT``), on SQLite and, when
  ``PG_URL`` (default the local PostgreSQL, database ``rpl_benchserve_up``) answers, PostgreSQL:
  how many of UPLOADS succeed.

Environment: WORKERS (gunicorn workers, 2), CLIENTS (4), ROUNDS (5), REQUESTS (200),
CATALOGUE_SPECS (24), UPLOADS (24), PG_URL. Figures, not a test.
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="rpl-bench-serve-")
os.environ.setdefault("RPL_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["AXES_ENABLED"] = "false"
os.environ["DEBUG"] = "false"
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")  # persistent connections, as in production
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

WORKERS = int(os.environ.get("WORKERS", "2"))
CLIENTS = int(os.environ.get("CLIENTS", "4"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
CATALOGUE_SPECS = int(os.environ.get("CATALOGUE_SPECS", "24"))
UPLOADS = int(os.environ.get("UPLOADS", "24"))
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/rpl_benchserve_up")


def setup_world() -> dict[str, str]:
    """The pages to measure, by label: a catalogue of CATALOGUE_SPECS published specifications
    and one issued credential."""
    from credentials.issuing import services as issuing
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user
    from tests.factories.catalogue import make_catalogue, make_specification

    call_command("migrate", verbosity=0)
    specifications = make_catalogue()
    for _ in range(CATALOGUE_SPECS - len(specifications)):
        make_specification(specifications[0].awarding_body, outcomes=3)
    learner, _ = ensure_user(
        "learner@bench.local", full_name="Bench Learner", roles=[Role.CANDIDATE], password="x"
    )
    credential = issuing.issue_credential(learner=learner, specification=specifications[0])
    return {
        "hello world": "/bench/hello/",
        "catalogue": "/catalogue/",
        "verification page": f"/credentials/{credential.public_id}/",
    }


def queries_per_page(pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    with override_settings(ROOT_URLCONF="bench.hello_site"):
        client = Client(HTTP_ACCEPT="text/html")
        for label, path in pages.items():
            client.get(path)  # the first request fills the caches, as in a running server
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200, path
            counts[label] = len(captured)
    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn() -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, WEB_CONCURRENCY=str(WORKERS), GUNICORN_BIND=f"127.0.0.1:{port}")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "--chdir",
            str(ROOT),
            "bench.hello_site:application",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/bench/hello/")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def hammer(port: int, path: str) -> tuple[float, list[float], int]:
    """REQUESTS GETs of ``path`` by CLIENTS threads: requests per second, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = iter(range(REQUESTS))

    def client():
        nonlocal errors
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            try:
                status, seconds = get(port, path)
            except OSError:
                status, seconds = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(seconds)
                else:
                    errors += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, errors


def bench_pages(pages: dict[str, str], queries: dict[str, int]) -> None:
    process, port = start_gunicorn()
    rates: dict[str, list[float]] = {label: [] for label in pages}
    latencies: dict[str, list[float]] = {label: [] for label in pages}
    errors = dict.fromkeys(pages, 0)
    try:
        for path in pages.values():  # every worker loads its templates and connections
            for _ in range(WORKERS * 4):
                get(port, path)
        for _ in range(ROUNDS):
            for label, path in pages.items():
                rate, seconds, failed = hammer(port, path)
                rates[label].append(rate)
                latencies[label].extend(seconds)
                errors[label] += failed
    finally:
        process.terminate()
        process.wait(30)
    anchor = rates["hello world"]
    print(
        f"\ngunicorn, {WORKERS} sync workers; {CLIENTS} clients; {ROUNDS} rounds of "
        f"{REQUESTS} GETs per page, pages interleaved"
    )
    for label in pages:
        ratios = [rate / hello for rate, hello in zip(rates[label], anchor, strict=True)]
        p95 = statistics.quantiles(latencies[label], n=20)[-1]
        print(
            f"  {label:<18} {statistics.median(rates[label]):7.1f} req/s "
            f"({min(rates[label]):.0f}-{max(rates[label]):.0f})  "
            f"median {statistics.median(latencies[label]) * 1000:5.1f} ms  "
            f"p95 {p95 * 1000:5.1f} ms  "
            f"{statistics.median(ratios):6.1%} of hello world "
            f"({min(ratios):.0%}-{max(ratios):.0%})  "
            f"{queries[label]} queries  {errors[label]} errors"
        )


def fresh_postgres(url: str) -> str | None:
    """Drop and create the database of ``url``; why not, when the server does not answer."""
    import psycopg

    name = url.rsplit("/", 1)[-1]
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip()
    return None


def bench_uploads() -> None:
    print(f"\n{UPLOADS} concurrent uploads (evidence form, one candidate, threaded server)")
    for label, url in [("SQLite", None), ("PostgreSQL", PG_URL)]:
        env = dict(os.environ, CONCURRENT=str(UPLOADS))
        for name in ("RPL_VAR_DIR", "DATABASE_URL"):
            env.pop(name)
        if url:
            if refusal := fresh_postgres(url):
                print(f"  {label:<11} not measured: {refusal}")
                continue
            env["DATABASE_URL"] = url
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "upload.py")],
            env=env,
            capture_output=True,
            text=True,
        )
        line = next(
            (x for x in result.stdout.splitlines() if x.startswith("concurrent uploads:")), ""
        )
        print(f"  {label:<11} {line or 'failed: ' + result.stderr.strip()[-500:]}")


def main():
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    pages = setup_world()
    bench_pages(pages, queries_per_page(pages))
    bench_uploads()


if __name__ == "__main__":
    main()
