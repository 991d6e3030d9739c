"""PDF benchmark (issue 17): the certificate, the statement of recognised outcomes and the quality
dossier of a 20-task case, against a one-page WeasyPrint document rendered in the same run; and
the first certificate download of a freshly started process.

    .venv/bin/python bench/pdf.py                  # SQLite, in a temporary file
    REPEAT=21 .venv/bin/python bench/pdf.py

Drives one case through the engine to a partial recognition (its statement is measured), issues a
credential of the same specification (its certificate is measured), then gives the case 17 more
assessment rounds with their tasks and audit events, so that its dossier covers 20 tasks.

Prints, for each document, the median CPU milliseconds over REPEAT interleaved rounds (default
11; printing is single-threaded, and CPU time is what the machine's load moves least), the spread
(min-max) and the median ratio to the anchor; then counts that load cannot move: pages, bytes and
the lines Pango laid out (``split_first_line`` calls) per document. Last, in a fresh process each,
the wall time of the first certificate download: through the WSGI application (``config.wsgi``,
which warms WeasyPrint and the URLconf at start-up), and through ``django.setup()`` alone.
Figures, not a test.
"""

import io
import os
import statistics
import subprocess
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

REPEAT = int(os.environ.get("REPEAT", "11"))
EXTRA_ROUNDS = 17  # the driven case has 3 tasks
ANCHOR = (
    "<h1>Anchor</h1><p>A one-page document: a heading, a paragraph and a small table.</p>"
    "<table><tr><th>Name</th><td>Value</td></tr><tr><th>Other</th><td>Value</td></tr></table>"
)


def setup_world():
    from django.core.management import call_command

    from credentials.catalogue.demo import seed_specifications
    from credentials.catalogue.models import Specification
    from credentials.issuing import keys
    from credentials.issuing import services as issuing_services
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user
    from workflows.demo.engine import seed_engine

    call_command("migrate", verbosity=0)
    seed_specifications()
    people = {
        role: ensure_user(f"{role}@bench.local", full_name=name, roles=[role], password="x")[0]
        for role, name in [
            (Role.ASSESSOR, "Ada Assessor"),
            (Role.IDENTITY_OFFICER, "Ian Identity"),
            (Role.DECISION_MAKER, "Dan Decider"),
            (Role.CANDIDATE, "Bench Learner"),
        ]
    }
    seed_engine([people[Role.ASSESSOR], people[Role.IDENTITY_OFFICER], people[Role.DECISION_MAKER]])
    spec = Specification.objects.get(slug="python-basics")
    keys.ensure_key(spec.awarding_body)
    credential = issuing_services.issue_credential(
        learner=people[Role.CANDIDATE], specification=spec
    )
    case = drive_partial_case(spec, people)
    add_rounds(case, EXTRA_ROUNDS)
    return credential, case


def drive_partial_case(spec, people):
    from viewflow.workflow.models import Task

    from evidence.models import Application
    from rpl.accounts.roles import Role
    from workflows.cases import services as case_services
    from workflows.demo.engine import sheet_fields
    from workflows.work.services import complete_task

    candidate = people[Role.CANDIDATE]
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.application = Application.objects.create(
        candidate=candidate, specification=spec, status=Application.Status.SUBMITTED
    )
    case.save(update_fields=["application"])
    outcomes = list(spec.outcomes.order_by("position"))
    scripted = {
        "assess_1": (people[Role.ASSESSOR], lambda: sheet_fields(case, 3)),
        "test": (people[Role.ASSESSOR], lambda: {"score_percent": 70.0}),
        "decision": (
            people[Role.DECISION_MAKER],
            lambda: {
                "outcome": "partial",
                "recognised_outcomes": [str(o.pk) for o in outcomes[:3]],
                "reasons": "Outcomes 4 and 5 are not shown by the evidence.",
            },
        ),
    }
    while task := Task.objects.filter(process=case, flow_task_type="HUMAN", status="NEW").first():
        user, values = scripted[task.flow_task.name]
        complete_task(task, user, values())
    case.refresh_from_db()
    return case


