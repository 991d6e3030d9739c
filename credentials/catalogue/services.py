"""Writes to the catalogue. Each one runs in a transaction and records an audit event."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.catalogue.models import MAX_OUTCOMES, LearningOutcome, Organisation, Specification
from credentials.catalogue.selectors import publication_problems
from credentials.catalogue.signals import Contradiction, checking_assessment, publishing
from credentials.catalogue.vocabularies import Status
from rpl.audit import services as audit

ORGANISATION_FIELDS = (
    "name_pl",
    "name_en",
    "country",
    "region_code",
    "region",
    "website",
    "identifier",
)
SPECIFICATION_FIELDS = (
    "slug",
    "title_pl",
    "title_en",
    "description_pl",
    "description_en",
    "field_of_study",
    "eqf_level",
    "prk_level",
    "workload_ects",
    "workload_hours",
    "awarding_body",
    "assessment_type",
    "supervision",
    "participation_form",
    "quality_assurance",
    "quality_assurance_reference",
    "prerequisites_pl",
    "prerequisites_en",
    "grading",
    "stackability",
    "stackable_towards_pl",
    "stackable_towards_en",
    "stackable_towards_url",
    "further_information_pl",
    "further_information_en",
    "validity_months",
    "appeal_window_days",
)
OUTCOME_FIELDS = ("statement_pl", "statement_en", "criteria_pl", "criteria_en", "esco_uri")


class CatalogueError(Exception):
    """A catalogue rule refused the change; ``str(error)`` explains it to the person."""

    def __init__(self, message: str, problems: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class NotPublishable(CatalogueError):
    """The specification lacks mandatory elements; ``problems`` lists them."""


class ContradictsAssessment(NotPublishable):
    """Elements of the specification say otherwise than its assessment pipeline;
    ``contradictions`` names them."""

    def __init__(self, message: str, contradictions: Iterable[Contradiction]):
        self.contradictions = list(contradictions)
        super().__init__(message, [found.message for found in self.contradictions])


class InvalidTransition(CatalogueError):
    pass


@dataclass(frozen=True)
class OutcomeData:
    """One learning outcome as written by an administrator; ``id`` is set for an existing one."""

    statement_pl: str = ""
    statement_en: str = ""
    criteria_pl: str = ""
    criteria_en: str = ""
    esco_uri: str = ""
    id: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "OutcomeData":
        values = {name: (data.get(name) or "").strip() for name in OUTCOME_FIELDS}
        return cls(id=data.get("id"), **values)


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for the audit log."""
    if isinstance(value, Organisation):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(obj, fields: Iterable[str]) -> dict[str, Any]:
    return {
        name: _plain(getattr(obj, f"{name}_id" if name == "awarding_body" else name))
        for name in fields
    }


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    return {name: [before[name], after[name]] for name in after if before[name] != after[name]}


def _apply(obj, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


# Organisations --------------------------------------------------------------------------------


@transaction.atomic
def create_organisation(*, actor, **fields) -> Organisation:
    organisation = Organisation()
    _apply(organisation, fields, ORGANISATION_FIELDS)
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor=actor,
        action="organisation.created",
        target=organisation,
        changes=_snapshot(organisation, ORGANISATION_FIELDS),
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, actor, **fields) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(organisation, ORGANISATION_FIELDS)
    _apply(organisation, fields, ORGANISATION_FIELDS)
    organisation.full_clean()
    changes = _diff(before, _snapshot(organisation, ORGANISATION_FIELDS))
    if changes:
        organisation.save()
        audit.record(
            actor=actor, action="organisation.updated", target=organisation, changes=changes
        )
    return organisation


# Specifications -------------------------------------------------------------------------------


@transaction.atomic
def create_specification(
    *, actor, fields: Mapping[str, Any], outcomes: Iterable[OutcomeData | Mapping] = ()
) -> Specification:
    """Create a draft specification with its learning outcomes, in the order given."""
    specification = Specification(status=Status.DRAFT)
    _apply(specification, fields, SPECIFICATION_FIELDS)
    specification.full_clean()
    specification.save()
    outcome_changes = _replace_outcomes(specification, outcomes)
    audit.record(
        actor=actor,
        action="specification.created",
        target=specification,
        changes={
            "fields": _snapshot(specification, SPECIFICATION_FIELDS),
            "outcomes": outcome_changes,
        },
    )
    return specification


@transaction.atomic
def update_specification(
    specification: Specification,
    *,
    actor,
    fields: Mapping[str, Any],
    outcomes: Iterable[OutcomeData | Mapping] | None = None,
) -> Specification:
    """Change a specification's elements and, when ``outcomes`` is given, make its learning
    outcomes exactly those (matched by ``id``; missing ones are removed, the rest renumbered in
    the order given). A published specification must stay publishable, or nothing changes."""
    specification = Specification.objects.select_for_update().get(pk=specification.pk)
    if "slug" in fields and fields["slug"] != specification.slug and specification.published_at:
        raise CatalogueError(
            _("The address of a specification that has been published cannot change.")
        )
    before = _snapshot(specification, SPECIFICATION_FIELDS)
    _apply(specification, fields, SPECIFICATION_FIELDS)
    specification.full_clean()
    field_changes = _diff(before, _snapshot(specification, SPECIFICATION_FIELDS))
    outcome_changes = _replace_outcomes(specification, outcomes) if outcomes is not None else {}
    if not field_changes and not any(outcome_changes.values()):
        return specification
    if specification.status == Status.PUBLISHED:
        problems = publication_problems(specification)
        if problems:
            raise NotPublishable(
                _("A published specification must keep every mandatory element."), problems
            )
        contradictions = _contradictions(specification)
        if contradictions:
            raise ContradictsAssessment(
                _("A published specification must say how it is assessed as its pipeline does."),
                contradictions,
            )
    specification.version += 1
    specification.save()
    audit.record(
        actor=actor,
        action="specification.updated",
        target=specification,
        changes={
            "version": specification.version,
            "status": specification.status,
            "fields": field_changes,
            "outcomes": outcome_changes,
        },
    )
    return specification


