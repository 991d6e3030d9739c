"""Demo cases waiting at every kind of step, so that each demo persona finds work: real
applications with evidence (a rendered PDF, a screenshot, a link, a statement), driven through the
engine as the task pages would. Safe to run again: a candidate's demo application is made once."""

import io

from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from credentials.catalogue.models import Specification
from evidence.models import Application, EvidenceItem
from evidence.portfolio import services as evidence
from evidence.uploads import services as uploads
from rpl.accounts.roles import Role
from workflows.cases import applications
from workflows.demo.engine import decider_for_seat, sheet_fields
from workflows.models import Case
from workflows.work.duties import DECISION_NODES
from workflows.work.services import complete_task

# (candidate index, specification, the step the case waits at, scores that lead there)
WAITING = [
    (0, "python-basics", "portfolio", {}),
    (1, "agile-project-management", "identity", {}),
    (0, "mig-mag-welding", "practical", {}),
    (1, "python-basics", "knowledge-test", {"portfolio": 4}),
    (2, "agile-project-management", "interview", {"portfolio": (2, 3)}),
    (2, "mig-mag-welding", "theory", {"practical": 5}),
    (0, "agile-project-management", "panel", {"portfolio": 4}),
]


def _pdf(title: str, body: str) -> bytes:
    from weasyprint import HTML

    html = f"<h1>{title}</h1><p>{body}</p>"
    return HTML(string=html).write_pdf()


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 270), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 470, 260), outline="navy", width=4)
    draw.text((30, 30), "def report(rows):\n    return sum(r.total for r in rows)", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _build_application(candidate, specification) -> Application:
    application = evidence.start_application(candidate=candidate, specification=specification)
    outcomes = list(specification.outcomes.order_by("position"))
    evidence.save_self_assessment(
        application,
        actor=candidate,
        answers={
            o.pk: (3, "I do this every week at work; the attached evidence shows how.")
            for o in outcomes
        },
    )
    pdf = uploads.add_file(
        application,
        actor=candidate,
        source=io.BytesIO(
            _pdf(
                f"Certificate of completion: {specification.title}",
                "Issued by a training provider to the candidate after a 40-hour course.",
            )
        ),
        name="certificate.pdf",
    )
    png = uploads.add_file(application, actor=candidate, source=io.BytesIO(_png()), name="work.png")
    for item in (pdf, png):
        evidence.update_item(
            item,
            actor=candidate,
            outcomes=outcomes,
            title=item.display_name,
            context="From my current job.",
        )
    evidence.add_item(
        application,
        actor=candidate,
        kind=EvidenceItem.Kind.STATEMENT,
        outcomes=outcomes,
        title="How I learned it",
        statement="Three years of daily work in a team, with a mentor for the first year.",
    )
    evidence.add_item(
        application,
        actor=candidate,
        kind=EvidenceItem.Kind.LINK,
        outcomes=outcomes[:1],
        title="Public portfolio",
        url="https://example.org/portfolio",
    )
    return application


def _person(node: str, staff: dict, turn: int):
    if node == "identity_check":
        return staff[Role.IDENTITY_OFFICER][0]
    if node in DECISION_NODES:
        return decider_for_seat(node, staff[Role.DECISION_MAKER])
    assessors = staff[Role.ASSESSOR]
    return assessors[turn % len(assessors)]


def _values(case, node: str, scores: dict, turn: int) -> dict:
    """The fields of the task's form: passing results, or the ``scores`` that lead to a step."""
    step = case.current_step
    if node == "identity_check":
        return {"method": step.method, "verified": "yes", "note": "Demo: identity confirmed."}
    if node == "test":
        return {"score_percent": float(scores.get(step.id, 85.0))}
    value = scores.get(step.id, 4)
    if isinstance(value, tuple):
        value = value[turn % len(value)]
    return sheet_fields(case, value)


def _drive_until(case: Case, step_id: str, staff: dict, scores: dict) -> None:
    for _ in range(20):
        case.refresh_from_db()
        if case.current_step is None or case.current_step.id == step_id:
            return
        tasks = list(
            Task.objects.filter(process=case, flow_task_type="HUMAN")
            .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
            .order_by("pk")
        )
        if not tasks:
            return
        for turn, task in enumerate(tasks):
            node = task.flow_task.name
            complete_task(task, _person(node, staff, turn), _values(case, node, scores, turn))


def seed_waiting_cases(users) -> int:
    """Start the waiting demo cases; returns how many exist."""
    staff: dict = {}
    for user in users:
        for role in user.roles:
            staff.setdefault(role, []).append(user)
    candidates = staff.get(Role.CANDIDATE, [])[1:]  # the first one holds the issued credentials
    needed = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)
    if len(candidates) < 3 or any(role not in staff for role in needed):
        return 0
    count = 0
    for index, slug, step_id, scores in WAITING:
        candidate = candidates[index]
        specification = Specification.objects.filter(slug=slug).first()
        if specification is None:
            continue
        count += 1
        if Application.objects.filter(candidate=candidate, specification=specification).exists():
            continue
        with transaction.atomic():
            application = _build_application(candidate, specification)
            applications.submit_application(application, candidate)
            _drive_until(Case.objects.get(application=application), step_id, staff, scores)
    return count