def add_rounds(case, rounds):
    """Copies of the case's assessment as further rounds, each with its task and audit event."""
    from rpl.audit import services as audit
    from workflows.models import StepResult

    first = StepResult.objects.filter(case=case, role=StepResult.Role.ASSESSOR).first()
    for number in range(2, rounds + 2):
        task = first.task
        task.pk = task.id = None
        task.save()
        result = StepResult.objects.get(pk=first.pk)
        result.pk = None
        result.task = task
        result.data = {**result.data, "round": number}
        result.save()
        audit.record(
            actor=result.actor,
            action="case.step_recorded",
            target=case,
            changes={"step": result.step_id, "round": number},
        )


def timed(render, clock=time.perf_counter):
    started = clock()
    data = render()
    return clock() - started, data


def line_breaks(render) -> int:
    """How many lines Pango laid out for one document (the modules that call it by name)."""
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    modules = (line_break, inline, preferred)
    original, calls = line_break.split_first_line, [0]

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    for module in modules:
        module.split_first_line = counted
    try:
        render()
    finally:
        for module in modules:
            module.split_first_line = original
    return calls[0]


def first_download(public_id: str, warm: bool) -> None:
    """In this fresh process: start as a web process does, then download one certificate."""
    started = time.perf_counter()
    if warm:
        from config.wsgi import application  # noqa: F401 - warms WeasyPrint, as gunicorn would
    else:
        import django

        django.setup()
    ready = time.perf_counter() - started
    from django.test import Client

    from credentials.issuing.models import IssuedCredential

    credential = IssuedCredential.objects.select_related("learner").get(public_id=public_id)
    client = Client()
    client.force_login(credential.learner)
    seconds, response = timed(lambda: client.get(f"/credentials/{public_id}/download/pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    label = "with start-up warm-up" if warm else "without warm-up      "
    print(f"first download, {label}  {seconds * 1000:7.0f} ms   (start-up {ready * 1000:5.0f} ms)")


def main():
    import django

    django.setup()
    import pikepdf
    from django.conf import settings
    from weasyprint import HTML

    from credentials.issuing import certificate
    from quality.audits import dossier
    from workflows.cases import recognition_statement
    from workflows.models import StepResult

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]}, {REPEAT} interleaved rounds")
    credential, case = setup_world()
    tasks = StepResult.objects.filter(case=case).count()
    statement = recognition_statement.statement_of(case)
    documents = {
        "anchor (one-page document)": lambda: HTML(string=ANCHOR, base_url=None).write_pdf(),
        "certificate (2 pages)": lambda: certificate.render_pdf(credential),
        "statement": lambda: recognition_statement.render_pdf(statement),
        f"dossier ({tasks} tasks)": lambda: dossier.render_pdf(dossier.build(case.pk)),
    }
    for render in documents.values():  # the first of each pays for imports and fonts
        render()
    times = {label: [] for label in documents}
    for _ in range(REPEAT):
        for label, render in documents.items():
            times[label].append(timed(render, time.process_time)[0])
    anchor = times["anchor (one-page document)"]
    for label, render in documents.items():
        values = times[label]
        ratios = [v / a for v, a in zip(values, anchor, strict=True)]
        pdf = render()
        print(
            f"{label:<28} {statistics.median(values) * 1000:7.1f} ms  "
            f"({min(values) * 1000:6.1f}-{max(values) * 1000:6.1f})  "
            f"x{statistics.median(ratios):5.1f} anchor ({min(ratios):4.1f}-{max(ratios):4.1f})   "
            f"{len(pikepdf.open(io.BytesIO(pdf)).pages):>2} pages "
            f"{len(pdf):>7,} bytes  {line_breaks(render):>5} line breaks"
        )
    for warm in (True, False):
        subprocess.run(
            [sys.executable, __file__, "--first-download", str(credential.public_id), str(warm)],
            check=True,
            env=os.environ,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--first-download"]:
        first_download(sys.argv[2], sys.argv[3] == "True")
    else:
        main()