@transaction.atomic
def publish_specification(specification: Specification, *, actor) -> Specification:
    """Make the specification visible in the public catalogue (from draft or retired)."""
    specification = Specification.objects.select_for_update().get(pk=specification.pk)
    if specification.status == Status.PUBLISHED:
        raise InvalidTransition(_("This specification is already published."))
    problems = publication_problems(specification)
    for _receiver, found in publishing.send(sender=Specification, specification=specification):
        problems.extend(found)
    problems.extend(found.message for found in _contradictions(specification))
    if problems:
        raise NotPublishable(
            _("The specification cannot be published until these are put right."), problems
        )
    previous = specification.status
    now = timezone.now()
    specification.status = Status.PUBLISHED
    specification.published_at = specification.published_at or now
    specification.retired_at = None
    specification.save(update_fields=["status", "published_at", "retired_at", "updated_at"])
    audit.record(
        actor=actor,
        action="specification.published",
        target=specification,
        changes={"status": [previous, Status.PUBLISHED], "version": specification.version},
    )
    return specification


def _contradictions(specification: Specification) -> list[Contradiction]:
    replies = checking_assessment.send(sender=Specification, specification=specification)
    return [found for _receiver, contradictions in replies for found in contradictions]


def set_assessment_ready(specification: Specification, ready: bool) -> bool:
    """Record whether the specification's assessment can be staffed (the assessment set-up
    decides); returns whether that changed."""
    changed = (
        Specification.objects.filter(pk=specification.pk)
        .exclude(assessment_ready=ready)
        .update(assessment_ready=ready)
    )
    specification.assessment_ready = ready
    return bool(changed)


@transaction.atomic
def retire_specification(specification: Specification, *, actor) -> Specification:
    """Withdraw the specification from the catalogue. Nothing is deleted: credentials issued
    under it stay valid and it can be published again."""
    specification = Specification.objects.select_for_update().get(pk=specification.pk)
    if specification.status == Status.RETIRED:
        raise InvalidTransition(_("This specification is already retired."))
    previous = specification.status
    specification.status = Status.RETIRED
    specification.retired_at = timezone.now()
    specification.save(update_fields=["status", "retired_at", "updated_at"])
    audit.record(
        actor=actor,
        action="specification.retired",
        target=specification,
        changes={"status": [previous, Status.RETIRED], "version": specification.version},
    )
    return specification


def _replace_outcomes(
    specification: Specification, outcomes: Iterable[OutcomeData | Mapping]
) -> dict[str, list]:
    """Make the specification's outcomes exactly ``outcomes``, keeping the rows (and so anything
    that refers to them) of those given with an ``id``. Returns what changed, for the audit log."""
    wanted = [
        item if isinstance(item, OutcomeData) else OutcomeData.from_mapping(item)
        for item in outcomes
    ]
    existing = {
        outcome.pk: outcome
        for outcome in LearningOutcome.objects.select_for_update().filter(
            specification=specification
        )
    }
    if len(wanted) > MAX_OUTCOMES:
        raise CatalogueError(
            _("A specification can have at most %(n)s learning outcomes.") % {"n": MAX_OUTCOMES}
        )
    unknown = [item.id for item in wanted if item.id is not None and item.id not in existing]
    if unknown:
        raise CatalogueError(_("A learning outcome does not belong to this specification."))
    kept = {item.id for item in wanted if item.id is not None}
    removed = [outcome for pk, outcome in existing.items() if pk not in kept]
    changes: dict[str, list] = {"added": [], "changed": [], "removed": []}
    if removed:
        try:
            LearningOutcome.objects.filter(pk__in=[o.pk for o in removed]).delete()
        except ProtectedError as error:
            raise CatalogueError(
                _(
                    "A learning outcome you removed is already used by applications or "
                    "credentials, so it cannot be deleted. Keep it, or retire this "
                    "specification and create a new one."
                )
            ) from error
        changes["removed"] = sorted(o.position for o in removed)
    # Move the kept rows out of the way first (positions never exceed MAX_OUTCOMES), so that
    # renumbering them never collides with the unique (specification, position) constraint.
    LearningOutcome.objects.filter(pk__in=kept).update(position=F("position") + 1000)
    for position, item in enumerate(wanted, start=1):
        values = {name: getattr(item, name) for name in OUTCOME_FIELDS}
        if item.id is None:
            outcome = LearningOutcome(specification=specification, position=position, **values)
            outcome.full_clean(validate_constraints=False)
            outcome.save()
            changes["added"].append(position)
            continue
        outcome = existing[item.id]
        old = {name: getattr(outcome, name) for name in OUTCOME_FIELDS}
        old_position = outcome.position
        for name, value in values.items():
            setattr(outcome, name, value)
        outcome.position = position
        outcome.full_clean(validate_constraints=False)
        outcome.save()
        if old != values or old_position != position:
            changes["changed"].append(position)
    # Outcomes prefetched on the instance are stale now.
    getattr(specification, "_prefetched_objects_cache", {}).pop("outcomes", None)
    return changes
