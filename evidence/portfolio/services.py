"""Writes on applications and their evidence. Every state change writes an audit event.

Raise ``ApplicationError`` (a message for the candidate) or ``storage.UploadError``.
``freeze(application, actor)`` is called by ``workflows.cases.applications.submit_application``,
which also starts the case; nothing here knows about the engine.
"""

import hashlib
import json
import secrets
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.catalogue.selectors import outcomes_of
from evidence.models import (
    Application,
    EvidenceItem,
    ItemOutcome,
    SelfAssessment,
    Snapshot,
    Testimony,
    Upload,
    WitnessRequest,
)
from evidence.uploads import storage
from rpl.accounts.jobs import send_email
from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.site import absolute

WITNESS_SALT = "evidence.witness"
WITNESS_LINK_DAYS = 14


class ApplicationError(Exception):
    """A request refused, with a message for the person who made it."""


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        if application.status == Application.Status.WITHDRAWN:
            raise ApplicationError(_("This application was withdrawn; it can no longer change."))
        raise ApplicationError(
            _(
                "This application was submitted and can no longer change. If the assessors "
                "ask for more evidence, you can add it in a new round."
            )
        )


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


# Applying -------------------------------------------------------------------------------------


@transaction.atomic
def start_application(*, candidate, specification) -> Application:
    if not specification.is_published:
        raise ApplicationError(_("This micro-credential is not open for applications."))
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
    application = _locked(application)
    _require_editable(application)
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


def _item_round(application: Application) -> int:
    """New evidence goes into the round being prepared; after a submission, into the next one."""
    return application.round if application.is_editable else application.round + 1


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
    application = _locked(application)
    _require_editable(application)
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
    application = _locked(item.application)
    _require_editable(application)
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
    application = _locked(item.application)
    _require_editable(application)
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


def used_bytes(application, *, exclude_upload=None) -> int:
    stored = (
        EvidenceItem.objects.filter(application=application, kind=EvidenceItem.Kind.FILE).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    pending = Upload.objects.filter(application=application, item__isnull=True)
    if exclude_upload is not None:
        pending = pending.exclude(pk=exclude_upload.pk)
    return stored + (pending.aggregate(total=Sum("size"))["total"] or 0)


def _check_size(application, display_name: str, size: int, *, exclude_upload=None) -> None:
    if size > storage.max_file_bytes():
        raise storage.UploadError(storage.too_large_message(display_name, size), "too_large")
    used = used_bytes(application, exclude_upload=exclude_upload)
    if used + size > storage.quota_bytes():
        raise storage.UploadError(storage.over_quota_message(display_name, used), "over_quota")


def _file_item(application, *, actor, stored: storage.Stored, name: str) -> EvidenceItem:
    display_name = storage.display_name_for(name, stored.file_type)
    title = display_name.rsplit(".", 1)[0] if "." in display_name else display_name
    item = EvidenceItem.objects.create(
        application=application,
        round=application.round,
        kind=EvidenceItem.Kind.FILE,
        title=title[:200],
        storage_name=stored.name,
        display_name=display_name,
        content_type=stored.file_type.mime,
        size=stored.size,
        sha256=stored.sha256,
    )
    audit.record(
        actor=actor,
        action="evidence.file_uploaded",
        target=application,
        changes={
            "item": item.pk,
            "sha256": stored.sha256,
            "size": stored.size,
            "type": stored.file_type.mime,
            "round": item.round,
        },
    )
    return item


def add_file(application, *, actor, source, name: str, size: int | None = None) -> EvidenceItem:
    """One file in one go (the form without JavaScript, and scripts): streamed and hashed."""
    display_name = storage.sanitise_name(name)
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application)
        if size is not None:
            _check_size(application, display_name, size)
        used = used_bytes(application)
    room = max(storage.quota_bytes() - used, 0)
    try:
        stored = storage.store(
            source, display_name=display_name, max_bytes=min(storage.max_file_bytes(), room)
        )
    except storage.UploadError as error:
        if error.code == "too_large" and room < storage.max_file_bytes():
            raise storage.UploadError(
                storage.over_quota_message(display_name, used), "over_quota"
            ) from None
        raise
    try:
        with transaction.atomic():
            application = _locked(application)
            _require_editable(application)
            _check_size(application, display_name, stored.size)
            return _file_item(application, actor=actor, stored=stored, name=name)
    except Exception:
        storage.delete_stored(stored.name)
        raise


