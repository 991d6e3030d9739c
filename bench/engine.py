"""Engine benchmark: steps per CPU-second and queries per step, on an empty and a full table.

    .venv/bin/python bench/engine.py                       # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_bench .venv/bin/python bench/engine.py

Drives CASES cases (default 1,000) through a five-step pipeline (identity check, portfolio
review, interview, test, decision) the way the task pages do; then drives SAMPLE cases with 0,
10, 40 and 200 extra people in every pool (POOL_SIZES) to show that queries per step do not grow
with the pools; then adds BACKGROUND finished cases (default 100,000, with their tasks) and drives
more cases to show that queries per step do not grow with the data. Prints figures; it is not a
test.
"""

import json
import os
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

from workflows.demo.engine import sheet_fields  # noqa: E402
from workflows.work.services import complete_task  # noqa: E402

CASES = int(os.environ.get("CASES", "1000"))
BACKGROUND = int(os.environ.get("BACKGROUND", "100000"))
SAMPLE = int(os.environ.get("SAMPLE", "50"))
POOL_SIZES = [int(n) for n in os.environ.get("POOL_SIZES", "0,10,40,200").split(",")]

PIPELINE = {
    "key": "bench-five-steps",
    "title": {"en": "Benchmark pipeline"},
    "steps": [
        {"id": "identity", "kind": "identity_check", "method": "document"},
        {
            "id": "portfolio",
            "kind": "evidence_review",
            "assessors": 1,
            "rubric": {"min": 0, "max": 4},
            "pass_rule": {"outcome_min_score": 2},
            "deadline": {"days": 14, "escalate_to": "assessor_pool"},
        },
        {
            "id": "interview",
            "kind": "interview",
            "rubric": {"min": 0, "max": 4},
            "pass_rule": {"outcome_min_score": 2},
        },
        {
            "id": "exam",
            "kind": "test",
            "question_bank": "bench",
            "questions": 10,
            "pass_mark_percent": 60,
        },
        {"id": "decision", "kind": "decision"},
    ],
}


def setup_world():
    from guardian.shortcuts import assign_perm

    from credentials.catalogue.demo import seed_specifications
    from credentials.catalogue.models import Specification
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user
    from workflows.cases import services as case_services
    from workflows.models import Pipeline
    from workflows.pipelines import services

    call_command("migrate", verbosity=0)
    seed_specifications()
    spec = Specification.objects.get(slug="python-basics")
    services.save_draft(actor=None, definition=PIPELINE, source="")
    services.publish(actor=None, key=PIPELINE["key"])
    case_services.assign_pipeline(
        actor=None, specification=spec, pipeline=Pipeline.objects.get(key=PIPELINE["key"])
    )
    people = {}
    for name, role, perm in [
        ("identity", Role.IDENTITY_OFFICER, "credentials.verify_identity"),
        ("assessor", Role.ASSESSOR, "credentials.assess"),
        ("decider", Role.DECISION_MAKER, "credentials.decide"),
        ("candidate", Role.CANDIDATE, None),
    ]:
        user, _ = ensure_user(f"{name}@bench.local", full_name=name, roles=[role], password="x")
        if perm:
            assign_perm(perm, user, spec)
        people[name] = user
    return spec, people


def scripted(task, case, people):
    """Who does ``task`` and the fields of its form."""
    node = task.flow_task.name
    if node == "identity_check":
        return people["identity"], {"method": "document", "verified": "yes"}
    if node == "test":
        return people["assessor"], {"score_percent": 75.0}
    if node == "decision":
        return people["decider"], {"outcome": "full", "reasons": "ok"}
    return people["assessor"], sheet_fields(case, 3)


def drive(spec, people, count):
    """Run ``count`` cases to the end, each task taken, declared for and recorded as on the task
    pages; return (CPU seconds of this process without the worker's jobs, [queries per step],
    CPU seconds and queries of the jobs the steps queued for the worker). Those jobs (telling a
    new task's pool) run here after each step, outside its measure, as a Celery worker would."""
    from unittest import mock

    from viewflow.workflow.models import Task

    from workflows import jobs
    from workflows.cases import services as case_services

    per_step, queued = [], []
    worker_cpu = 0.0
    worker_queries = 0
    started = time.process_time()
    with mock.patch.object(jobs.announce_task, "delay", side_effect=queued.append):
        for _ in range(count):
            case = case_services.start_case(candidate=people["candidate"], specification=spec)
            while True:
                worker_cpu, worker_queries = _run_queued(queued, worker_cpu, worker_queries)
                task = (
                    Task.objects.filter(process=case, flow_task_type="HUMAN", status="NEW")
                    .order_by("pk")
                    .first()
                )
                if task is None:
                    break
                user, values = scripted(task, case, people)
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    complete_task(task, user, values)
                per_step.append(len(queries))
    return time.process_time() - started - worker_cpu, per_step, worker_cpu, worker_queries


