"""Quality-assurance benchmark: time and queries of the dashboard and a case dossier, on a small
and a large database, to show that the query count does not grow with the data.

    .venv/bin/python bench/qa.py                          # SQLite, in a temporary file
    .venv/bin/python bench/qa.py --cases 10000            # a quicker run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_bench .venv/bin/python bench/qa.py

Drives one case through the engine to a full recognition (its credential is issued: that is the
dossier measured), then inserts decided cases in bulk (not through the engine): each double-marked
on the agile-project-management pipeline by two of the assessors (five learning outcomes, so ten
scores per case) and decided by a decision maker, with their tasks, step results and reporting
rows. It measures after --small cases and again after --cases (default 100,000 cases, 1,000,000
scores). Prints figures; it is not a test.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from workflows.demo.engine import sheet_fields  # noqa: E402
from workflows.work.services import complete_task  # noqa: E402

ASSESSORS = 20
BATCH = 5000
LENIENT = 0  # index of the assessor who scores one point higher than the others


def setup_world():
    from credentials.catalogue.demo import seed_specifications
    from credentials.catalogue.models import Specification
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user
    from workflows.demo.engine import seed_engine

    call_command("migrate", verbosity=0)
    seed_specifications()
    people = {
        "assessors": [
            ensure_user(
                f"assessor{i}@bench.local",
                full_name=f"Assessor {i}",
                roles=[Role.ASSESSOR],
                password="x",
            )[0]
            for i in range(ASSESSORS)
        ],
        "identity": ensure_user(
            "identity@bench.local",
            full_name="Identity",
            roles=[Role.IDENTITY_OFFICER],
            password="x",
        )[0],
        "decider": ensure_user(
            "decider@bench.local", full_name="Decider", roles=[Role.DECISION_MAKER], password="x"
        )[0],
        "quality": ensure_user(
            "quality@bench.local", full_name="Quality", roles=[Role.QUALITY_OFFICER], password="x"
        )[0],
        "candidate": ensure_user(
            "candidate@bench.local", full_name="Candidate", roles=[Role.CANDIDATE], password="x"
        )[0],
    }
    seed_engine([*people["assessors"], people["identity"], people["decider"]])
    return (
        Specification.objects.get(slug="python-basics"),
        Specification.objects.get(slug="agile-project-management"),
        people,
    )


def drive_one_case(spec, people):
    """One real case through the engine (portfolio, test, decision): the dossier measured."""
    from viewflow.workflow.models import Task

    from workflows.cases import services as case_services

    first = spec.outcomes.order_by("position").first()
    case = case_services.start_case(candidate=people["candidate"], specification=spec)
    scripted = {
        "assess_1": (
            people["assessors"][1],
            sheet_fields(case, 3) | {f"comment_{first.pk}": "Good evidence."},
        ),
        "test": (people["assessors"][1], {"score_percent": 85.0}),
        "decision": (
            people["decider"],
            {"outcome": "full", "reasons": "Evidence and test suffice."},
        ),
    }
    while task := Task.objects.filter(process=case, flow_task_type="HUMAN", status="NEW").first():
        user, values = scripted[task.flow_task.name]
        complete_task(task, user, values)
    return case


def add_decided_cases(spec, people, total, rng):
    """Insert ``total`` decided, double-marked cases with their tasks, results and scores."""
    from viewflow.workflow.models import Process, Task

    from quality.models import Score
    from workflows.flows.case_flow import CaseFlow
    from workflows.models import PipelineVersion, StepResult

    version = PipelineVersion.objects.get(pipeline__key="agile-pm", status="published")
    plan = json.dumps(version.definition)
    outcomes = list(spec.outcomes.values_list("pk", flat=True))
    assessors = people["assessors"]
    now = timezone.now()
    for offset in range(0, total, BATCH):
        size = min(BATCH, total - offset)
        with transaction.atomic():
            starts = [now - timedelta(days=rng.uniform(5, 300)) for _ in range(size)]
            ends = [start + timedelta(days=rng.uniform(1, 60)) for start in starts]
            ends = [min(end, now) for end in ends]
            processes = Process.objects.bulk_create(
                [
                    Process(flow_class=CaseFlow, status="DONE", created=s, finished=e)
                    for s, e in zip(starts, ends, strict=True)
                ]
            )
            outcome_of = [rng.choice(["full", "full", "partial", "none"]) for _ in processes]
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO workflows_case (process_ptr_id, candidate_id, specification_id, "
                    "pipeline_version_id, plan, cursor, results, outcome, recognised_outcomes) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (p.pk, people["candidate"].pk, spec.pk, version.pk, plan, 3, "{}", o, "[]")
                        for p, o in zip(processes, outcome_of, strict=True)
                    ],
                )
            markers = [rng.sample(range(len(assessors)), 2) for _ in processes]
            tasks = Task.objects.bulk_create(
                [
                    Task(
                        process=p,
                        flow_task=node,
                        flow_task_type="HUMAN",
                        status="DONE",
                        owner=owner,
                        created=p.created,
                        finished=p.finished,
                        data={"step": step, "round": 1},
                    )
                    for p, pair in zip(processes, markers, strict=True)
                    for node, step, owner in (
                        (CaseFlow.assess_1, "portfolio", assessors[pair[0]]),
                        (CaseFlow.assess_2, "portfolio", assessors[pair[1]]),
                        (CaseFlow.decision, "panel", people["decider"]),
                    )
                ]
            )
            results, scores = [], []
            for i, (p, pair) in enumerate(zip(processes, markers, strict=True)):
                base = {o: rng.randint(1, 3) for o in outcomes}
                for j, who in enumerate(pair):
                    sheet = {
                        o: min(4, base[o] + (who == LENIENT) + rng.choice([0, 0, 0, 1]))
                        for o in outcomes
                    }
                    results.append(
                        StepResult(
                            case_id=p.pk,
                            step_id="portfolio",
                            role="assessor",
                            task=tasks[3 * i + j],
                            actor=assessors[who],
                            created_at=p.finished,
                            data={"scores": {str(o): v for o, v in sheet.items()}, "round": 1},
                        )
                    )
                    scores.extend(
                        Score(
                            case_id=p.pk,
                            specification=spec,
                            assessor=assessors[who],
                            role="assessor",
                            step_id="portfolio",
                            round=1,
                            outcome_id=o,
                            value=v,
                            rubric_min=0,
                            rubric_max=4,
                            passed=v >= 2.5,
                            recorded_at=p.finished,
                        )
                        for o, v in sheet.items()
                    )
                results.append(
                    StepResult(
                        case_id=p.pk,
                        step_id="panel",
                        role="decision_maker",
                        task=tasks[3 * i + 2],
                        actor=people["decider"],
                        created_at=p.finished,
                        data={"outcome": outcome_of[i], "reasons": "Bulk.", "round": 1},
                    )
                )
            results = StepResult.objects.bulk_create(results)
            by_case = {}
            for result in results:
                if result.role == "assessor":
                    by_case.setdefault(result.case_id, []).append(result)
            k = len(outcomes)
            for n, score in enumerate(scores):
                score.step_result = by_case[score.case_id][(n // k) % 2]
            Score.objects.bulk_create(scores, batch_size=2000)


def measure(client, url, repeat=3):
    """(best seconds, queries) of GET ``url``."""
    best, queries, slowest = None, None, []
    for _ in range(repeat):
        connection.queries_log.clear()  # the log keeps 9,000 queries: counts need it empty
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        best = seconds if best is None else min(best, seconds)
        queries = len(captured)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return best, queries, slowest


def report(label, client, dossier_url):
    from quality.models import Score
    from workflows.models import Case

    cases, scores = Case.objects.count(), Score.objects.count()
    dash = measure(client, "/quality/")
    dossier = measure(client, dossier_url)
    print(
        f"{label:<10} {cases:>9,} cases {scores:>10,} scores   dashboard {dash[0]:7.3f}s "
        f"{dash[1]:3d} queries   dossier {dossier[0]:6.3f}s {dossier[1]:3d} queries"
    )
    for query in dash[2]:
        print(
            f"           slowest dashboard query {float(query['time']):6.3f}s: {query['sql'][:90]}"
        )
    return dash[1], dossier[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="decided cases at full size")
    parser.add_argument("--small", type=int, default=1_000, help="decided cases at small size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    python, agile, people = setup_world()
    case = drive_one_case(python, people)
    client = Client()
    client.force_login(people["quality"])
    dossier_url = f"/quality/cases/{case.pk}/"
    started = time.perf_counter()
    add_decided_cases(agile, people, args.small, rng)
    print(f"inserted {args.small:,} cases in {time.perf_counter() - started:.1f}s")
    small = report("small", client, dossier_url)
    started = time.perf_counter()
    add_decided_cases(agile, people, args.cases - args.small, rng)
    print(f"inserted {args.cases - args.small:,} cases in {time.perf_counter() - started:.1f}s")
    full = report("full", client, dossier_url)
    verdict = "constant" if full == small else "GROWS"
    print(
        f"queries with the data: {verdict} (dashboard {small[0]} -> {full[0]}, "
        f"dossier {small[1]} -> {full[1]})"
    )


if __name__ == "__main__":
    main()
