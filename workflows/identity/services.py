"""Identity checks: the candidate's identity documents and electronic ID through adapters.

Documents. While a case's current step is an identity check by document or by video, the
candidate may give one or two images or PDFs of an identity document (``add_document``,
``remove_document``). Only the identity officer holding the check sees them. Once the check is
recorded (``case_services.record`` calls ``retire_documents``), or the case is withdrawn or ends
otherwise (``sweep``), the files are deleted from storage after the transaction commits; the rows
stay with the file name, size, SHA-256 and ``deleted_at``, and an audit event says so.

Electronic ID. ``settings.RPL_IDENTITY_ADAPTERS`` lists dotted paths of adapter classes that follow
``IdentityAdapter``: ``start(request, case)`` sends the candidate to the identity provider and
``complete(request, case)`` turns the provider's answer into an ``IdentityAssertion`` (or raises
``IdentityError``). ``record_assertion`` keeps the assertion on the case for the identity officer.
See docs/identity-adapters.md.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from evidence.uploads import storage
from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.lib import filetypes
from rpl.site import absolute
from workflows.models import Case, IdentityDocument
from workflows.notifications import pool_of
from workflows.pipelines.schema import IdentityMethod, StepKind
from workflows.work.duties import OPEN

MAX_DOCUMENTS = 2
DOCUMENT_TYPES = frozenset({filetypes.PDF, filetypes.PNG, filetypes.JPEG, filetypes.WEBP})
IMAGE_TYPES = frozenset(t.mime for t in DOCUMENT_TYPES if t.family == "image")
UPLOAD_METHODS = frozenset({IdentityMethod.DOCUMENT, IdentityMethod.VIDEO})

METHOD_LABELS = {
    IdentityMethod.DOCUMENT: gettext_lazy("Identity document"),
    IdentityMethod.IN_PERSON: gettext_lazy("In person"),
    IdentityMethod.VIDEO: gettext_lazy("Video call"),
    IdentityMethod.ELECTRONIC_ID: gettext_lazy("Electronic ID"),
}


class IdentityError(Exception):
    """A request refused, with a message for the person who made it."""


# Electronic ID: the adapter protocol and the registry -------------------------------------------


class LevelOfAssurance(StrEnum):
    """eIDAS levels of assurance (Regulation 910/2014, art. 8)."""

    LOW = "low"
    SUBSTANTIAL = "substantial"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(LevelOfAssurance).index(self)


LOA_LABELS = {
    LevelOfAssurance.LOW: gettext_lazy("low"),
    LevelOfAssurance.SUBSTANTIAL: gettext_lazy("substantial"),
    LevelOfAssurance.HIGH: gettext_lazy("high"),
}


@dataclass(frozen=True)
class IdentityAssertion:
    """What an identity provider vouched for. The subject's identifier at the provider (which may
    be a national number) is kept only as a keyed hash."""

    adapter: str
    adapter_label: str
    verified_name: str
    level_of_assurance: LevelOfAssurance
    issuer: str
    subject_hash: str
    asserted_at: str  # ISO 8601

    def to_data(self) -> dict:
        return asdict(self) | {"level_of_assurance": str(self.level_of_assurance)}

    @classmethod
    def from_data(cls, data: dict) -> "IdentityAssertion":
        fields = {name: data[name] for name in cls.__dataclass_fields__}
        return cls(**fields | {"level_of_assurance": LevelOfAssurance(data["level_of_assurance"])})

    @property
    def method_label(self) -> str:
        return _("electronic ID (%(adapter)s)") % {"adapter": self.adapter_label}

    @property
    def asserted(self) -> datetime:
        return datetime.fromisoformat(self.asserted_at)

    @property
    def level_label(self) -> str:
        return str(LOA_LABELS[self.level_of_assurance])


class IdentityAdapter(Protocol):
    key: str  # a slug, unique among the configured adapters; part of the callback URL
    label: str  # shown to people: "Login.gov.pl", "national eID (eIDAS)"

    def start(self, request, case):
        """Return a redirect that sends the candidate to the identity provider."""

    def complete(self, request, case) -> IdentityAssertion:
        """Check the provider's answer to ``request`` and return what it asserts, or raise
        ``IdentityError`` with a message for the candidate."""


def adapters() -> dict[str, IdentityAdapter]:
    """The configured adapters by key, in the order of ``RPL_IDENTITY_ADAPTERS``."""
    found = {}
    for path in getattr(settings, "RPL_IDENTITY_ADAPTERS", []):
        adapter = import_string(path)()
        found[adapter.key] = adapter
    return found


def adapter(key: str) -> IdentityAdapter | None:
    return adapters().get(key)


def callback_url(key: str) -> str:
    """Where the identity provider sends the candidate back (register it with the provider)."""
    return absolute(reverse("identity_eid_callback", args=[key]))


def subject_hash(issuer: str, subject: str) -> str:
    return salted_hmac(
        "rpl.identity.subject", f"{issuer}|{subject}", algorithm="sha256"
    ).hexdigest()


def assertion_of(case) -> IdentityAssertion | None:
    """The electronic ID assertion given for the case's current identity step, if any."""
    data = (case.data or {}).get("eid")
    step = case.current_step
    if not data or step is None or data.get("step") != step.id:
        return None
    return IdentityAssertion.from_data(data)


