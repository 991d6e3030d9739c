"""Evidence files into an application: one file in one go, or a resumable upload chunk by chunk.

Every file is streamed and hashed into ``storage`` and becomes an evidence item; the application's
quota counts stored files and uploads under way. Raise ``storage.UploadError`` (a message and a
code), or ``evidence.portfolio.services.ApplicationError`` when the application cannot change.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import EvidenceItem, Upload
from evidence.portfolio.services import locked, require_editable
from evidence.uploads import storage
from rpl.audit import services as audit


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
        application = locked(application)
        require_editable(application)
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
            application = locked(application)
            require_editable(application)
            _check_size(application, display_name, stored.size)
            return _file_item(application, actor=actor, stored=stored, name=name)
    except Exception:
        storage.delete_stored(stored.name)
        raise


@transaction.atomic
def begin_upload(application, *, actor, name: str, size: int) -> Upload:
    application = locked(application)
    require_editable(application)
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
        if error.code in {"too_long", "forbidden_type", "empty"}:
            _abandon(upload)
        raise


def _receive_chunk(upload: Upload, *, actor, stream, offset: int) -> Upload:
    with transaction.atomic():
        upload = Upload.objects.select_for_update().select_related("application").get(pk=upload.pk)
        require_editable(upload.application)
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
        application = locked(upload.application)
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


# Abandoned uploads ------------------------------------------------------------------------------

# How many removed uploads and fragments the sweep's audit event lists one by one (counts are
# always complete).
AUDIT_LIST_LIMIT = 200


@dataclass
class SweepResult:
    uploads: list[dict] = field(default_factory=list)
    fragments: list[dict] = field(default_factory=list)

    @property
    def removed(self) -> int:
        return len(self.uploads) + len(self.fragments)

    @property
    def bytes(self) -> int:
        return sum(u["received"] for u in self.uploads) + sum(f["size"] for f in self.fragments)


def abandoned_before(now: datetime | None = None) -> datetime:
    """Uploads quiet since this moment are abandoned (``EVIDENCE_ABANDONED_UPLOAD_HOURS``)."""
    return (now or timezone.now()) - timedelta(hours=settings.EVIDENCE_ABANDONED_UPLOAD_HOURS)


def last_activity(upload: Upload) -> datetime:
    """When the upload was begun or last received a chunk (its partial file changed)."""
    modified = storage.partial_modified(upload.pk)
    if modified is None:
        return upload.created_at
    return max(upload.created_at, datetime.fromtimestamp(modified, tz=UTC))


def sweep_abandoned_uploads(*, now: datetime | None = None) -> SweepResult:
    """Delete what abandoned chunked uploads left: unfinished uploads quiet for longer than
    ``EVIDENCE_ABANDONED_UPLOAD_HOURS`` with their partial files, and files under ``incoming/``
    that no unfinished upload refers to (left by a crash or a submission) and that are as old.

    It works only under ``incoming/``: a stored evidence file is never touched, and nothing that
    changed within the age is. One audit event lists what went."""
    cutoff = abandoned_before(now)
    result = SweepResult()
    stale = Upload.objects.filter(item__isnull=True, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    swept: set[str] = set()  # the partial files of these go once their deletion commits
    for candidate in list(stale):
        with transaction.atomic():
            # The lock waits for a chunk being received; after it the upload is seen as it is.
            upload = (
                Upload.objects.select_for_update().filter(pk=candidate, item__isnull=True).first()
            )
            if upload is None or last_activity(upload) >= cutoff:
                continue
            upload.delete()
            # Once the upload is gone for good; a crash before leaves a file the next sweep takes.
            transaction.on_commit(lambda pk=candidate: storage.discard_partial(pk))
        swept.add(candidate.hex)
        result.uploads.append(
            {
                "upload": str(candidate),
                "application": upload.application_id,
                "name": upload.display_name,
                "received": upload.received,
                "size": upload.size,
            }
        )
    result.fragments = _sweep_fragments(cutoff, skip=swept)
    if result.removed:
        audit.record(
            actor=None,
            action="evidence.abandoned_uploads_swept",
            changes={
                "older_than_hours": settings.EVIDENCE_ABANDONED_UPLOAD_HOURS,
                "uploads_removed": len(result.uploads),
                "fragments_removed": len(result.fragments),
                "bytes_removed": result.bytes,
                "uploads": result.uploads[:AUDIT_LIST_LIMIT],
                "fragments": result.fragments[:AUDIT_LIST_LIMIT],
            },
        )
    return result


def _sweep_fragments(cutoff: datetime, *, skip: set[str]) -> list[dict]:
    """Files under ``incoming/`` that belong to no unfinished upload, changed before ``cutoff``
    (``skip``: names of files already being deleted)."""
    unfinished = {
        pk.hex for pk in Upload.objects.filter(item__isnull=True).values_list("pk", flat=True)
    } | skip
    limit = cutoff.timestamp()
    removed = []
    for path in storage.partial_files():
        if path.name in unfinished:
            continue
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        # An upload begun after the list above was read has a file that changed now, not before.
        if status.st_mtime >= limit:
            continue
        path.unlink(missing_ok=True)
        removed.append({"file": f"incoming/{path.name}", "size": status.st_size})
    return removed