def _run_queued(queued, cpu, queries):
    from workflows import jobs

    while queued:
        started = time.process_time()
        with CaptureQueriesContext(connection) as captured:
            jobs.announce_task(queued.pop(0))
        cpu += time.process_time() - started
        queries += len(captured)
    return cpu, queries


def add_background(spec, people, total):
    """Insert ``total`` finished cases with five done tasks each, in bulk."""
    from viewflow.workflow.models import Process, Task

    from workflows.flows.case_flow import CaseFlow
    from workflows.models import Case

    template = Case.objects.filter(specification=spec).order_by("pk").first()
    now = timezone.now()
    batch = 5000
    nodes = [
        CaseFlow.identity_check,
        CaseFlow.assess_1,
        CaseFlow.test,
        CaseFlow.decision,
        CaseFlow.end,
    ]
    for offset in range(0, total, batch):
        size = min(batch, total - offset)
        with transaction.atomic():
            processes = Process.objects.bulk_create(
                [Process(flow_class=CaseFlow, status="DONE", finished=now) for _ in range(size)]
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO workflows_case (process_ptr_id, candidate_id, specification_id, "
                    "pipeline_version_id, plan, cursor, results, outcome, recognised_outcomes, "
                    "statement_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            p.pk,
                            people["candidate"].pk,
                            spec.pk,
                            template.pipeline_version_id,
                            json.dumps(template.plan),
                            4,
                            "{}",
                            "full",
                            "[]",
                            str(uuid.uuid4()),
                        )
                        for p in processes
                    ],
                )
            Task.objects.bulk_create(
                [
                    Task(
                        process=p,
                        flow_task=node,
                        flow_task_type="HUMAN",
                        status="DONE",
                        owner=people["assessor"],
                        finished=now,
                        data={},
                    )
                    for p in processes
                    for node in nodes
                ]
            )


def grow_pools(spec, total):
    """Put people in every pool until each has ``total`` extra members."""
    from guardian.shortcuts import assign_perm

    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user

    for role, perm in [
        (Role.IDENTITY_OFFICER, "credentials.verify_identity"),
        (Role.ASSESSOR, "credentials.assess"),
        (Role.DECISION_MAKER, "credentials.decide"),
    ]:
        for n in range(total):
            user, created = ensure_user(
                f"extra-{role.value}-{n}@bench.local", full_name=f"extra {n}", roles=[role]
            )
            if created:
                assign_perm(perm, user, spec)


def report(label, driven):
    seconds, per_step, worker_cpu, worker_queries = driven
    per_step_sorted = sorted(per_step)
    steps = len(per_step)
    print(
        f"{label:<34} {steps / seconds:8.1f} steps per CPU-second   queries per step: "
        f"mean {sum(per_step) / steps:5.1f}  max {per_step_sorted[-1]:3d}  "
        f"min {per_step_sorted[0]:3d}   worker: {worker_queries / steps:4.1f} queries and "
        f"{1000 * worker_cpu / steps:5.1f} ms CPU per step"
    )
    return sum(per_step) / len(per_step), per_step_sorted[-1]


def main():
    from viewflow.workflow.models import Task

    from workflows.models import Case

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    spec, people = setup_world()
    empty = report(f"{CASES} cases, empty database", drive(spec, people, CASES))
    by_pool = []
    for extra in POOL_SIZES:
        grow_pools(spec, extra)
        by_pool.append(
            report(f"{SAMPLE} cases, {extra} extra per pool", drive(spec, people, SAMPLE))
        )
    first_mean, first_max = by_pool[0]
    grows = any(mean > first_mean + 0.5 or top > first_max for mean, top in by_pool[1:])
    verdict = "GROWS" if grows else "constant"
    print(f"queries per step with the pool size: {verdict} ({by_pool})")
    started = time.perf_counter()
    add_background(spec, people, BACKGROUND)
    print(
        f"added {BACKGROUND} finished cases in {time.perf_counter() - started:.1f}s "
        f"(now {Case.objects.count()} cases, {Task.objects.count()} tasks)"
    )
    full = report(f"{SAMPLE} cases, {BACKGROUND} already there", drive(spec, people, SAMPLE))
    verdict = "constant" if full[1] <= empty[1] else "GROWS"
    print(f"queries per step with the data: {verdict} (max {empty[1]} -> {full[1]})")


if __name__ == "__main__":
    main()
