import pytest

from rpl.lib import filetypes
from tests.factories.evidence import ELF, HTML, PDF, PNG

ZIP_DOCX = b"PK\x03\x04" + b"\x14\x00" * 13 + b"[Content_Types].xml" + b"word/document.xml"
ODT = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"ID3\x04\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64", "audio/mpeg"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (ZIP_DOCX, filetypes.DOCX.mime),
        (ODT, filetypes.ODT.mime),
        (b"PK\x03\x04" + b"\x00" * 40 + b"photo.jpg", "application/zip"),
        ("Zażółć gęślą jaźń\nI built it.\n".encode(), "text/plain"),
    ],
)
def test_it_recognises_allowed_types_from_content(head, mime):
    assert filetypes.sniff(head).mime == mime


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (ELF, "executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (HTML, "html"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "html"),
        (b"<?xml version='1.0'?><x/>", "html"),
        (b"\x00\x01\x02\x03binary", "unknown"),
        (b"", "empty"),
    ],
)
def test_it_refuses_everything_else(head, kind):
    assert filetypes.sniff(head) is None
    assert filetypes.refusal_kind(head) == kind


def test_it_accepts_text_cut_inside_a_multibyte_character():
    assert filetypes.sniff("abc ż".encode()[:-1]) is filetypes.TEXT
