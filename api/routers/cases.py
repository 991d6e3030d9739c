"""Cases as the candidate sees them: an application (created here, then filled with evidence and
submitted) and, once submitted, the engine's case. The id is the application's, as in the pages
(``/applications/<id>/case/``). Candidates read and write their own; staff read the cases
``workflows.cases.selectors.cases_visible_to`` gives them.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, UploadedFile
from ninja.responses import Status

from api import schemas
from api.models import Scope
from api.problems import ApiProblem, responses
from credentials.catalogue.models import Specification
from credentials.catalogue.selectors import get_published_specification
from evidence.models import Application
from evidence.portfolio import selectors as evidence_selectors
from evidence.portfolio import services as evidence_services
from evidence.uploads import services as upload_services
from rpl.accounts.roles import Role
from workflows.cases.applications import case_timeline, next_action, submit_application
from workflows.cases.selectors import cases_visible_to

router = Router(tags=["cases"])

READERS = tuple(Role)


def _visible(user):
    own = Q(candidate=user) if user.has_role(Role.CANDIDATE) else Q(pk__in=[])
    return (
        Application.objects.filter(own | Q(case__in=cases_visible_to(user)))
        .select_related("specification", "candidate", "case")
        .order_by("-created_at", "-pk")
    )


def _readable(request, case_id) -> Application:
    request.auth.require(Scope.CASES_READ, *READERS)
    return _visible(request.auth.user).get(pk=case_id)


def _own(request, case_id) -> Application:
    request.auth.require(Scope.CASES_WRITE, Role.CANDIDATE)
    return evidence_selectors.application_of(request.auth.user, case_id)


def _case_of(application):
    return getattr(application, "case", None)


def _serialize(application) -> dict:
    case = _case_of(application)
    process = None
    if case is not None:
        step = case.current_step
        process = {
            "status": case.status,
            "outcome": case.outcome,
            "current_step": step.id if step is not None and case.status == "NEW" else None,
            "started_at": case.created,
            "finished_at": case.finished,
        }
    return {
        "id": application.pk,
        "specification": {
            "slug": application.specification.slug,
            "title": application.specification.title,
        },
        "candidate_name": application.candidate.get_full_name(),
        "status": application.status,
        "round": application.round,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "withdrawn_at": application.withdrawn_at,
        "process": process,
    }


@router.get(
    "/",
    response=schemas.Page[schemas.Case],
    summary=_("Cases you may read"),
    description=_(
        "Candidates: their own. Assessors, identity officers and decision makers: the cases of "
        "the micro-credentials whose pool they are in. Quality officers and administrators: all."
    ),
)
def list_cases(request, filters: Query[schemas.CaseFilters]):
    request.auth.require(Scope.CASES_READ, *READERS)
    found = _visible(request.auth.user)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.specification:
        found = found.filter(specification__slug=filters.specification)
    return schemas.paginate(request, found, filters, _serialize)


@router.post(
    "/",
    response={201: schemas.Case},
    summary=_("Start a case (an application) for a published micro-credential"),
    description=_("Gives back the open application if there already is one."),
    openapi_extra=responses(409),
)
def create_case(request, body: schemas.CaseCreate):
    request.auth.require(Scope.CASES_WRITE, Role.CANDIDATE)
    try:
        spec = get_published_specification(slug=body.specification)
    except Specification.DoesNotExist as error:
        raise ApiProblem(
            422,
            "unknown-specification",
            _("There is no published micro-credential with this slug."),
        ) from error
    application = evidence_services.start_application(
        candidate=request.auth.user, specification=spec
    )
    return Status(201, _serialize(_visible(request.auth.user).get(pk=application.pk)))


@router.get("/{case_id}", response=schemas.Case, summary=_("One case"))
def get_case(request, case_id: schemas.Id):
    return _serialize(_readable(request, case_id))


@router.get("/{case_id}/timeline", response=schemas.Timeline, summary=_("A case's timeline"))
def get_timeline(request, case_id: schemas.Id):
    application = _readable(request, case_id)
    case = _case_of(application)
    steps = case_timeline(case) if case is not None else []
    return {
        "next_action": next_action(application, case),
        "steps": [
            {
                "title": step.title,
                "kind": step.kind_label,
                "holder": step.holder,
                "state": step.state,
                "state_label": str(step.state_label),
                "deadline": step.deadline,
                "todo": step.todo,
            }
            for step in steps
        ],
    }


def _item(item) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "round": item.round,
        "date": item.date,
        "context": item.context,
        "url": item.url,
        "file_name": item.display_name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "outcomes": [link.outcome_id for link in item.mapping.all()],
        "submitted": item.frozen,
        "created_at": item.created_at,
    }


@router.get(
    "/{case_id}/evidence",
    response=schemas.Page[schemas.EvidenceItem],
    summary=_("Your evidence in a case"),
)
def list_evidence(request, case_id: schemas.Id, page: Query[schemas.PageParams]):
    request.auth.require(Scope.CASES_READ, Role.CANDIDATE)
    application = evidence_selectors.application_of(request.auth.user, case_id)
    return schemas.paginate(request, evidence_selectors.items_of(application), page, _item)


@router.post(
    "/{case_id}/evidence",
    response={201: schemas.EvidenceItem},
    summary=_("Upload a file as evidence"),
    description=_(
        "multipart/form-data with one part named file. The type is read from the content, "
        "never from the name; the size per file and per application is limited."
    ),
    openapi_extra=responses(409, 413, 415),
)
def upload_evidence(request, case_id: schemas.Id, file: File[UploadedFile]):
    application = _own(request, case_id)
    item = upload_services.add_file(
        application, actor=request.auth.user, source=file, name=file.name or "", size=file.size
    )
    return Status(201, _item(item))


@router.post(
    "/{case_id}/submit",
    response=schemas.Case,
    summary=_("Submit the case for assessment"),
    description=_("Freezes the evidence of this round; the first submission starts the case."),
    openapi_extra=responses(409),
)
def submit_case(request, case_id: schemas.Id):
    application = _own(request, case_id)
    submit_application(application, request.auth.user)
    return _serialize(_visible(request.auth.user).get(pk=application.pk))
