"""Pages printed to PDF with WeasyPrint: a template and its context, no outside resources
(``base_url=None``: nothing is fetched while printing).

Every PDF is tagged (a structure tree that screen readers and PDF/UA checkers read) and PDF/A-3b,
the archival form that may carry other files: an attachment is an associated file (``/AF``) of
the document with the relationship given (the signed credential is the certificate's ``Source``).

WeasyPrint's first document in a process pays for importing it and for loading fonts (about a
second); :func:`warm_up` pays it in advance, at a web process's start (``config/wsgi.py``).
Documents share one font configuration per thread (:func:`font_config`): a new one per document
finds and loads every font again, a fifth of a certificate's time. A document's stylesheet is a
file of its own, parsed once per process (:func:`stylesheet`).
"""

import base64
import io
import threading
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from django.template.loader import render_to_string

PDF_VARIANT = "pdf/a-3b"
# Words a monogram skips (English and Polish).
SMALL_WORDS = {"of", "the", "and", "for", "in", "i", "w", "we", "z", "na", "do"}

_per_thread = threading.local()


@dataclass(frozen=True)
class Attachment:
    name: str
    content: str
    description: str
    relationship: str = "Source"


def font_config():
    """This thread's WeasyPrint font configuration (Pango's font map is not shared between
    threads; a sync worker has one thread, the development server several)."""
    if not hasattr(_per_thread, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _per_thread.font_config = FontConfiguration()
    return _per_thread.font_config


@lru_cache(maxsize=16)
def stylesheet(name: str):
    """The template ``name`` (plain CSS) as a parsed WeasyPrint stylesheet, kept for the life of
    the process as compiled templates are."""
    from weasyprint import CSS

    return CSS(string=render_to_string(name), base_url=None)


def render_pdf(
    template: str,
    context: dict,
    attachments: tuple[Attachment, ...] = (),
    identifier: str = "",
    css: str = "",
) -> bytes:
    """``template`` rendered with ``context`` as PDF bytes; ``css``: the name of its stylesheet
    (:func:`stylesheet`), when it has one of its own rather than a ``<style>`` element."""
    from weasyprint import HTML
    from weasyprint import Attachment as WeasyAttachment

    return HTML(string=render_to_string(template, context), base_url=None).write_pdf(
        stylesheets=[stylesheet(css)] if css else None,
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        pdf_identifier=identifier.encode("ascii") if identifier else None,
        font_config=font_config(),
        attachments=[
            WeasyAttachment(
                string=a.content,
                name=a.name,
                description=a.description,
                relationship=a.relationship,
            )
            for a in attachments
        ],
    )


def data_uri(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(content).decode("ascii")


@lru_cache(maxsize=64)
def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` (error correction M), a one-bit PNG: a raster is embedded as it is,
    where an SVG path of every module costs the printer a long drawing."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return data_uri(buffer.getvalue(), "image/png")


def monogram(name: str) -> str:
    """Up to three initials of an institution's name, for a typographic mark."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in SMALL_WORDS]
    return "".join(w[0] for w in words if w[0].isalnum())[:3].upper() or "—"


WARM_UP_PAGE = (
    '<html lang="en"><p style="font-family: DejaVu Sans">Aą <b>Bę</b> <i>Ć</i> '
    '<b style="font-family: Liberation Serif">D</b> '
    '<span style="font-family: DejaVu Sans Mono">0</span> '
    '<img src="{png}" alt="Q"> <img src="{svg}" alt="S"></p>'
)
WARM_UP_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>E</text></svg>'


def warm_up() -> None:
    """Import WeasyPrint and lay out the fonts the documents use, so that the first PDF a
    person asks for is as fast as the next."""
    from weasyprint import HTML

    page = WARM_UP_PAGE.format(
        png=qr_data_uri("warm-up"), svg=data_uri(WARM_UP_SVG.encode(), "image/svg+xml")
    )
    HTML(string=page, base_url=None).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=font_config()
    )
