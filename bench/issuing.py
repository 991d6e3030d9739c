"""Issuing benchmark (issue 17): whole issues per second with the status list 0 %, 50 % and 99 %
full, to show that giving a status entry costs the same at any fill.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_bench_issuing \\
        .venv/bin/python bench/issuing.py
    .venv/bin/python bench/issuing.py                      # SQLite, in a temporary file

Three awarding bodies issue the same demo specification; before measuring, each one's current
status list is filled to its level by marking random entries given and bulk-inserting a
credential row for each (not through the engine). Then ROUNDS rounds, each issuing BATCH
credentials per level in turn (interleaved, so that load moves every level alike) through
``issue_credential`` (both proofs, the status entry, the row, the audit event). Prints per level:
median issues/s with its spread and ratio to the empty list, queries per issue (which load cannot
move), and the median time of ``status_lists.allocate`` alone, beside the time to read every used
index of the list, which is what the allocator did before (twice per issue). Each round also signs
BATCH copies of an issued credential's unsigned document with ``data_integrity.sign`` alone (the
anchor: the Data Integrity proof, which every issue makes too), so that each level's rate is also
printed as a ratio to signing in the same rounds; and the CPU ms per issue of this process and, on
PostgreSQL on this machine, of its server backend (read from /proc), together also counted in
signatures: load moves those less than rates. Figures, not a test.
Sizes (environment): ROUNDS (default 15), BATCH (8), ALLOCATE (100).
"""

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
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
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from credentials.catalogue import services as catalogue  # noqa: E402
from credentials.catalogue.demo import DEMO_ORGANISATION, PYTHON  # noqa: E402
from credentials.issuing import documents, keys, status_lists  # noqa: E402
from credentials.issuing import services as issuing_services  # noqa: E402
from credentials.issuing.models import IssuedCredential, StatusList  # noqa: E402
from rpl.accounts.roles import Role  # noqa: E402
from rpl.accounts.services import ensure_user  # noqa: E402
from rpl.lib import data_integrity  # noqa: E402
from rpl.lib.bitstring_status import MIN_ENTRIES  # noqa: E402
from rpl.lib.bitstring_status import StatusList as Bitstring  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "15"))
BATCH = int(os.environ.get("BATCH", "8"))
ALLOCATE = int(os.environ.get("ALLOCATE", "100"))
LEVELS = (0, 50, 99)  # percent of the current list given