@transaction.atomic
def begin_upload(application, *, actor, name: str, size: int) -> Upload:
    application = _locked(application)
    _require_editable(application)
    display_name = storage.sanitise_name(name)
    if size <= 0:
        raise storage.UploadError(
            _("“%(name)s” is empty. Choose the file again; it may not have saved properly.")
            % {"name": display_name},
            "empty",
        )
    _check_size(application, display_name, size)
    return Upload.objects.create(application=application, display_name=display_name, size=size)


def receive_chunk(upload: Upload, *, actor, stream, offset: int) -> Upload:
    """Append a chunk at ``offset`` (which must be what the server holds: ``upload.received``).
    When the last byte arrives the file is hashed into storage and becomes an evidence item.
    A refused file is forgotten entirely (its partial bytes and its upload record)."""
    try:
        return _receive_chunk(upload, actor=actor, stream=stream, offset=offset)
    except storage.UploadError as error:
        if error.code in {"too_long", "forbidden_type"}:
            _abandon(upload)
        raise


def _receive_chunk(upload: Upload, *, actor, stream, offset: int) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.select_for_update().select_related("application").get(pk=upload.pk)
        _require_editable(upload.application)
        if upload.item_id:
            return upload
        if offset != upload.received:
            raise storage.UploadError(
                _("The upload of “%(name)s” must go on from byte %(offset)s.")
                % {"name": upload.display_name, "offset": upload.received},
                "wrong_offset",
            )
        try:
            received = storage.append_chunk(upload.pk, stream, offset=offset, limit=upload.size)
        except storage.UploadError:
            raise storage.UploadError(
                _("“%(name)s” is longer than announced; the upload was stopped. Please try again.")
                % {"name": upload.display_name},
                "too_long",
            ) from None
        if not upload.content_type and received >= min(upload.size, 4096):
            head = storage.read_partial_head(upload.pk)
            file_type = storage.filetypes.sniff(head)
            if file_type is None:
                raise storage.UploadError(
                    storage.refusal_message(upload.display_name, head), "forbidden_type"
                )
            upload.content_type = file_type.mime
        upload.received = received
        upload.save(update_fields=["received", "content_type"])
        if received < upload.size:
            return upload
        application = _locked(upload.application)
        path = storage.partial_path(upload.pk)
        with open(path, "rb") as partial:
            stored = storage.store(partial, display_name=upload.display_name, max_bytes=upload.size)
        try:
            item = _file_item(application, actor=actor, stored=stored, name=upload.display_name)
        except Exception:
            storage.delete_stored(stored.name)
            raise
        upload.item = item
        upload.save(update_fields=["item"])
    storage.discard_partial(upload.pk)
    return upload


def _abandon(upload: Upload) -> None:
    storage.discard_partial(upload.pk)
    Upload.objects.filter(pk=upload.pk).delete()


# Witnesses ------------------------------------------------------------------------------------


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def witness_token(request: WitnessRequest, nonce: str) -> str:
    return signing.dumps({"w": request.pk, "n": nonce}, salt=WITNESS_SALT, compress=True)


@transaction.atomic
def invite_witness(
    application, *, actor, witness_name, witness_email, relationship, claim, outcomes=()
) -> tuple[WitnessRequest, str]:
    application = _locked(application)
    _require_editable(application)
    nonce = secrets.token_urlsafe(24)
    request = WitnessRequest.objects.create(
        application=application,
        witness_name=witness_name,
        witness_email=witness_email,
        relationship=relationship,
        claim=claim,
        nonce_hash=_nonce_hash(nonce),
        expires_at=timezone.now() + timedelta(days=WITNESS_LINK_DAYS),
    )
    valid = {o.pk for o in outcomes_of(application.specification)}
    request.outcomes.set([o for o in outcomes if o.pk in valid])
    token = witness_token(request, nonce)
    link = absolute(reverse("evidence:witness", args=[token]))
    candidate = application.candidate.get_full_name()
    send_email.delay(
        _("%(candidate)s asks you to confirm their work") % {"candidate": candidate},
        _(
            "Hello %(witness)s,\n\n%(candidate)s is applying for recognition of what they learned "
            "at work (“%(credential)s”) and asks you, as %(relationship)s, to confirm it.\n\n"
            "Please open this link, read what they ask you to confirm and answer in a few "
            "words. You do not need an account. The link works once and until %(expires)s.\n\n"
            "%(link)s\n\nIf you do not know this person, you can ignore this message."
        )
        % {
            "witness": witness_name,
            "candidate": candidate,
            "credential": application.specification.title,
            "relationship": relationship,
            "expires": timezone.localtime(request.expires_at).strftime("%Y-%m-%d %H:%M"),
            "link": link,
        },
        [witness_email],
    )
    audit.record(
        actor=actor,
        action="witness.invited",
        target=application,
        changes={"request": request.pk, "expires_at": request.expires_at.isoformat()},
    )
    return request, token