def _lock(case):
    return case.flow_class.lock(case.pk)


def _identity_step(case):
    """The case's current step if it is an identity check still to do, else None."""
    step = case.current_step
    if case.status != PROCESS.NEW or step is None or step.kind != StepKind.IDENTITY_CHECK:
        return None
    return step


def accepts_eid(case) -> bool:
    return _identity_step(case) is not None and bool(adapters())


def record_assertion(case, assertion: IdentityAssertion, *, actor) -> None:
    with transaction.atomic(), _lock(case):
        case.refresh_from_db()
        step = _identity_step(case)
        if step is None or case.candidate_id != actor.pk:
            raise IdentityError(_("Your case has no identity check to do now."))
        case.data = {**(case.data or {}), "eid": {"step": step.id, **assertion.to_data()}}
        case.save(update_fields=["data"])
        audit.record(
            actor=actor,
            action="case.electronic_id_asserted",
            target=case,
            changes={
                "step": step.id,
                "adapter": assertion.adapter,
                "issuer": assertion.issuer,
                "level_of_assurance": str(assertion.level_of_assurance),
            },
        )
        transaction.on_commit(
            lambda: _tell_officers(
                case,
                lambda: (
                    _("The candidate confirmed their identity with %(method)s.")
                    % {"method": assertion.method_label}
                ),
            )
        )


# Documents ---------------------------------------------------------------------------------------


def max_document_bytes() -> int:
    return settings.RPL_IDENTITY_DOCUMENT_MAX_MB * 1024 * 1024


def accepts_documents(case) -> bool:
    step = _identity_step(case)
    return step is not None and step.method in UPLOAD_METHODS


def live_documents(case) -> list[IdentityDocument]:
    return list(IdentityDocument.objects.filter(case=case, deleted_at__isnull=True))


def documents_of(case) -> list[IdentityDocument]:
    """Every document given for the case, deleted ones too (the record of the check)."""
    return list(IdentityDocument.objects.filter(case=case))


def _require_upload_room(case, actor) -> None:
    case.refresh_from_db()
    if case.candidate_id != actor.pk:
        raise IdentityError(_("Only the candidate gives identity documents."))
    if not accepts_documents(case):
        raise IdentityError(_("Your case does not take identity documents now."))
    if len(live_documents(case)) >= MAX_DOCUMENTS:
        raise IdentityError(
            _(
                "You have already given two files: that is the most we take. Remove one to "
                "give another."
            )
        )


def _refusal(display_name: str) -> str:
    return _(
        "“%(name)s” was not accepted: an identity document must be a photo (JPEG, PNG or WebP) "
        "or a PDF."
    ) % {"name": display_name}


def add_documents(case, *, actor, uploads) -> tuple[int, list[str]]:
    """Store each uploaded file (``name``, ``read``); returns how many were kept and a message
    for each refused. The identity officer is told once."""
    added, refused = 0, []
    for upload in uploads:
        try:
            add_document(case, actor=actor, source=upload, name=upload.name)
            added += 1
        except IdentityError as error:
            refused.append(str(error))
    if added:
        transaction.on_commit(
            lambda: _tell_officers(
                case, lambda: _("The candidate gave files of their identity document.")
            )
        )
    return added, refused


