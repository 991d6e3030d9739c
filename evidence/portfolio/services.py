"""Writes on applications and their evidence. Every state change writes an audit event.

Raise ``ApplicationError`` (a message for the candidate). Files and uploads are written by
``evidence.uploads.services``, witnesses and their testimony by ``evidence.witnesses.services``;
both use ``locked`` and ``require_editable`` from here.
``freeze(application, actor)`` is called by ``workflows.cases.applications.submit_application``,
which also starts the case; nothing here knows about the engine.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials.catalogue.selectors import outcomes_of
from evidence.models import (
    Application,
    EvidenceItem,
    ItemOutcome,
    SelfAssessment,
    Snapshot,
    Upload,
    WitnessRequest,
)
from evidence.uploads import storage
from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.site import absolute


class ApplicationError(Exception):
    """A request refused, with a message for the person who made it."""


def require_editable(application: Application) -> None:
    """Refuse, with ``ApplicationError``, a change to a submitted or withdrawn application."""
    if not application.is_editable:
        if application.status == Application.Status.WITHDRAWN:
            raise ApplicationError(_("This application was withdrawn; it can no longer change."))
        raise ApplicationError(
            _(
                "This application was submitted and can no longer change. If the assessors "
                "ask for more evidence, you can add it in a new round."
            )
        )


def locked(application: Application) -> Application:
    """The application again, its row locked until the transaction ends."""
    return Application.objects.select_for_update().get(pk=application.pk)


# Applying -------------------------------------------------------------------------------------


NOT_OPEN_YET = gettext_lazy(
    "This micro-credential is not open for applications yet: its assessment is still being set "
    "up. Please come back later."
)


@transaction.atomic
def start_application(*, candidate, specification) -> Application:
    if not specification.is_published:
        raise ApplicationError(_("This micro-credential is not open for applications."))
    if not specification.assessment_ready:
        raise ApplicationError(str(NOT_OPEN_YET))
    existing = (
        Application.objects.filter(candidate=candidate, specification=specification)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )
    if existing:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                candidate=candidate, specification=specification
            )
    except IntegrityError:  # a second click at the same moment
        return (
            Application.objects.filter(candidate=candidate, specification=specification)
            .exclude(status=Application.Status.WITHDRAWN)
            .get()
        )
    audit.record(
        actor=candidate,
        action="application.started",
        target=application,
        changes={"specification": specification.slug},
    )
    return application


@transaction.atomic
def save_self_assessment(application, *, actor, answers: dict) -> None:
    """``answers`` maps outcome pk to ``(confidence or None, narrative)``."""
    application = locked(application)
    require_editable(application)
    valid = {outcome.pk for outcome in outcomes_of(application.specification)}
    existing = {sa.outcome_id: sa for sa in application.self_assessments.all()}
    changed = []
    for outcome_id, (confidence, narrative) in answers.items():
        if outcome_id not in valid:
            continue
        row = existing.get(outcome_id)
        if row is None and confidence is None and not narrative:
            continue
        if row is None:
            row = SelfAssessment(application=application, outcome_id=outcome_id)
        if row.pk and row.confidence == confidence and row.narrative == narrative:
            continue
        row.confidence, row.narrative, row.updated_at = confidence, narrative, timezone.now()
        row.save()
        changed.append(outcome_id)
    if changed:
        audit.record(
            actor=actor,
            action="application.self_assessed",
            target=application,
            changes={"outcomes": sorted(changed)},
        )


# Evidence items -------------------------------------------------------------------------------


def _set_outcomes(item: EvidenceItem, outcomes) -> None:
    valid = {o.pk for o in outcomes_of(item.application.specification)}
    wanted = {o.pk for o in outcomes} & valid
    current = set(item.mapping.values_list("outcome_id", flat=True))
    if wanted != current:
        ItemOutcome.objects.filter(item=item, outcome_id__in=current - wanted).delete()
        ItemOutcome.objects.bulk_create(
            [ItemOutcome(item=item, outcome_id=pk) for pk in sorted(wanted - current)]
        )


ITEM_FIELDS = ("title", "date", "context", "url", "statement")


@transaction.atomic
def add_item(application, *, actor, kind: str, outcomes=(), **fields) -> EvidenceItem:
    application = locked(application)
    require_editable(application)
    item = EvidenceItem.objects.create(
        application=application,
        round=application.round,
        kind=kind,
        **{name: value for name, value in fields.items() if name in ITEM_FIELDS},
    )
    _set_outcomes(item, outcomes)
    audit.record(
        actor=actor,
        action="evidence.item_added",
        target=application,
        changes={"item": item.pk, "kind": kind, "round": item.round},
    )
    return item


@transaction.atomic
def update_item(item, *, actor, outcomes, **fields) -> EvidenceItem:
    application = locked(item.application)
    require_editable(application)
    if item.frozen:
        raise ApplicationError(
            _("This evidence was submitted in an earlier round; it cannot change.")
        )
    allowed = ("title", "date", "context")
    allowed += {"link": ("url",), "statement": ("statement",)}.get(item.kind, ())
    for name, value in fields.items():
        if name in allowed:
            setattr(item, name, value)
    item.save()
    _set_outcomes(item, outcomes)
    audit.record(
        actor=actor,
        action="evidence.item_changed",
        target=application,
        changes={"item": item.pk, "fields": sorted(n for n in fields if n in allowed)},
    )
    return item


@transaction.atomic
def delete_item(item, *, actor) -> None:
    application = locked(item.application)
    require_editable(application)
    if item.frozen:
        raise ApplicationError(
            _("This evidence was submitted in an earlier round; it cannot change.")
        )
    if item.kind == EvidenceItem.Kind.TESTIMONY:
        raise ApplicationError(_("A witness's testimony cannot be removed."))
    name, pk = item.storage_name, item.pk
    Upload.objects.filter(item=item).delete()
    item.delete()
    audit.record(
        actor=actor,
        action="evidence.item_removed",
        target=application,
        changes={"item": pk, "sha256": item.sha256 or None},
    )
    transaction.on_commit(lambda: storage.delete_stored(name))


# Submission, rounds, withdrawal ------------------------------------------------------------------


def snapshot_content(application: Application) -> dict:
    items = (
        EvidenceItem.objects.filter(application=application, round__lte=application.round)
        .prefetch_related("mapping")
        .select_related("testimony")
        .order_by("round", "created_at", "pk")
    )
    outcomes = outcomes_of(application.specification)
    answers = {sa.outcome_id: sa for sa in application.self_assessments.all()}

    def item_data(item):
        data = {
            "id": item.pk,
            "round": item.round,
            "kind": item.kind,
            "title": item.title,
            "date": item.date.isoformat() if item.date else None,
            "context": item.context,
            "outcomes": sorted(m.outcome_id for m in item.mapping.all()),
        }
        if item.kind == EvidenceItem.Kind.FILE:
            data |= {
                "file_name": item.display_name,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
            }
        elif item.kind == EvidenceItem.Kind.LINK:
            data["url"] = item.url
        else:
            data["statement"] = item.statement
        testimony = getattr(item, "testimony", None)
        if testimony is not None:
            data["witness"] = {
                "full_name": testimony.full_name,
                "position": testimony.position,
                "relationship": testimony.relationship,
                "confirmation": testimony.confirmation,
            }
        return data

    return {
        "application": application.pk,
        "specification": application.specification.slug,
        "round": application.round,
        "outcomes": [
            {
                "id": o.pk,
                "position": o.position,
                "statement": o.statement,
                "confidence": answers[o.pk].confidence if o.pk in answers else None,
                "narrative": answers[o.pk].narrative if o.pk in answers else "",
            }
            for o in outcomes
        ],
        "items": [item_data(item) for item in items],
    }


def missing_before_submit(application: Application) -> list[str]:
    problems = []
    if not application.items.filter(round__lte=application.round).exists():
        problems.append(_("Add at least one piece of evidence."))
    return problems


@transaction.atomic
def freeze(application, *, actor) -> Snapshot:
    """Freeze the round being prepared into a snapshot and mark the application submitted."""
    application = locked(application)
    require_editable(application)
    problems = missing_before_submit(application)
    if problems:
        raise ApplicationError(" ".join(problems))
    unfinished = Upload.objects.filter(application=application, item__isnull=True)
    for upload_id in list(unfinished.values_list("pk", flat=True)):
        transaction.on_commit(lambda upload_id=upload_id: storage.discard_partial(upload_id))
    unfinished.delete()
    content = snapshot_content(application)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    snapshot = Snapshot.objects.create(
        application=application,
        round=application.round,
        content=content,
        digest=hashlib.sha256(canonical.encode()).hexdigest(),
        submitted_by=actor,
    )
    EvidenceItem.objects.filter(
        application=application, round__lte=application.round, frozen=False
    ).update(frozen=True)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at"])
    audit.record(
        actor=actor,
        action="application.submitted",
        target=application,
        changes={"round": snapshot.round, "snapshot": snapshot.digest},
    )
    return snapshot


@transaction.atomic
def open_new_round(application, *, actor, message: str = "") -> Application:
    """More evidence is requested: the candidate adds to round n + 1; earlier rounds stay."""
    application = locked(application)
    if application.status != Application.Status.SUBMITTED:
        raise ApplicationError(_("More evidence can be asked for only on a submitted application."))
    application.round += 1
    application.status = Application.Status.MORE_EVIDENCE
    application.save(update_fields=["round", "status"])
    audit.record(
        actor=actor,
        action="application.more_evidence_requested",
        target=application,
        changes={"round": application.round},
    )
    candidate = application.candidate
    tell(
        [candidate],
        lambda reader: (
            _("More evidence is needed for your application"),
            _(
                "Hello %(candidate)s,\n\nThe assessors of “%(credential)s” ask you for more "
                "evidence.\n\n%(message)s\n\nAdd it and submit again here: %(link)s"
            )
            % {
                "candidate": reader.get_short_name(),
                "credential": application.specification.title,
                "message": message,
                "link": absolute(reverse("evidence:application", args=[application.pk])),
            },
        ),
    )
    return application


@transaction.atomic
def withdraw(application, *, actor, reason: str = "") -> Application:
    application = locked(application)
    if application.status == Application.Status.WITHDRAWN:
        raise ApplicationError(_("This application was already withdrawn."))
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.withdrawal_reason = reason
    application.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    WitnessRequest.objects.filter(
        application=application, status=WitnessRequest.Status.SENT
    ).update(status=WitnessRequest.Status.CANCELLED)
    pending = Upload.objects.filter(application=application, item__isnull=True)
    for upload_id in pending.values_list("pk", flat=True):
        storage.discard_partial(upload_id)
    pending.delete()
    audit.record(
        actor=actor,
        action="application.withdrawn",
        target=application,
        changes={"reason": reason},
    )
    return application
