"""Quality-assurance benchmark: time and queries of the dashboard and a case dossier, on a small
and a large database, to show that the query count does not grow with the data.

    .venv/bin/python bench/qa.py                          # SQLite, in a temporary file
    .venv/bin/python bench/qa.py --cases 10000            # a quicker run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_bench .venv/bin/python bench/qa.py

Drives one case through the engine to a full recognition (its credential is issued: that is the
dossier measured), then inserts decided cases in bulk (not through the engine): each double-marked
on the agile-project-management pipeline by two of the assessors (five learning outcomes, so ten
scores per case) and decided by a decision maker, with their tasks, step results and reporting
rows; the dashboard's roll-ups are then rebuilt (``rollups.rebuild``, as ``manage.py quality
rebuild_rollups``) and, on PostgreSQL, the planner statistics refreshed (``ANALYZE``). After --small
cases and again after --cases (default 100,000 cases, 1,000,000 scores) it measures the dossier
and, in --rounds interleaved rounds, the dashboard computed from the raw rows as before the
roll-ups (the anchor) and the dashboard read from the roll-ups: median seconds (min-max), their
ratio, queries, and whether both give the same figures. Prints figures; it is not a test.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from statistics import median
from unittest import mock

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
                    "pipeline_version_id, plan, cursor, results, outcome, recognised_outcomes, "
                    "statement_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            p.pk,
                            people["candidate"].pk,
                            spec.pk,
                            version.pk,
                            plan,
                            3,
                            "{}",
                            o,
                            "[]",
                            uuid.uuid4().hex,
                        )
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
    """(best seconds, queries, slowest queries) of GET ``url``."""
    runs = [measure_once(client, url) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[-1][1], runs[-1][2]


def measure_once(client, url):
    """(seconds, queries, the three slowest queries) of one GET ``url``."""
    connection.queries_log.clear()  # the log keeps 9,000 queries: counts need it empty
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return seconds, len(captured), slowest


def raw_dashboard():
    """The dashboard computed from the raw rows, as it was before the roll-ups: the anchor."""
    from quality import views
    from quality.statistics import figures

    return mock.patch.object(views, "rolled_figures", figures)


def rebuild_rollups():
    from quality.statistics import rollups

    started = time.perf_counter()
    written = rollups.rebuild()
    print(
        f"rebuilt the roll-ups in {time.perf_counter() - started:.1f}s: "
        + ", ".join(f"{n:,} {name}" for name, n in written.items())
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # both pages measured on fresh planner statistics


def _plain(value):
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 3)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return str(value) if hasattr(value, "pk") else value


def same_figures() -> bool:
    """Whether the roll-ups give every assessor and process figure and every step wait the raw
    rows give."""
    from dataclasses import asdict

    from quality.forms import PeriodForm
    from quality.statistics import figures, rolled_figures

    form = PeriodForm({})
    form.is_valid()
    period = form.chosen_period()

    def table(module):
        return [
            [_plain(asdict(row)) for row in module.process_statistics(period)],
            [_plain(asdict(row)) for row in module.assessor_statistics(period)],
            [_plain(row) for row in module.step_waits(period)],
        ]

    return table(figures) == table(rolled_figures)


def compare(label, client, rounds):
    """Raw and roll-up dashboards, interleaved (the order alternates), ``rounds`` times."""
    from quality.models import Score
    from workflows.models import Case

    raw, rolled, ratios = [], [], []
    for n in range(rounds):
        turns = ("raw", "rolled") if n % 2 == 0 else ("rolled", "raw")
        got = {}
        for turn in turns:
            if turn == "raw":
                with raw_dashboard():
                    got[turn] = measure_once(client, "/quality/")
            else:
                got[turn] = measure_once(client, "/quality/")
        raw.append(got["raw"])
        rolled.append(got["rolled"])
        ratios.append(got["rolled"][0] / got["raw"][0])

    def spread(values):
        return f"{median(values):7.3f} ({min(values):.3f}-{max(values):.3f})"

    cases, scores = Case.objects.count(), Score.objects.count()
    print(
        f"{label:<6} {cases:>9,} cases {scores:>10,} scores, {rounds} interleaved rounds, "
        f"median seconds (min-max):"
    )
    print(f"       raw dashboard     {spread([r[0] for r in raw])}  {raw[-1][1]:3d} queries")
    print(f"       roll-up dashboard {spread([r[0] for r in rolled])}  {rolled[-1][1]:3d} queries")
    print(f"       roll-up / raw     {spread(ratios)}")
    for query in rolled[-1][2]:
        print(f"       slowest roll-up query {float(query['time']):6.3f}s: {query['sql'][:80]}")
    print(f"       figures identical: {'yes' if same_figures() else 'NO'}")
    return raw[-1][1], rolled[-1][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="decided cases at full size")
    parser.add_argument("--small", type=int, default=1_000, help="decided cases at small size")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per size")
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
    sizes = {}
    for label, count in (("small", args.small), ("full", args.cases - args.small)):
        started = time.perf_counter()
        add_decided_cases(agile, people, count, rng)
        print(f"inserted {count:,} cases in {time.perf_counter() - started:.1f}s")
        rebuild_rollups()
        dossier = measure(client, dossier_url)
        print(f"       dossier {dossier[0]:6.3f}s {dossier[1]:3d} queries")
        sizes[label] = (*compare(label, client, args.rounds), dossier[1])
    verdict = "constant" if sizes["full"] == sizes["small"] else "GROWS"
    print(
        f"queries with the data (raw, roll-up dashboard, dossier): {verdict} "
        f"({sizes['small']} -> {sizes['full']})"
    )


if __name__ == "__main__":
    main()
