"""Evidence files into an application: one file in one go, or a resumable upload chunk by chunk.

Every file is streamed and hashed into ``storage`` and becomes an evidence item; the application's
quota counts stored files and uploads under way. Raise ``storage.UploadError`` (a message and a
code), or ``evidence.portfolio.services.ApplicationError`` when the application cannot change.
"""

from django.db import transaction
from django.db.models import Sum
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
