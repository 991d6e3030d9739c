"""The certificate looks like one and is an archival, accessible PDF (issue 16): one landscape page
per language with the learner, the outcomes, the signatory line and the verification block; a
tagged PDF/A-3b file whose associated file is the signed credential."""

import io
import shutil
import subprocess

import pikepdf
import pytest
from weasyprint import HTML

from credentials.issuing import certificate
from credentials.issuing import documents as issuing
from rpl import pdf
from tests.factories.credentials import issue

pytestmark = pytest.mark.django_db


def _boxes(box):
    box = getattr(box, "_box", box)  # an absolutely positioned box sits in a placeholder
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def page_texts(html: str) -> list[str]:
    """The text laid out on each page, as WeasyPrint placed it."""
    document = HTML(string=html, base_url=None).render(
        stylesheets=[pdf.stylesheet(certificate.STYLESHEET)]
    )
    return [
        " ".join(box.text for box in _boxes(page._page_box) if hasattr(box, "text"))
        for page in document.pages
    ]


def assert_archival(data: bytes) -> pikepdf.Pdf:
    """Tagged (a structure tree, marked content) and identified as PDF/A-3b with an output
    intent: what veraPDF checks first, read with pikepdf (qpdf)."""
    document = pikepdf.open(io.BytesIO(data))
    root = document.Root
    assert root.MarkInfo.Marked
    assert "/StructTreeRoot" in root and len(root.StructTreeRoot.K) > 0
    assert str(root.OutputIntents[0].S) == "/GTS_PDFA1"
    with document.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
    return document


def test_it_prints_one_landscape_page_per_language_with_everything_a_certificate_shows(issued):
    data = certificate.render_pdf(issued)
    document = assert_archival(data)
    assert len(document.pages) == 2
    for page in document.pages:
        left, bottom, right, top = (float(v) for v in page.MediaBox)
        assert right - left > top - bottom  # landscape
    polish, english = page_texts(certificate.render_html(issued))
    code = certificate.verification_code(issued)
    for text, words in [
        (polish, ["Uczelnia", "Analiza danych", "Efekt uczenia się 1", "Efekt uczenia się 3"]),
        (english, ["Test organisation", "Data analysis", "Learning outcome 3", "Date of issue"]),
    ]:
        assert issued.learner.get_full_name() in text
        assert all(word in text for word in words), (words, text)
        assert code in text and str(issued.public_id)[:19] in text
        assert issuing.credential_url(issued.public_id) in text


def test_it_carries_the_signed_credential_as_the_pdf_a_source_file(issued):
    document = pikepdf.open(io.BytesIO(certificate.render_pdf(issued)))
    # WeasyPrint 70 lists the one file specification twice in /AF.
    (spec,) = {item.objgen: item for item in document.Root.AF}.values()
    assert str(spec.AFRelationship) == "/Source"
    assert str(spec.UF) == certificate.attachment_name(issued)
    assert spec.EF.F.read_bytes().decode() == issued.document_json


@pytest.mark.skipif(not shutil.which("verapdf"), reason="veraPDF is not installed (no registry)")
def test_it_passes_verapdf_as_pdf_a_3b(issued, tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate.render_pdf(issued))
    report = subprocess.run(
        ["verapdf", "--flavour", "3b", str(path)], capture_output=True, text=True, check=False
    ).stdout
    assert 'isCompliant="true"' in report


def test_it_puts_the_grade_and_its_scale_beside_the_workload_and_level(candidate, specification):
    credential = issue(candidate, specification, grade="Pass")
    polish, english = certificate.context(credential)["pages"]
    assert english["facts"] == [
        "2.5 ECTS credits, 60 hours",
        "EQF level 4, PRK level 4",
        "Pass (scale: Pass, Fail)",
    ]
    assert len(polish["facts"]) == 3
    assert not any(label == "Learner" for label, _ in english["details"])
