"""Evidence files: streamed to ``STORAGES["evidence"]`` and hashed on the way, never read whole
into memory; type sniffed from the content; stored under a random name.

``store(reader, *, display_name, max_bytes) -> Stored``
    Copy a file-like object (``read(n)``) to storage in chunks, computing SHA-256 and size and
    sniffing the type from the first bytes. Raises ``UploadError`` (nothing is kept) when the
    content is of no allowed type or longer than ``max_bytes``.
Partial uploads (resumable, chunk by chunk) live on local disk under
``EVIDENCE_STORAGE_ROOT/incoming/<upload id>`` until the last chunk arrives.
"""

import hashlib
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rpl.lib import filetypes

CHUNK = 64 * 1024

ACCEPTED_TYPES = gettext_lazy(
    "PDF, Word, Excel, PowerPoint and OpenDocument files; PNG, JPEG, GIF and WebP images; MP3, "
    "M4A, WAV and Ogg audio; MP4 and QuickTime video; ZIP archives; plain text"
)


class UploadError(Exception):
    """A file we refuse, with a message for the candidate; ``code`` for scripts and tests."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def evidence_storage():
    return storages["evidence"]


def max_file_bytes() -> int:
    return settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024


def quota_bytes() -> int:
    return settings.EVIDENCE_QUOTA_MB * 1024 * 1024


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def sanitise_name(name: str, fallback: str = "file") -> str:
    """A display name safe to show and to offer in Content-Disposition: the last path part,
    normalised, with control characters, separators and quotes removed, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*;/]+', "_", name).strip(" .")
    if not name:
        return fallback
    if len(name) > 150:
        stem, dot, suffix = name.rpartition(".")
        name = (
            (stem[: 140 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 10 else name[:150]
        )
    return name


def display_name_for(name: str, file_type: filetypes.FileType) -> str:
    """Make the display name end with an extension of the sniffed type (``cv.pdf`` that is really
    text becomes ``cv.pdf.txt``), so nobody's computer opens it as something else."""
    name = sanitise_name(name)
    if not name.lower().endswith(file_type.extensions):
        name = f"{name}{file_type.extension}"
    return name


def refusal_message(display_name: str, head: bytes) -> str:
    kind = filetypes.refusal_kind(head)
    if kind == "empty":
        return _("“%(name)s” is empty. Choose the file again; it may not have saved properly.") % {
            "name": display_name
        }
    if kind == "html":
        looks = _("a web page or markup (HTML, SVG, XML)")
    elif kind == "executable":
        looks = _("a program or script")
    else:
        looks = _("a type of file we do not accept")
    return _(
        "“%(name)s” was not accepted: its content is %(looks)s, whatever its name says. "
        "We accept %(accepted)s."
    ) % {"name": display_name, "looks": looks, "accepted": ACCEPTED_TYPES}


def too_large_message(display_name: str, size: int) -> str:
    return _(
        "“%(name)s” is %(size)s MB, larger than the limit of %(limit)s MB per file. "
        "Make it smaller (for example, compress a video or scan at a lower resolution) or "
        "split it into parts."
    ) % {"name": display_name, "size": megabytes(size), "limit": settings.EVIDENCE_MAX_FILE_MB}


def over_quota_message(display_name: str, used: int) -> str:
    return _(
        "“%(name)s” does not fit: this application may hold %(quota)s MB of files and "
        "%(used)s MB are already used. Remove files you do not need, or make this one smaller."
    ) % {"name": display_name, "quota": settings.EVIDENCE_QUOTA_MB, "used": megabytes(used)}


class _HashingReader(io.RawIOBase):
    """Reads from ``source``, feeding SHA-256 and counting; stops with ``UploadError`` past the
    limit. Not seekable, so Django's storage copies it chunk by chunk."""

    def __init__(self, source, limit: int, display_name: str):
        self.source = source
        self.limit = limit
        self.display_name = display_name
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def read(self, n=-1):
        data = self.source.read(CHUNK if n is None or n < 0 else min(n, CHUNK))
        self.size += len(data)
        if self.size > self.limit:
            raise UploadError(too_large_message(self.display_name, self.size), "too_large")
        self.digest.update(data)
        return data


@dataclass
class Stored:
    name: str
    size: int
    sha256: str
    file_type: filetypes.FileType


def _head(source) -> bytes:
    head = b""
    while len(head) < filetypes.HEAD_BYTES:
        data = source.read(filetypes.HEAD_BYTES - len(head))
        if not data:
            break
        head += data
    return head


class _Prefixed(io.RawIOBase):
    """``head`` followed by the rest of ``source``: the sniffed bytes are not read twice."""

    def __init__(self, head: bytes, source):
        self.head = head
        self.source = source

    def readable(self):
        return True

    def read(self, n=-1):
        if self.head:
            size = len(self.head) if n is None or n < 0 else n
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.source.read(n)


def store(source, *, display_name: str, max_bytes: int) -> Stored:
    head = _head(source)
    file_type = filetypes.sniff(head)
    if file_type is None:
        code = "empty" if filetypes.refusal_kind(head) == "empty" else "forbidden_type"
        raise UploadError(refusal_message(display_name, head), code)
    reader = _HashingReader(_Prefixed(head, source), max_bytes, display_name)
    storage = evidence_storage()
    name = f"items/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
    try:
        saved = storage.save(name, File(reader, name=name))
    except UploadError:
        if storage.exists(name):
            storage.delete(name)
        raise
    return Stored(saved, reader.size, reader.digest.hexdigest(), file_type)


def open_stored(name: str):
    return evidence_storage().open(name, "rb")


def delete_stored(name: str) -> None:
    storage = evidence_storage()
    if name and storage.exists(name):
        storage.delete(name)


# Partial uploads ------------------------------------------------------------------------------


def incoming_dir() -> Path:
    path = Path(settings.EVIDENCE_STORAGE_ROOT) / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(upload_id) -> Path:
    return incoming_dir() / uuid.UUID(str(upload_id)).hex


def append_chunk(upload_id, stream, *, offset: int, limit: int) -> int:
    """Write what ``stream`` holds at ``offset`` of the partial file (at most ``limit`` bytes
    in all); returns the new length. Reads ``CHUNK`` bytes at a time."""
    path = partial_path(upload_id)
    mode = "r+b" if path.exists() else "wb"
    with open(path, mode) as partial:
        partial.seek(offset)
        partial.truncate()
        written = offset
        while True:
            data = stream.read(CHUNK)
            if not data:
                break
            written += len(data)
            if written > limit:
                raise UploadError("", "too_long")
            partial.write(data)
    return written


def read_partial_head(upload_id) -> bytes:
    with open(partial_path(upload_id), "rb") as partial:
        return partial.read(filetypes.HEAD_BYTES)


def discard_partial(upload_id) -> None:
    partial_path(upload_id).unlink(missing_ok=True)


def partial_files() -> list[Path]:
    """The regular files directly under ``incoming/`` (partial uploads and what is left of them)."""
    return sorted(
        entry for entry in incoming_dir().iterdir() if entry.is_file() and not entry.is_symlink()
    )


def upload_id_of(path: Path) -> uuid.UUID | None:
    """The upload a partial file belongs to by its name, or None for a name no upload gives."""
    try:
        upload_id = uuid.UUID(hex=path.name)
    except ValueError:
        return None
    return upload_id if upload_id.hex == path.name else None


def partial_modified(upload_id) -> float | None:
    """When the partial file of an upload last changed (a POSIX timestamp), if there is one."""
    try:
        return partial_path(upload_id).stat().st_mtime
    except FileNotFoundError:
        return None


# The whole storage, for reconciling it with the records that name its files -------------------


def _overlaps_incoming(storage) -> bool:
    """With local files, ``EVIDENCE_STORAGE_ROOT`` is the storage's folder too (the default):
    its ``incoming/`` folder then holds partial uploads, not stored files."""
    location = getattr(storage, "location", None)
    if location is None:
        return False
    return Path(location).resolve() == Path(settings.EVIDENCE_STORAGE_ROOT).resolve()


def stored_names() -> list[str]:
    """Every file name in the evidence storage, partial uploads left out."""
    storage = evidence_storage()
    skip_incoming = _overlaps_incoming(storage)
    if not storage.exists(""):
        return []
    names = []
    pending = [""]
    while pending:
        folder = pending.pop()
        folders, files = storage.listdir(folder)
        prefix = f"{folder}/" if folder else ""
        names.extend(prefix + name for name in files)
        pending.extend(
            prefix + name
            for name in folders
            if not (skip_incoming and not folder and name == "incoming")
        )
    return sorted(names)


def stored_details(name: str) -> tuple[int | None, object]:
    """Size and last change of a stored file, where the storage can tell them."""
    storage = evidence_storage()
    try:
        size = storage.size(name)
    except (NotImplementedError, OSError):
        size = None
    try:
        modified = storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        modified = None
    return size, modified
