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
index of the list, which is what the allocator did before (twice per issue). Figures, not a test.
Sizes (environment): ROUNDS (default 15), BATCH (8), ALLOCATE (100).
"""

import os
import random
import statistics
import sys
import tempfile
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
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from credentials.catalogue import services as catalogue  # noqa: E402
from credentials.catalogue.demo import DEMO_ORGANISATION, PYTHON  # noqa: E402
from credentials.issuing import keys, status_lists  # noqa: E402
from credentials.issuing import services as issuing_services  # noqa: E402
from credentials.issuing.models import IssuedCredential, StatusList  # noqa: E402
from rpl.accounts.roles import Role  # noqa: E402
from rpl.accounts.services import ensure_user  # noqa: E402
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


def issue_batch(specification, learner) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for _ in range(BATCH):
            issuing_services.issue_credential(learner=learner, specification=specification)
        seconds = time.perf_counter() - started
    return BATCH / seconds, len(queries)


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
        issuing_services.issue_credential(learner=learner, specification=specification)
    rates = {level: [] for level in LEVELS}
    queries = {level: set() for level in LEVELS}
    for _ in range(ROUNDS):
        for level in LEVELS:
            rate, count = issue_batch(specifications[level], learner)
            rates[level].append(rate)
            queries[level].add(count / BATCH)
    anchor = statistics.median(rates[0])
    print(f"issue_credential, {ROUNDS} rounds x {BATCH} per level, interleaved:")
    for level in LEVELS:
        median = statistics.median(rates[level])
        per_issue = ", ".join(f"{q:g}" for q in sorted(queries[level]))
        print(
            f"  list {fill(specifications[level]):5.1f} % full  {median:7.1f} issues/s "
            f"(min {min(rates[level]):.1f}, max {max(rates[level]):.1f})  "
            f"ratio to empty {median / anchor:.2f}  queries/issue {per_issue}"
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
