"""The PDF certificate of an issued credential (WeasyPrint), in Polish and in English.

Both languages are on the certificate (Polish first, English after), with the EU elements and the
recognised learning outcomes; a QR code points to the public verification page, and the signed
credential (JSON-LD) is attached inside the PDF file as ``credential-<id>.jsonld`` (an embedded
file, ``/EmbeddedFile`` in the PDF), so that the paper and the machine-verifiable credential travel
together.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from django.utils import translation

from credentials.issuing import documents as issuing


def qr_svg(url: str) -> str:
    """An SVG QR code for ``url`` (error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def attachment_name(credential) -> str:
    return f"credential-{credential.public_id}.jsonld"


def render_html(credential) -> str:
    url = issuing.credential_url(credential.public_id)
    document = credential.document
    versions = []
    for language in ("pl", "en"):
        with translation.override(language):
            versions.append({"language": language, "about": issuing.describe(document), "url": url})
    qr = base64.b64encode(qr_svg(url).encode("utf-8")).decode("ascii")
    return render_to_string(
        "credentials/issued/certificate.html",
        {
            "versions": versions,
            "qr_data_uri": f"data:image/svg+xml;base64,{qr}",
            "url": url,
            "credential": credential,
        },
    )


def render_pdf(credential) -> bytes:
    """The certificate as PDF bytes, with the signed credential attached."""
    from weasyprint import HTML, Attachment

    attachment = Attachment(
        string=credential.document_json,
        name=attachment_name(credential),
        description="Open Badges 3.0 credential (JSON-LD, eddsa-rdfc-2022)",
        relationship="Source",
    )
    return HTML(string=render_html(credential), base_url=None).write_pdf(
        attachments=[attachment], pdf_identifier=str(credential.public_id).encode("ascii")
    )
