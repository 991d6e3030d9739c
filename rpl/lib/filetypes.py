"""Tell a file's type from its first bytes, against an allow-list; names are never trusted.

``sniff(head: bytes) -> FileType | None``
    ``head`` is the start of the file (``HEAD_BYTES`` is enough). Returns the allowed type the
    content shows, or ``None`` when the content is of no allowed type (an executable, a web page,
    a script, anything unknown). Framework-free.

``refusal_kind(head) -> str``
    For a refused file, a short word for what the content looks like (``"html"``, ``"executable"``,
    ``"unknown"``), so that messages can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str  # English; callers translate with their own table when showing it
    extensions: tuple[str, ...]
    family: str  # document, image, audio, video, archive, text

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("application/pdf", "PDF document", (".pdf",), "document")
PNG = FileType("image/png", "PNG image", (".png",), "image")
JPEG = FileType("image/jpeg", "JPEG image", (".jpg", ".jpeg"), "image")
GIF = FileType("image/gif", "GIF image", (".gif",), "image")
WEBP = FileType("image/webp", "WebP image", (".webp",), "image")
MP3 = FileType("audio/mpeg", "MP3 audio", (".mp3",), "audio")
M4A = FileType("audio/mp4", "MPEG-4 audio", (".m4a", ".mp4"), "audio")
MP4 = FileType("video/mp4", "MPEG-4 video", (".mp4", ".m4v"), "video")
MOV = FileType("video/quicktime", "QuickTime video", (".mov",), "video")
WAV = FileType("audio/wav", "WAV audio", (".wav",), "audio")
OGG = FileType("audio/ogg", "Ogg audio or video", (".ogg", ".oga", ".ogv", ".opus"), "audio")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document",
    (".docx",),
    "document",
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel spreadsheet",
    (".xlsx",),
    "document",
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint presentation",
    (".pptx",),
    "document",
)
ODT = FileType(
    "application/vnd.oasis.opendocument.text", "OpenDocument text", (".odt",), "document"
)
ODS = FileType(
    "application/vnd.oasis.opendocument.spreadsheet",
    "OpenDocument spreadsheet",
    (".ods",),
    "document",
)
ODP = FileType(
    "application/vnd.oasis.opendocument.presentation",
    "OpenDocument presentation",
    (".odp",),
    "document",
)
ZIP = FileType("application/zip", "ZIP archive", (".zip",), "archive")
TEXT = FileType("text/plain", "plain text", (".txt",), "text")

ALLOWED = (
    PDF,
    PNG,
    JPEG,
    GIF,
    WEBP,
    MP3,
    M4A,
    MP4,
    MOV,
    WAV,
    OGG,
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    ODP,
    ZIP,
    TEXT,
)
BY_MIME = {file_type.mime: file_type for file_type in ALLOWED}

_ODF = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.presentation": ODP,
}
_OOXML = {b"word/": DOCX, b"xl/": XLSX, b"ppt/": PPTX}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_MARKUP = re.compile(
    rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe|<object|<embed|<meta|<link|<style|<!--)",
    re.IGNORECASE,
)
_EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"MZ",
    b"\xfe\xed\xfa",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


def sniff(head: bytes) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(head) >= 12 and head.startswith(b"RIFF"):
        return {b"WEBP": WEBP, b"WAVE": WAV}.get(head[8:12])
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3 if _plausible_mp3(head) else None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _M4A_BRANDS:
            return M4A
        if brand == b"qt  ":
            return MOV
        return MP4
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(head)
    return _text(head)


def _plausible_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    # An MPEG audio frame header: sync bits, then a layer that is not "reserved" and a bitrate
    # index that is neither free nor bad.
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4 if len(head) > 2 else 0
    return layer != 0 and bitrate not in (0, 15)


def _zip_kind(head: bytes) -> FileType:
    # The first entry of an OpenDocument file is an uncompressed "mimetype" naming the kind.
    if head[30:38] == b"mimetype":
        for marker, file_type in _ODF.items():
            if head[38 : 38 + len(marker) + 20].startswith(marker):
                return file_type
    if b"[Content_Types].xml" in head or any(marker in head for marker in _OOXML):
        for marker, file_type in _OOXML.items():
            if marker in head:
                return file_type
    return ZIP


def _text(head: bytes) -> FileType | None:
    if not head or b"\x00" in head:
        return None
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a multi-byte character; anything earlier is not UTF-8.
        if error.start < len(body) - 3:
            return None
        text = body[: error.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls or _MARKUP.match(body) or body.startswith(b"#!"):
        return None
    return TEXT


def refusal_kind(head: bytes) -> str:
    if head.startswith(_EXECUTABLE_MAGIC):
        return "executable"
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if _MARKUP.match(body):
        return "html"
    if not head:
        return "empty"
    return "unknown"
