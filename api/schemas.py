"""What goes in and out of the API (pydantic, through ninja), and the one pagination style."""

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Schema
from pydantic import AfterValidator, StringConstraints

T = TypeVar("T")

MAX_ID = 2_147_483_647


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_no_nul),
]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Slug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)]


# Pagination: every list takes limit and offset and answers count, next, previous, results.


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=100, description=_("How many results (1 to 100)."))
    offset: int = Field(0, ge=0, le=1_000_000, description=_("How many results to skip."))


class Page(Schema, Generic[T]):
    count: int
    next: str | None
    previous: str | None
    results: list[T]


def paginate(request, rows, page: PageParams, serialize=lambda row: row) -> dict:
    """One page of ``rows`` (a queryset, or a list already loaded) with links to its neighbours."""
    count = len(rows) if isinstance(rows, list) else rows.count()
    rows = list(rows[page.offset : page.offset + page.limit])

    def link(offset):
        query = request.GET.copy()
        query["limit"], query["offset"] = page.limit, offset
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    has_next = page.offset + page.limit < count
    return {
        "count": count,
        "next": link(page.offset + page.limit) if has_next else None,
        "previous": link(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        "results": [serialize(row) for row in rows],
    }


# Catalogue -------------------------------------------------------------------------------------


class CatalogueFilters(PageParams):
    q: Text = Field("", max_length=200, description=_("Words in the title or description."))
    eqf_level: int | None = Field(None, ge=1, le=8, description=_("EQF level, 1 to 8."))
    field_of_study: Text = Field(
        "", max_length=2, description=_("ISCED-F broad field code, e.g. 06 for ICT.")
    )


class Organisation(Schema):
    name: str
    country: str
    website: str


class SpecificationSummary(Schema):
    slug: str
    title: str
    description: str
    eqf_level: int | None
    field_of_study: str
    workload_ects: float | None
    workload_hours: int | None
    awarding_body: Organisation | None
    url: str


class Outcome(Schema):
    id: int
    position: int
    statement: str
    criteria: list[str]
    esco_uri: str


class SpecificationDetail(SpecificationSummary):
    prk_level: int | None
    assessment_type: str
    participation_form: str
    supervision: str
    prerequisites: str
    validity_months: int | None
    outcomes: list[Outcome]


# Cases -----------------------------------------------------------------------------------------


class CaseFilters(PageParams):
    status: Literal["draft", "submitted", "more_evidence", "withdrawn"] | None = Field(
        None, description=_("Only applications in this status.")
    )
    specification: Text = Field("", max_length=50, description=_("Only this specification."))


class CaseCreate(Schema):
    specification: Text = Field(max_length=50, description=_("The specification's slug."))


class SpecificationRef(Schema):
    slug: str
    title: str


class Process(Schema):
    status: Literal["NEW", "DONE", "CANCELED"]
    outcome: str
    current_step: str | None
    started_at: datetime
    finished_at: datetime | None


class Case(Schema):
    id: int
    specification: SpecificationRef
    candidate_name: str
    status: str
    round: int
    created_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    process: Process | None


class EvidenceItem(Schema):
    id: int
    kind: str
    title: str
    round: int
    date: date | None
    context: str
    url: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    outcomes: list[int]
    submitted: bool
    created_at: datetime


class TimelineStep(Schema):
    title: str
    kind: str
    holder: str
    state: Literal["done", "current", "upcoming", "skipped", "cancelled"]
    state_label: str
    deadline: datetime | None
    todo: str


class Timeline(Schema):
    next_action: str
    steps: list[TimelineStep]


# Tasks -----------------------------------------------------------------------------------------


class TaskFilters(PageParams):
    state: Literal["assigned", "claimable"] | None = Field(
        None, description=_("Only the tasks you hold, or only those you may take.")
    )


class TaskStep(Schema):
    id: str
    kind: str


class Task(Schema):
    id: int
    case: int = Field(description=_("The case's number, as on the work pages."))
    specification: SpecificationRef
    node: str = Field(description=_("The kind of task, e.g. assess_1, identity_check, decision."))
    title: str
    step: TaskStep
    state: Literal["assigned", "claimable"]
    created_at: datetime
    due: datetime | None
    overdue: bool


class Choice(Schema):
    value: str
    label: str


class FormField(Schema):
    name: str
    label: str
    type: Literal["text", "integer", "number", "boolean", "choice", "multiple_choice"]
    required: bool
    help: str
    choices: list[Choice]


class PortfolioOutcome(Schema):
    id: int
    position: int
    statement: str
    confidence: int | None
    narrative: str


class PortfolioItem(Schema):
    id: int
    round: int
    kind: str
    title: str
    date: str | None
    context: str
    outcomes: list[int]
    file_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    url: str | None = None
    statement: str | None = None
    witness: dict[str, str] | None = None
    download: str | None = Field(None, description=_("Where to download the file, if it is one."))


class Portfolio(Schema):
    round: int
    digest: str
    submitted_at: datetime
    outcomes: list[PortfolioOutcome]
    items: list[PortfolioItem]


class RecordedScore(Schema):
    outcome: int | None
    position: int | None
    score: int
    rules: dict[str, bool] | None
    comment: str


class Fact(Schema):
    label: str
    value: str


class RecordedResult(Schema):
    step: str
    role: str
    role_label: str
    recorded_at: datetime
    scores: list[RecordedScore]
    facts: list[Fact]


class TaskDetail(Task):
    declared: bool = Field(
        description=_("Whether you declared no conflict of interest: needed before recording.")
    )
    portfolio: Portfolio | None = Field(
        description=_("The evidence as submitted (after the declaration), as the page shows it.")
    )
    results: list[RecordedResult] = Field(
        description=_(
            "What was recorded in the case before, that you may see (after the declaration): "
            "never a blind co-marker's sheet or another panel member's vote."
        )
    )
    fields: list[FormField] = Field(
        description=_("What the result asks for, as the task's page does (after the declaration).")
    )


class Declaration(Schema):
    conflict: bool = Field(description=_("Whether you have a conflict of interest in the case."))
    reason: Text = Field("", max_length=1000, description=_("What the conflict is, if any."))


FieldValue = (
    bool
    | int
    | float
    | Annotated[str, StringConstraints(max_length=20_000)]
    | list[Annotated[str, StringConstraints(max_length=200)]]
)


class TaskResult(Schema):
    data: dict[Annotated[str, StringConstraints(max_length=100)], FieldValue] = Field(
        description=_("A value for each field of the task, by the field's name.")
    )


class TaskRecorded(Schema):
    task: int
    case: int
    status: Literal["DONE"]


# Credentials -----------------------------------------------------------------------------------


class CredentialFilters(PageParams):
    state: Literal["active", "suspended", "revoked"] | None = None
    specification: Text = Field("", max_length=50, description=_("Only this specification."))


class Credential(Schema):
    id: UUID
    specification: SpecificationRef
    awarding_body: str
    learner_name: str
    issued_at: datetime
    valid_until: datetime | None
    state: Literal["active", "suspended", "revoked"]
    state_reason: str
    expired: bool
    verification_url: str


class StatusChange(Schema):
    action: Literal["suspend", "reinstate", "revoke"]
    reason: Reason = Field(description=_("Why: the learner receives it by e-mail."))


class VerifyIn(Schema):
    credential: dict[str, Any] | Text = Field(
        description=_("A JSON-LD credential (an object) or a VC-JWT (a string).")
    )


class Check(Schema):
    name: str
    ok: bool
    message: str


class Verification(Schema):
    valid: bool
    form: str
    revoked: bool
    suspended: bool
    expired: bool
    checks: list[Check]


class StatusListFilters(PageParams):
    purpose: Literal["revocation", "suspension", "message"] | None = None


class StatusListRef(Schema):
    organisation: int
    purpose: Literal["revocation", "suspension", "message"]
    number: int
    url: str
    updated_at: datetime
