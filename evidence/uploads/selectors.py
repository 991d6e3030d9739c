"""Reconciling the evidence storage with the records that name its files (read only).

Every file in ``STORAGES["evidence"]`` is named by a record's ``storage_name`` field: evidence
items here, and any other app's model with such a field (identity documents) — found through the
app registry, so this module imports no app that comes later in the journey. Partial uploads live
apart, under ``EVIDENCE_STORAGE_ROOT/incoming/``, each named by its unfinished upload's id.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps

from evidence.models import Upload
from evidence.uploads import storage

STORAGE_NAME_FIELD = "storage_name"


@dataclass(frozen=True)
class Problem:
    """One disagreement. ``code``: stored_without_record, record_without_file,
    fragment_without_upload or upload_without_fragment; ``name``: the file's name in the storage
    (``incoming/...`` for partial uploads); ``description``: the problem in words."""

    code: str
    name: str
    description: str


def referring_models() -> list:
    """The models whose ``storage_name`` names a file in the evidence storage."""
    return [
        model
        for model in apps.get_models()
        if any(f.name == STORAGE_NAME_FIELD and f.concrete for f in model._meta.get_fields())
    ]


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    return f"{size} bytes"


def _when(moment) -> str:
    if moment is None:
        return "time unknown"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _label(model, row: dict) -> str:
    label = f"{model._meta.verbose_name} {row['pk']}"
    if row.get("display_name"):
        label += f" (“{row['display_name']}”)"
    return label


def reconcile() -> list[Problem]:
    """Stored files no record names, records whose file is missing, partial files no unfinished
    upload owns, and unfinished uploads that received bytes their partial file no longer has."""
    stored = set(storage.stored_names())
    named: set[str] = set()
    problems: list[Problem] = []
    for model in referring_models():
        fields = ["pk", STORAGE_NAME_FIELD]
        if any(f.name == "display_name" for f in model._meta.get_fields()):
            fields.append("display_name")
        rows = model._default_manager.exclude(**{STORAGE_NAME_FIELD: ""}).values(*fields)
        for row in rows.order_by("pk").iterator():
            name = row[STORAGE_NAME_FIELD]
            named.add(name)
            if name not in stored:
                problems.append(
                    Problem(
                        "record_without_file",
                        name,
                        f"{_label(model, row).capitalize()} refers to the stored file {name}, "
                        "which is not in the evidence storage.",
                    )
                )
    for name in sorted(stored - named):
        size, modified = storage.stored_details(name)
        problems.append(
            Problem(
                "stored_without_record",
                name,
                f"The stored file {name} ({_size(size)}, last changed {_when(modified)}) is "
                "named by no record.",
            )
        )
    problems.extend(_partial_problems())
    return problems


def _partial_problems() -> list[Problem]:
    unfinished = {
        upload.pk.hex: upload
        for upload in Upload.objects.filter(item__isnull=True).only(
            "pk", "application_id", "display_name", "received", "size"
        )
    }
    problems = []
    present = set()
    for path in storage.partial_files():
        present.add(path.name)
        if path.name in unfinished:
            continue
        status = path.stat()
        modified = datetime.fromtimestamp(status.st_mtime, tz=UTC)
        problems.append(
            Problem(
                "fragment_without_upload",
                f"incoming/{path.name}",
                f"The partial upload file incoming/{path.name} ({_size(status.st_size)}, last "
                f"changed {_when(modified)}) belongs to no unfinished upload; sweep_uploads "
                "deletes it once it is older than EVIDENCE_ABANDONED_UPLOAD_HOURS.",
            )
        )
    for hex_id, upload in sorted(unfinished.items()):
        if upload.received and hex_id not in present:
            problems.append(
                Problem(
                    "upload_without_fragment",
                    f"incoming/{hex_id}",
                    f"The unfinished upload {upload.pk} of application {upload.application_id} "
                    f"(“{upload.display_name}”) has received {upload.received} of {upload.size} "
                    f"bytes, but its partial file incoming/{hex_id} is missing.",
                )
            )
    return problems
