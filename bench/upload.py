"""Upload benchmark: one large evidence file through the real views, served by a real WSGI server.

    .venv/bin/python bench/upload.py                      # 1 GB, both paths, SQLite in a temp dir
    SIZE_MB=64 .venv/bin/python bench/upload.py           # a quick check
    PATHS=chunked SIZE_MB=256 .venv/bin/python bench/upload.py

Prints (issue 4), for each upload path:

- ``chunked``: the resumable endpoint ``upload.js`` uses (``POST .../uploads/`` to announce the
  file, then ``POST .../uploads/<id>/?offset=N`` with 4 MB of raw bytes each);
- ``multipart``: the form without JavaScript (``POST .../evidence/``, ``multipart/form-data``; the
  body is streamed by the client and spooled to a temporary file by Django's upload handlers);

the seconds and MB/s from the first byte sent to the last answer, the idle resident memory of the
server process, its peak during the upload and the difference, with a verdict against the budget
(BUDGET_MB, default 100 MB above idle). The stored file's SHA-256 (the database row and the bytes
on disk, hashed again) must equal the one computed by the client, or the script exits 1.

Each path gets a fresh server process (``bench/wsgi_server.py``, threaded ``wsgiref``, serving
``config.wsgi`` on 127.0.0.1) whose environment allows the file (``EVIDENCE_MAX_FILE_MB``,
``EVIDENCE_QUOTA_MB``). The candidate logs in over HTTP through the login form. Before measuring,
the server answers a small upload on the same path, so "idle" includes the code the path loads.
Memory: the kernel's high-water mark ``VmHWM`` (reset through ``/proc/<pid>/clear_refs`` when
the kernel allows it) and ``VmRSS`` sampled every 50 ms, whichever is higher. The file (an MP4
header, then a repeated pseudo-random block) is generated piece by piece: neither side holds it.

Environment: SIZE_MB (default 1,024), PATHS (``chunked,multipart``), BUDGET_MB (100),
KEEP (``1`` keeps the temporary directory with the database and the stored files). Figures, not
a test.

    CONCURRENT=24 .venv/bin/python bench/upload.py        # 24 uploads at once instead (issue 17)

With CONCURRENT=N, the candidate posts N small files (256 KB each) through the evidence form at
the same moment, one thread each, to one server; it prints ``concurrent uploads: S of N
succeeded`` with the answers and the evidence rows stored, and exits 1 unless all N succeed.
"""

import hashlib
import http.client
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZE_MB = int(os.environ.get("SIZE_MB", "1024"))
PATHS = [p.strip() for p in os.environ.get("PATHS", "chunked,multipart").split(",") if p.strip()]
BUDGET_MB = float(os.environ.get("BUDGET_MB", "100"))
KEEP = os.environ.get("KEEP", "") == "1"
CONCURRENT = int(os.environ.get("CONCURRENT", "0"))
SIZE = SIZE_MB * 1024 * 1024
CHUNK = 4 * 1024 * 1024  # as upload.js
PIECE = 1024 * 1024  # what the client writes to the socket at a time
WARMUP = 256 * 1024

