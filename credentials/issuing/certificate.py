"""The PDF certificate of an issued credential (WeasyPrint): one landscape page in Polish and one
in English.

Each page carries the awarding body's mark and name, the badge, the learner's name, the
recognised learning outcomes, the EU elements, a signatory line naming the awarding body, the
credential number, a short verification code and a QR code of the public verification page. The
PDF is tagged and PDF/A-3b; the signed credential (JSON-LD) is inside it as an associated file
(``/AF``, relationship ``Source``), so that the paper and the machine-verifiable credential travel
together.
"""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from credentials.issuing import badges
from credentials.issuing import documents as issuing
from rpl import pdf

TEMPLATE = "credentials/issued/certificate.html"
STYLESHEET = "credentials/issued/certificate.css"
# Past this many characters of outcome text the page sets the outcomes smaller, to stay one page.
LONG_OUTCOMES = 650


def verification_code(credential) -> str:
    """A short code a reader compares with the verification page's address: the first eight
    characters of the credential number, in two groups."""
    head = credential.public_id.hex[:8].upper()
    return f"{head[:4]}-{head[4:]}"


def attachment_name(credential) -> str:
    return f"credential-{credential.public_id}.jsonld"


def _page(credential, language: str) -> dict:
    with translation.override(language):
        about = issuing.describe(credential.document)
        badge = badges.layout(credential.specification)
        # Elements are told apart by their labels, in the language of the page.
        in_large_type = {_("Learner"), _("Title"), _("Awarding body")}
        headline = {_("Notional workload"), _("Level"), _("Grade achieved")}
        unknown = _("Not specified")
    return {
        "language": language,
        "about": about,
        "details": [(k, v) for k, v in about["elements"] if k not in in_large_type],
        "facts": [v for k, v in about["elements"] if k in headline and v != unknown],
        "compact": sum(len(o) for o in about["outcomes"]) > LONG_OUTCOMES,
        "mark": pdf.monogram(about["issuer"]),
        "badge": badge,
    }


def render_html(credential) -> str:
    return render_to_string(TEMPLATE, context(credential))


def context(credential) -> dict:
    url = issuing.credential_url(credential.public_id)
    number = str(credential.public_id)
    return {
        "pages": [_page(credential, language) for language in ("pl", "en")],
        "qr_data_uri": pdf.qr_data_uri(url),
        "url": url,
        "number_head": number[:19],
        "number_tail": number[19:],
        "code": verification_code(credential),
        "credential": credential,
    }


def render_pdf(credential) -> bytes:
    """The certificate as PDF bytes, with the signed credential attached."""
    return pdf.render_pdf(
        TEMPLATE,
        context(credential),
        attachments=(
            pdf.Attachment(
                name=attachment_name(credential),
                content=credential.document_json,
                description="Open Badges 3.0 credential (JSON-LD, eddsa-rdfc-2022)",
            ),
        ),
        identifier=credential.public_id.hex,
        css=STYLESHEET,
    )
