"""Demo data for the engine: the demo pipelines, which specification each assesses, and pools."""

from django.db import transaction
from guardian.shortcuts import assign_perm
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from credentials.catalogue.models import Specification
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential
from rpl.accounts.roles import Role
from workflows.cases import services as case_services
from workflows.models import Pipeline
from workflows.pipelines.services import install_demo_pipelines
from workflows.staffing import services as staffing
from workflows.staffing.pools import CODENAMES
from workflows.work.duties import DECISION_NODES
from workflows.work.forms import RULES_OF_EVIDENCE
from workflows.work.services import complete_task

SPECIFICATION_PIPELINES = {
    "python-basics": "python-basics",
    "agile-project-management": "agile-pm",
    "mig-mag-welding": "welding-mig-mag",
}
POOL_PERMISSION = {role: f"credentials.{codename}" for role, codename in CODENAMES.items()}


@transaction.atomic
def seed_engine(users) -> int:
    """Publish the demo pipelines, link them to the demo specifications and put the demo staff
    in every pool (enough people to staff every path of each pipeline), then open for
    applications those that can be staffed; returns how many specifications are linked. Safe
    to run again."""
    install_demo_pipelines()
    linked = 0
    for slug, key in SPECIFICATION_PIPELINES.items():
        specification = Specification.objects.filter(slug=slug).first()
        if specification is None:
            continue
        case_services.assign_pipeline(
            actor=None, specification=specification, pipeline=Pipeline.objects.get(key=key)
        )
        linked += 1
        for user in users:
            for role in user.roles:
                if role in POOL_PERMISSION:
                    assign_perm(POOL_PERMISSION[role], user, specification)
    staffing.refresh_all()
    return linked


DEMO_CASE_DATA = {
    "identity_check": lambda case: {
        "method": case.current_step.method,
        "verified": "yes",
        "note": "Demo: identity document checked.",
    },
    "test": lambda case: {"score_percent": 88.0},
    "decision": lambda case: {
        "outcome": "full",
        "reasons": "Demo: the evidence shows every learning outcome.",
    },
}
DEMO_STATUS = {"mig-mag-welding": "revoke", "agile-project-management": "suspend"}


def sheet_fields(case, score) -> dict:
    """A score sheet's fields on ``case``: ``score`` for every learning outcome, on evidence that
    meets every rule of evidence."""
    fields = {}
    for outcome in case.specification.outcomes.all():
        fields[f"score_{outcome.pk}"] = score
        fields |= {f"{rule}_{outcome.pk}": True for rule, _label, _help in RULES_OF_EVIDENCE}
    return fields


def decider_for_seat(node: str, deciders: list):
    """Panel seat n (``decision`` is seat 1) goes to the n-th decision maker."""
    seat = 1 if node == "decision" else int(node.rsplit("_", 1)[1])
    return deciders[(seat - 1) % len(deciders)]


def _demo_actor(node: str, staff: dict) -> object:
    if node == "identity_check":
        return staff[Role.IDENTITY_OFFICER][0]
    if node in DECISION_NODES:
        return decider_for_seat(node, staff[Role.DECISION_MAKER])
    assessors = staff[Role.ASSESSOR]
    if node.startswith("assess_"):
        return assessors[(int(node.rsplit("_", 1)[1]) - 1) % len(assessors)]
    return assessors[0]


def _drive_to_full_recognition(case, staff: dict) -> None:
    """Complete every open task of ``case`` with passing results, as the task pages would."""
    for _round in range(30):
        tasks = list(
            Task.objects.filter(process=case, flow_task_type="HUMAN")
            .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
            .order_by("pk")
        )
        if not tasks:
            return
        for task in tasks:
            case.refresh_from_db()
            node = task.flow_task.name
            maker = DEMO_CASE_DATA.get("decision" if node in DECISION_NODES else node)
            values = maker(case) if maker else sheet_fields(case, 4)
            complete_task(task, _demo_actor(node, staff), values)
    raise RuntimeError(f"demo case {case.pk} did not finish")


@transaction.atomic
def seed_demo_credentials(users) -> list:
    """Issue a credential to the demo candidate for each demo specification by running a case
    to full recognition through the engine; then the quality officer revokes the welding one and
    suspends the Agile one. Safe to run again (nothing is issued or changed twice)."""
    staff: dict = {}
    for user in users:
        for role in user.roles:
            staff.setdefault(role, []).append(user)
    candidates = staff.get(Role.CANDIDATE) or []
    needed = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)
    if not candidates or any(role not in staff for role in needed):
        return []
    candidate = candidates[0]
    quality_officer = (staff.get(Role.QUALITY_OFFICER) or [None])[0]
    issued = []
    for slug in SPECIFICATION_PIPELINES:
        specification = Specification.objects.filter(slug=slug).first()
        if specification is None:
            continue
        existing = IssuedCredential.objects.filter(
            learner=candidate, specification=specification
        ).first()
        if existing is not None:
            issued.append(existing)
            continue
        case = case_services.start_case(candidate=candidate, specification=specification)
        _drive_to_full_recognition(case, staff)
        credential = IssuedCredential.objects.filter(case=case).first()
        if credential is None:
            continue
        change = DEMO_STATUS.get(slug)
        if change and quality_officer is not None:
            action = getattr(issuing_services, change)
            credential = action(
                credential,
                actor=quality_officer,
                reason="Demo: "
                + ("the assessment was found irregular." if change == "revoke" else "an appeal."),
            )
        issued.append(credential)
    return issued