_tmp = tempfile.mkdtemp(prefix="rpl-bench-upload-")
os.environ.setdefault("RPL_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["AXES_ENABLED"] = "false"
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
# One file of SIZE_MB, and every path's file (plus the warm-up ones) in the same application.
os.environ["EVIDENCE_MAX_FILE_MB"] = str(SIZE_MB + 1)
os.environ["EVIDENCE_QUOTA_MB"] = str((SIZE_MB + 1) * (len(PATHS) + 1))
os.environ.setdefault("TMPDIR", str(Path(_tmp) / "tmp"))  # Django spools multipart files here
Path(os.environ["TMPDIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

EMAIL = "candidate@bench.local"
PASSWORD = "bench-upload-2026"

# The file ------------------------------------------------------------------------------------

_BLOCK = random.Random(4).randbytes(PIECE)


def _header(size: int) -> bytes:
    """An MP4 ``ftyp`` box, then an ``mdat`` box (64-bit size) holding the rest of the file."""
    ftyp = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    return ftyp + b"\x00\x00\x00\x01mdat" + (size - len(ftyp)).to_bytes(8, "big")


def pieces(size: int, start: int = 0, end: int | None = None):
    """Bytes ``start``..``end`` of the generated file of ``size`` bytes, at most PIECE at a time."""
    end = size if end is None else end
    header = _header(size)
    position = start
    while position < end:
        within = position % PIECE
        count = min(PIECE - within, end - position)
        data = _BLOCK[within : within + count]
        if position < len(header):
            overlay = header[position : position + count]
            data = overlay + data[len(overlay) :]
        yield data
        position += count


def client_digest(size: int) -> str:
    digest = hashlib.sha256()
    for data in pieces(size):
        digest.update(data)
    return digest.hexdigest()


# The server ----------------------------------------------------------------------------------


class Server:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "wsgi_server.py"), "0"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        match = re.match(r"listening on (\d+)", line)
        if not match:
            self.stop()
            raise SystemExit(f"the server did not start: {line!r}")
        self.port = int(match.group(1))
        self.pid = self.process.pid

    def status(self) -> dict[str, int]:
        """VmRSS, VmHWM... of the server process, in bytes."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("Vm") and line.endswith("kB"):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0]) * 1024
        return values

    def reset_peak(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Sampler(threading.Thread):
    """The highest VmRSS seen, every 50 ms."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server = server
        self.peak = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                self.peak = max(self.peak, self.server.status()["VmRSS"])
            except (OSError, KeyError):
                return
            self.done.wait(0.05)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


# HTTP ----------------------------------------------------------------------------------------


class Browser:
    """Cookies, a CSRF token and one connection per request (``wsgiref`` speaks HTTP/1.0)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=None, length=None, headers=None):
        """``body``: bytes, or an iterable of bytes sent as they come with ``length`` bytes."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.putrequest(method, path)
        all_headers = {"Accept": "application/json, text/html"} | (headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            if isinstance(body, bytes):
                body, length = [body], len(body)
            all_headers["Content-Length"] = str(length)
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        for data in body or ():
            connection.send(data)
        response = connection.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.msg, content

    @property
    def csrf(self) -> str:
        return self.cookies["csrftoken"]

    def log_in(self, email, password):
        status, _, page = self.request("GET", reverse("login"))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, f"login page: {status}"
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": password,
            }
        ).encode()
        status, headers, _ = self.request(
            "POST",
            reverse("login"),
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302 and "sessionid" in self.cookies, f"log-in refused: {status}"


def upload_chunked(browser: Browser, application_pk: int, name: str, size: int) -> None:
    status, _, answer = browser.request(
        "POST",
        reverse("evidence:upload_start", args=[application_pk]),
        body=json.dumps({"name": name, "size": size}).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": browser.csrf},
    )
    state = json.loads(answer)
    assert status == 201, f"upload refused: {status} {state}"
    while state["offset"] < size:
        offset = state["offset"]
        end = min(offset + CHUNK, size)
        status, _, answer = browser.request(
            "POST",
            f"{state['url']}?offset={offset}",
            body=pieces(size, offset, end),
            length=end - offset,
            headers={"Content-Type": "application/octet-stream", "X-CSRFToken": browser.csrf},
        )
        state = json.loads(answer)
        assert status == 200, f"chunk at {offset} refused: {status} {state}"
    assert state["done"], state


def upload_multipart(browser: Browser, application_pk: int, name: str, size: int) -> None:
    boundary = f"----rpl-bench-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{browser.csrf}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        yield from pieces(size)
        yield tail

    status, headers, page = browser.request(
        "POST",
        reverse("evidence:evidence", args=[application_pk]),
        body=body(),
        length=len(head) + size + len(tail),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 302, f"form upload refused: {status} {page[:2000]!r}"


UPLOADERS = {"chunked": upload_chunked, "multipart": upload_multipart}


# The world and the checks --------------------------------------------------------------------


def setup_world():
    from credentials.catalogue.demo import seed_specifications
    from credentials.catalogue.models import Specification
    from credentials.catalogue.services import set_assessment_ready
    from evidence.portfolio import services
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user

    call_command("migrate", verbosity=0)
    seed_specifications()
    spec = Specification.objects.get(slug="python-basics")
    candidate, _ = ensure_user(
        EMAIL, full_name="Bench Candidate", roles=[Role.CANDIDATE], password=PASSWORD
    )
    set_assessment_ready(spec, True)  # no pipeline is needed to upload evidence
    return services.start_application(candidate=candidate, specification=spec)


def stored_item(application, name: str):
    from evidence.models import EvidenceItem

    return EvidenceItem.objects.filter(application=application, display_name=name).latest("pk")


def disk_digest(storage_name: str) -> str:
    from evidence.uploads import storage

    digest = hashlib.sha256()
    with storage.open_stored(storage_name) as stored:
        while data := stored.read(PIECE):
            digest.update(data)
    return digest.hexdigest()


def mb(value: int) -> str:
    return f"{value / (1024 * 1024):7.1f} MB"


def run_path(kind: str, application, expected: str) -> bool:
    server = Server()
    try:
        browser = Browser(server.port)
        browser.log_in(EMAIL, PASSWORD)
        status, _, _ = browser.request("GET", reverse("evidence:evidence", args=[application.pk]))
        assert status == 200, f"evidence page: {status}"
        UPLOADERS[kind](browser, application.pk, f"warm-up-{kind}.mp4", WARMUP)

        exact = server.reset_peak()
        idle = server.status()["VmRSS"]
        sampler = Sampler(server)
        sampler.start()
        name = f"bench-{kind}.mp4"
        started = time.perf_counter()
        UPLOADERS[kind](browser, application.pk, name, SIZE)
        seconds = time.perf_counter() - started
        sampled = sampler.stop()
        hwm = server.status()["VmHWM"]
        peak = max(sampled, hwm if exact else 0)
    finally:
        server.stop()

    started = time.perf_counter()
    item = stored_item(application, name)
    on_disk = disk_digest(item.storage_name)
    check_seconds = time.perf_counter() - started
    same = item.size == SIZE and item.sha256 == expected == on_disk
    delta = peak - idle
    within = delta <= BUDGET_MB * 1024 * 1024
    print(
        f"\n[{kind}] {SIZE_MB} MB as {item.content_type} in {seconds:.1f} s: "
        f"{SIZE_MB / seconds:.1f} MB/s"
    )
    print(
        f"  server memory: idle {mb(idle)}   peak {mb(peak)}   peak - idle {mb(delta)}"
        f"   ({'VmHWM and ' if exact else ''}VmRSS every 50 ms)"
    )
    print(f"  SHA-256 client  {expected}")
    print(f"          row     {item.sha256}")
    print(f"          on disk {on_disk}   ({check_seconds:.1f} s to hash again)")
    print(f"  stored file: {'MATCHES' if same else 'DIFFERS'} ({item.size} bytes)")
    print(
        f"  verdict: {'UNDER' if within else 'OVER'} the {BUDGET_MB:.0f} MB budget "
        f"({delta / (1024 * 1024):.1f} MB above idle)"
    )
    return same and within


def run_concurrent(application) -> bool:
    """CONCURRENT form uploads at once; True when every one is stored."""
    from evidence.models import EvidenceItem

    server = Server()
    answers: list[int | str] = []
    try:
        browser = Browser(server.port)
        browser.log_in(EMAIL, PASSWORD)
        start = threading.Barrier(CONCURRENT)

        def upload(n: int) -> None:
            start.wait()
            try:
                upload_multipart(browser, application.pk, f"concurrent-{n}.mp4", WARMUP)
            except AssertionError as error:
                answers.append(str(error)[:80])
            except OSError as error:
                answers.append(repr(error))
            else:
                answers.append(302)

        threads = [threading.Thread(target=upload, args=(n,)) for n in range(CONCURRENT)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    succeeded = answers.count(302)
    stored = EvidenceItem.objects.filter(
        application=application, display_name__startswith="concurrent-"
    ).count()
    failures = sorted({str(a) for a in answers if a != 302})
    print(
        f"concurrent uploads: {succeeded} of {CONCURRENT} succeeded in {seconds:.1f} s, "
        f"{stored} stored" + (f"; failures: {failures}" if failures else "")
    )
    return succeeded == stored == CONCURRENT


def main():
    if CONCURRENT:
        print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        ok = run_concurrent(setup_world())
        if not KEEP:
            shutil.rmtree(_tmp, ignore_errors=True)
        sys.exit(0 if ok else 1)
    unknown = set(PATHS) - set(UPLOADERS)
    if unknown:
        raise SystemExit(f"PATHS: unknown {', '.join(sorted(unknown))}; use chunked, multipart")
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    print(f"evidence storage: {settings.EVIDENCE_STORAGE_ROOT}; temporary files: {_tmp}/tmp")
    application = setup_world()
    started = time.perf_counter()
    expected = client_digest(SIZE)
    print(
        f"file: {SIZE_MB} MB generated on the fly, SHA-256 computed by the client in "
        f"{time.perf_counter() - started:.1f} s"
    )
    results = [run_path(kind, application, expected) for kind in PATHS]
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\nbenchmark client peak RSS: {mb(client_peak).strip()} (it never holds the file)")
    if not KEEP:
        shutil.rmtree(_tmp, ignore_errors=True)
    else:
        print(f"kept: {_tmp}")
    print(f"overall: {'PASS' if all(results) else 'FAIL'}")
    if not all(results):
        sys.exit(1)


if __name__ == "__main__":
    main()