def setup_level(level: int, learner):
    organisation = catalogue.create_organisation(
        actor=None,
        **{**DEMO_ORGANISATION, "identifier": f"BENCH-{level}", "name_en": f"Bench {level} %"},
    )
    specification = catalogue.publish_specification(
        catalogue.create_specification(
            actor=None,
            fields={**PYTHON["fields"], "slug": f"bench-{level}", "awarding_body": organisation},
            outcomes=PYTHON["outcomes"],
        ),
        actor=None,
    )
    key = keys.ensure_key(organisation)
    first = issuing_services.issue_credential(learner=learner, specification=specification)
    status_list = StatusList.objects.get(pk=first.status_list_id)
    slots = Bitstring(MIN_ENTRIES, bytes(status_list.slots))
    free = [index for index in range(MIN_ENTRIES) if not slots.get(index)]
    taken = random.sample(free, max(0, MIN_ENTRIES * level // 100 - status_list.used))
    for index in taken:
        slots.set(index)
    StatusList.objects.filter(pk=status_list.pk).update(
        slots=slots.to_bytes(), used=status_list.used + len(taken)
    )
    now = timezone.now()
    IssuedCredential.objects.bulk_create(
        (
            IssuedCredential(
                learner=learner,
                specification=specification,
                organisation=organisation,
                key=key,
                document_json="{}",
                jwt="",
                supervision="UNSUPERVISED_NO_ID",
                status_list=status_list,
                status_index=index,
                issued_at=now,
            )
            for index in taken
        ),
        batch_size=5000,
    )
    return specification


def fill(specification) -> float:
    status_list = (
        StatusList.objects.filter(organisation=specification.awarding_body, purpose="message")
        .order_by("-number")
        .first()
    )
    return 100 * status_list.used / status_list.size


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (0 elsewhere: SQLite
    works in this process, and a server on another machine cannot be read)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def issue_batch(specification, learner) -> tuple[float, float, float, int]:
    """Issues per second, CPU seconds of this process and of the database backend, and the
    queries of BATCH issues."""
    server = backend_cpu()
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(BATCH):
            issuing_services.issue_credential(learner=learner, specification=specification)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return BATCH / seconds, cpu, backend_cpu() - server, len(queries)


def signing_anchor(credential):
    """What the anchor signs: the issued document without its proof, the key and the method."""
    unsigned = {key: value for key, value in credential.document.items() if key != "proof"}
    key = credential.key
    return (
        unsigned,
        keys.decrypt_private_key(key),
        keys.verification_method(key),
        documents.extra_contexts(),
    )


def sign_batch(anchor) -> tuple[float, float]:
    """Signatures per second and CPU seconds of BATCH copies, each with its own id (as each
    issue's document has)."""
    unsigned, private_key, method, extra = anchor
    copies = [{**unsigned, "id": f"urn:uuid:{uuid.uuid4()}"} for _ in range(BATCH)]
    started, cpu = time.perf_counter(), time.process_time()
    for document in copies:
        data_integrity.sign(document, private_key, method, timezone.now(), extra_contexts=extra)
    return BATCH / (time.perf_counter() - started), time.process_time() - cpu


def allocate_once(organisation) -> tuple[float, int]:
    """Seconds and queries of one allocation, rolled back."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status_lists.allocate(organisation)
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, len(queries)


def read_used(specification) -> float:
    """Seconds to read every used index of the current list (what the allocator did before)."""
    status_list = StatusList.objects.get(
        organisation=specification.awarding_body, purpose="message", number=1
    )
    started = time.perf_counter()
    used = set(
        IssuedCredential.objects.filter(status_list=status_list).values_list(
            "status_index", flat=True
        )
    )
    seconds = time.perf_counter() - started
    assert len(used) == status_list.used, (len(used), status_list.used)
    return seconds


def main():
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    learner, _ = ensure_user(
        "learner@bench.local", full_name="Bench Learner", roles=[Role.CANDIDATE], password="x"
    )
    started = time.perf_counter()
    specifications = {level: setup_level(level, learner) for level in LEVELS}
    print(f"setup (lists filled, rows bulk-inserted): {time.perf_counter() - started:.1f} s")
    for specification in specifications.values():  # warm caches (contexts, keys)
        issued = issuing_services.issue_credential(learner=learner, specification=specification)
    signing = signing_anchor(issued)
    rates = {level: [] for level in LEVELS}
    ratios = {level: [] for level in LEVELS}
    cpu = {level: [0.0, 0.0] for level in LEVELS}  # this process, database backend
    queries = {level: set() for level in LEVELS}
    signs, sign_cpu = [], 0.0
    for _ in range(ROUNDS):
        rate, seconds = sign_batch(signing)
        signs.append(rate)
        sign_cpu += seconds
        for level in LEVELS:
            rate, client, server, count = issue_batch(specifications[level], learner)
            rates[level].append(rate)
            ratios[level].append(rate / signs[-1])
            cpu[level][0] += client
            cpu[level][1] += server
            queries[level].add(count / BATCH)
    anchor = statistics.median(rates[0])
    per_signature = sign_cpu * 1000 / (ROUNDS * BATCH)
    print(f"issue_credential, {ROUNDS} rounds x {BATCH} per level, interleaved:")
    print(
        f"  anchor: data_integrity.sign alone {statistics.median(signs):7.1f} signatures/s "
        f"(min {min(signs):.1f}, max {max(signs):.1f}), {per_signature:.2f} CPU ms each"
    )
    for level in LEVELS:
        median = statistics.median(rates[level])
        per_issue = ", ".join(f"{q:g}" for q in sorted(queries[level]))
        client, server = (seconds * 1000 / (ROUNDS * BATCH) for seconds in cpu[level])
        print(
            f"  list {fill(specifications[level]):5.1f} % full  {median:7.1f} issues/s "
            f"(min {min(rates[level]):.1f}, max {max(rates[level]):.1f})  "
            f"ratio to empty {median / anchor:.2f}  "
            f"ratio to sign {statistics.median(ratios[level]):.2f} "
            f"(min {min(ratios[level]):.2f}, max {max(ratios[level]):.2f})  "
            f"queries/issue {per_issue}"
        )
        server_part = f" + {server:.2f} PostgreSQL backend" if server else ""
        print(
            f"      CPU ms/issue: {client:.2f} this process{server_part} = {client + server:.2f}, "
            f"the CPU of {(client + server) / per_signature:.2f} signatures"
        )
    print(f"status_lists.allocate alone ({ALLOCATE} per level, interleaved, rolled back):")
    times = {level: [] for level in LEVELS}
    counts = {level: set() for level in LEVELS}
    for _ in range(ALLOCATE):
        for level in LEVELS:
            seconds, count = allocate_once(specifications[level].awarding_body)
            times[level].append(seconds)
            counts[level].add(count)
    anchor = statistics.median(times[0])
    for level in LEVELS:
        median = statistics.median(times[level])
        old = read_used(specifications[level])
        print(
            f"  list {fill(specifications[level]):5.1f} % full  {median * 1000:6.2f} ms "
            f"(ratio to empty {median / anchor:.2f}), queries {sorted(counts[level])}  "
            f"(reading every used index, as before: {old * 1000:.1f} ms)"
        )


if __name__ == "__main__":
    main()