def add_document(case, *, actor, source, name: str) -> IdentityDocument:
    """Store one file streamed from ``source``; checked before and after the (long) copy."""
    display_name = storage.sanitise_name(name)
    with transaction.atomic(), _lock(case):
        _require_upload_room(case, actor)
    try:
        stored = storage.store(source, display_name=display_name, max_bytes=max_document_bytes())
    except storage.UploadError as error:
        if error.code == "too_large":
            raise IdentityError(
                _("“%(name)s” is larger than %(limit)s MB: take a smaller photo or scan.")
                % {"name": display_name, "limit": settings.RPL_IDENTITY_DOCUMENT_MAX_MB}
            ) from None
        raise IdentityError(_refusal(display_name)) from None
    try:
        if stored.file_type not in DOCUMENT_TYPES:
            raise IdentityError(_refusal(display_name))
        with transaction.atomic(), _lock(case):
            _require_upload_room(case, actor)
            document = IdentityDocument.objects.create(
                case=case,
                storage_name=stored.name,
                display_name=storage.display_name_for(display_name, stored.file_type),
                content_type=stored.file_type.mime,
                size=stored.size,
                sha256=stored.sha256,
            )
            audit.record(
                actor=actor,
                action="case.identity_document_added",
                target=case,
                changes={
                    "document": document.pk,
                    "name": document.display_name,
                    "size": document.size,
                    "sha256": document.sha256,
                },
            )
    except Exception:
        storage.delete_stored(stored.name)
        raise
    return document


def remove_document(document, *, actor) -> None:
    """The candidate takes back a file before the check is recorded."""
    case = document.case
    with transaction.atomic(), _lock(case):
        case.refresh_from_db()
        if case.candidate_id != actor.pk or _identity_step(case) is None:
            raise IdentityError(_("This file can no longer be removed."))
        retire_documents(case, actor=actor, reason="removed by the candidate", only=[document.pk])


def retire_documents(case, *, actor, reason: str, only=None) -> int:
    """Mark the case's documents deleted and delete their files once the transaction commits.
    Call it inside the transaction that makes the change (recording the check, withdrawing)."""
    documents = IdentityDocument.objects.filter(case=case, deleted_at__isnull=True)
    if only is not None:
        documents = documents.filter(pk__in=only)
    documents = list(documents)
    if not documents:
        return 0
    ids = [document.pk for document in documents]
    IdentityDocument.objects.filter(pk__in=ids).update(deleted_at=timezone.now())
    audit.record(
        actor=actor,
        action="case.identity_documents_deleted",
        target=case,
        changes={
            "reason": reason,
            "documents": [
                {"name": d.display_name, "size": d.size, "sha256": d.sha256} for d in documents
            ],
        },
    )
    transaction.on_commit(lambda: purge_files(ids))
    return len(documents)


def purge_files(ids=None) -> int:
    """Delete from storage the files of documents marked deleted; returns how many went."""
    documents = IdentityDocument.objects.filter(deleted_at__isnull=False).exclude(storage_name="")
    if ids is not None:
        documents = documents.filter(pk__in=ids)
    purged = 0
    for document in documents:
        storage.delete_stored(document.storage_name)
        IdentityDocument.objects.filter(pk=document.pk).update(storage_name="")
        purged += 1
    return purged


def sweep() -> int:
    """Delete documents left by cases whose identity step is over without a recorded check
    (cancelled, ended, moved on), and files a failed deletion left behind."""
    case_ids = set(
        IdentityDocument.objects.filter(deleted_at__isnull=True).values_list("case_id", flat=True)
    )
    retired = 0
    for case in Case.objects.filter(pk__in=case_ids):
        if _identity_step(case) is None:
            with transaction.atomic():
                retired += retire_documents(case, actor=None, reason="the identity step is over")
    purge_files()
    return retired


# Who sees the documents, and who is told -------------------------------------------------------


def _tell_officers(case, news) -> None:
    """E-mail the identity officer holding the check, or else everyone who may take it;
    ``news()`` gives the news in the reader's language."""
    tasks = Task.objects.filter(process=case, status__in=(STATUS.NEW, *OPEN)).select_related(
        "owner"
    )
    check = next((t for t in tasks if t.flow_task.name == "identity_check"), None)
    if check is None:
        return
    if check.owner_id is not None:
        recipients = [check.owner]
        link = absolute(reverse("work_task", args=[case.pk, check.pk]))
    else:
        recipients = pool_of(check)
        link = absolute(reverse("work_inbox"))
    tell(
        recipients,
        lambda reader: (
            _("Case %(case)s: identity check") % {"case": case.pk},
            _("Hello %(name)s,\n\n%(news)s\n\nThe identity check: %(link)s")
            % {"name": reader.get_short_name(), "news": news(), "link": link},
        ),
    )
