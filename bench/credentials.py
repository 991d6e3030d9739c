"""Credentials benchmark: signing, PDF certificates, the public verification page, status lists.

    .venv/bin/python bench/credentials.py                  # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_benchcred \
        .venv/bin/python bench/credentials.py

Prints (issue 6):

- credentials signed per second for each proof form: Data Integrity ``eddsa-rdfc-2022`` (JSON-LD
  expansion, RDF canonicalisation, Ed25519) and VC-JWT (EdDSA compact JWS), on the demo
  specification's full Open Badges 3.0 document; and whole issues per second through
  ``issue_credential`` (both proofs, two status-list allocations, the row, the audit event);
- milliseconds per PDF certificate (WeasyPrint, QR code, the credential attached);
- requests per second, median and 95th-percentile latency of the public verification page
  ``/credentials/<uuid>/`` (which verifies the credential on every request) served by a real
  WSGI server process (``bench/wsgi_server.py``, threaded ``wsgiref``) on 127.0.0.1 and hit by
  CLIENTS concurrent ``http.client`` threads for REQUESTS requests (at most PAGE_SECONDS);
- the time to publish a 131,072-entry status list: set one bit, GZIP, sign the
  ``BitstringStatusListCredential`` with ``eddsa-rdfc-2022`` and save it.

Sizes (environment): SIGN (default 200), ISSUE (100), PDF (10), CLIENTS (8), REQUESTS (2,000),
PAGE_SECONDS (60), PUBLISH (10). Figures, not a test.
"""

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="rpl-bench-")
os.environ.setdefault("RPL_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["AXES_ENABLED"] = "false"
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

SIGN = int(os.environ.get("SIGN", "200"))
ISSUE = int(os.environ.get("ISSUE", "100"))
PDF = int(os.environ.get("PDF", "10"))
CLIENTS = int(os.environ.get("CLIENTS", "8"))
REQUESTS = int(os.environ.get("REQUESTS", "2000"))
PAGE_SECONDS = float(os.environ.get("PAGE_SECONDS", "60"))
PUBLISH = int(os.environ.get("PUBLISH", "10"))


def setup_world():
    from credentials.catalogue.demo import seed_specifications
    from credentials.catalogue.models import Specification
    from credentials.issuing import keys
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user

    call_command("migrate", verbosity=0)
    seed_specifications()
    spec = Specification.objects.get(slug="python-basics")
    keys.ensure_key(spec.awarding_body)
    learner, _ = ensure_user(
        "learner@bench.local", full_name="Bench Learner", roles=[Role.CANDIDATE], password="x"
    )
    return spec, learner


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_signing(credential):
    from credentials.issuing import documents as issuing
    from credentials.issuing import keys
    from rpl.lib import data_integrity, vc_jwt

    unsigned = {k: v for k, v in credential.document.items() if k != "proof"}
    private_key = keys.decrypt_private_key(credential.key)
    method = keys.verification_method(credential.key)
    extra = issuing.extra_contexts()
    now = timezone.now()
    data_integrity.sign(unsigned, private_key, method, now, extra_contexts=extra)  # warm caches
    started = time.perf_counter()
    for _ in range(SIGN):
        data_integrity.sign(unsigned, private_key, method, now, extra_contexts=extra)
    di = time.perf_counter() - started
    vc_jwt.encode(unsigned, private_key, method)
    started = time.perf_counter()
    for _ in range(SIGN):
        vc_jwt.encode(unsigned, private_key, method)
    jwt = time.perf_counter() - started
    for label, seconds in [("Data Integrity eddsa-rdfc-2022", di), ("VC-JWT (EdDSA)", jwt)]:
        print(f"sign, {label:<32} {SIGN / seconds:8.1f} credentials/s  ({ms(seconds / SIGN)})")


def bench_issuing(spec, learner):
    from credentials.issuing import services as issuing_services

    started = time.perf_counter()
    issued = [
        issuing_services.issue_credential(learner=learner, specification=spec) for _ in range(ISSUE)
    ]
    seconds = time.perf_counter() - started
    print(
        f"issue_credential (both proofs, DB)     {ISSUE / seconds:8.1f} credentials/s  "
        f"({ms(seconds / ISSUE)})"
    )
    return issued


def bench_pdf(credential):
    from credentials.issuing import certificate

    size = len(certificate.render_pdf(credential))  # warm fonts and templates
    times = []
    for _ in range(PDF):
        started = time.perf_counter()
        certificate.render_pdf(credential)
        times.append(time.perf_counter() - started)
    print(
        f"PDF certificate                        {ms(statistics.mean(times))} mean, "
        f"{ms(statistics.median(times))} median  ({size / 1024:.0f} KiB)"
    )


def start_server():
    env = dict(os.environ, DEBUG="false", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "wsgi_server.py"), "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"the WSGI server did not start: {line!r}")
    return process, int(line.split()[-1])


def get(port: int, path: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, len(body)
    finally:
        connection.close()


def bench_page(credentials):
    paths = [f"/credentials/{c.public_id}/" for c in credentials]
    process, port = start_server()
    try:
        status, _, size = get(port, paths[0])  # warm up (imports, templates, contexts)
        if status != 200:
            raise SystemExit(f"GET {paths[0]} answered {status}")
        for path in paths[1 : CLIENTS + 1]:
            get(port, path)
        latencies, errors = [], []
        lock = threading.Lock()
        counter = iter(range(REQUESTS))
        deadline = time.perf_counter() + PAGE_SECONDS

        def client():
            while time.perf_counter() < deadline:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                try:
                    code, seconds, _ = get(port, paths[number % len(paths)])
                except OSError as exc:
                    with lock:
                        errors.append(repr(exc))
                    continue
                with lock:
                    latencies.append(seconds)
                    if code != 200:
                        errors.append(code)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    done = len(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if done >= 20 else max(latencies)
    print(
        f"verification page, {CLIENTS} clients, {done} GETs  {done / seconds:8.1f} requests/s  "
        f"median {ms(statistics.median(latencies)).strip()}, p95 {ms(p95).strip()}  "
        f"({size / 1024:.0f} KiB, {len(errors)} errors)"
    )
    if errors:
        print(f"  errors: {errors[:5]}")


def bench_status_list(credential):
    import gzip

    from credentials.issuing import status_lists
    from rpl.lib.bitstring_status import MIN_ENTRIES

    status_list = credential.status_list
    assert status_list.size == MIN_ENTRIES, status_list.size
    used = set(
        credential.__class__.objects.filter(status_list=status_list).values_list(
            "status_index", flat=True
        )
    )
    free = [i for i in range(0, MIN_ENTRIES, 997) if i not in used][:PUBLISH]
    times = []
    for index in free:
        started = time.perf_counter()
        status_lists.set_status(status_list, index, 1)
        times.append(time.perf_counter() - started)
    status_list.refresh_from_db()
    encoded = status_lists.published(status_list)["credentialSubject"]["encodedList"]
    started = time.perf_counter()
    for _ in range(PUBLISH):
        gzip.compress(bytes(status_list.bits))
    gz = (time.perf_counter() - started) / PUBLISH
    print(
        f"publish {MIN_ENTRIES:,}-entry status list      {ms(statistics.median(times))} median, "
        f"{ms(max(times)).strip()} max  (gzip alone {ms(gz).strip()}; encodedList "
        f"{len(encoded)} chars)"
    )
    for index in free:  # leave the list as it was
        status_lists.set_status(status_list, index, 0)


def main():
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    spec, learner = setup_world()
    issued = bench_issuing(spec, learner)
    bench_signing(issued[0])
    bench_pdf(issued[0])
    bench_status_list(issued[0])
    bench_page(issued[:50])


if __name__ == "__main__":
    main()