def ALREADY_ANSWERED():  # noqa: N802
    return _("Thank you: your testimony has already been received. This link works only once.")


class WitnessLinkError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def witness_request_for(token: str) -> WitnessRequest:
    """The open request a witness link points to, or ``WitnessLinkError`` saying why not."""
    invalid = WitnessLinkError(
        _("This link is not valid. Check that you copied all of it from the e-mail."), "invalid"
    )
    expired = WitnessLinkError(
        _(
            "This link has expired. Please ask the candidate to send you a new one if you still "
            "wish to confirm their work."
        ),
        "expired",
    )
    try:
        data = signing.loads(token, salt=WITNESS_SALT, max_age=timedelta(days=WITNESS_LINK_DAYS))
    except signing.SignatureExpired:
        raise expired from None
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise invalid
    request = (
        WitnessRequest.objects.select_related(
            "application__candidate", "application__specification"
        )
        .filter(pk=data.get("w"))
        .first()
    )
    if request is None or not secrets.compare_digest(request.nonce_hash, _nonce_hash(data["n"])):
        raise invalid
    if request.status == WitnessRequest.Status.ANSWERED:
        raise WitnessLinkError(ALREADY_ANSWERED(), "used")
    if (
        request.status == WitnessRequest.Status.CANCELLED
        or request.application.status == Application.Status.WITHDRAWN
    ):
        raise WitnessLinkError(
            _("This request was cancelled; nothing more is needed."), "cancelled"
        )
    if request.expires_at <= timezone.now():
        raise expired
    return request


def record_testimony(token: str, *, full_name, position, relationship, confirmation, statement):
    with transaction.atomic():
        request = witness_request_for(token)
        request = WitnessRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != WitnessRequest.Status.SENT:
            raise WitnessLinkError(ALREADY_ANSWERED(), "used")
        application = _locked(request.application)
        item = EvidenceItem.objects.create(
            application=application,
            round=_item_round(application),
            kind=EvidenceItem.Kind.TESTIMONY,
            title=(_("Testimony of %(name)s") % {"name": full_name})[:200],
            date=timezone.localdate(),
            context=request.claim,
            statement=statement,
        )
        ItemOutcome.objects.bulk_create(
            [ItemOutcome(item=item, outcome=o) for o in request.outcomes.all()]
        )
        testimony = Testimony.objects.create(
            request=request,
            full_name=full_name,
            position=position,
            relationship=relationship,
            confirmation=confirmation,
            statement=statement,
            item=item,
        )
        request.status = WitnessRequest.Status.ANSWERED
        request.answered_at = timezone.now()
        request.save(update_fields=["status", "answered_at"])
        audit.record(
            actor=None,
            action="witness.testimony_received",
            target=application,
            changes={"request": request.pk, "item": item.pk, "confirmation": confirmation},
        )
        candidate = application.candidate
        tell(
            [candidate],
            lambda reader: (
                _("Your witness has answered"),
                _(
                    "Hello %(candidate)s,\n\n%(witness)s has sent their testimony for your "
                    "application “%(credential)s”. You can see it among your evidence.\n\n%(link)s"
                )
                % {
                    "candidate": reader.get_short_name(),
                    "witness": request.witness_name,
                    "credential": application.specification.title,
                    "link": absolute(reverse("evidence:witnesses", args=[application.pk])),
                },
            ),
        )
    return testimony


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
    application = _locked(application)
    _require_editable(application)
    problems = missing_before_submit(application)
    if problems:
        raise ApplicationError(" ".join(problems))
    Upload.objects.filter(application=application, item__isnull=True).delete()
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
    application = _locked(application)
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
    application = _locked(application)
    if application.status == Application.Status.WITHDRAWN:
        raise ApplicationError(_("This application was already withdrawn."))
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.withdrawal_reason = reason
    application.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    WitnessRequest.objects.filter(
        application=application, status=WitnessRequest.Status.SENT
    ).update(status=WitnessRequest.Status.CANCELLED)
    for upload in Upload.objects.filter(application=application, item__isnull=True):
        _abandon(upload)
    audit.record(
        actor=actor,
        action="application.withdrawn",
        target=application,
        changes={"reason": reason},
    )
    return application
