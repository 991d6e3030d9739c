"""The case dossier's scores and its PDF (issue 17): a row per score sheet, the learning outcomes
by number, and a tagged PDF/A-3b file that carries them."""

import io

import pikepdf
import pytest
from django.template.loader import render_to_string
from weasyprint import HTML

from quality.audits import dossier
from rpl import pdf
from tests.factories.cases import double_marked_agile_case, sheet
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def doubted(demo, candidate, assessor):
    """A python-basics portfolio scored 3, 1, 1…, the second outcome's evidence not current and
    not sufficient."""
    spec = demo["python-basics"]
    second = spec.outcomes.order_by("position")[1]
    case = case_services.start_case(candidate=candidate, specification=spec)
    rules = {str(second.pk): {"current": False, "sufficient": False}}
    take_and_complete(open_tasks(case)[0], assessor, sheet(spec, 3, 1) | {"rules": rules})
    return case


def _scores(case, step_id):
    entry = next(e for e in dossier.build(case.pk)["steps"] if e["step"].id == step_id)
    return entry["sheets"]


def test_it_reads_a_score_sheet_as_scores_rules_and_comments_by_outcome_number(doubted):
    (row,) = _scores(doubted, "portfolio")
    outcomes = doubted.specification.outcomes.count()
    assert row["round"] == 1 and row["scores"] == [3] + [1] * (outcomes - 1)
    assert row["judged"] and row["unmet"] == [(2, "current, sufficient")]
    assert row["comments"] == [(1, "Clear evidence of the first outcome.")]


def test_it_gives_each_blind_marker_a_row(demo, candidate, assessor, assessor2, identity_officer):
    staff = {"identity_officer": identity_officer, "assessor": assessor, "assessor2": assessor2}
    case = double_marked_agile_case(demo["agile-project-management"], candidate, staff, (4,), (2,))
    rows = next(e["sheets"] for e in dossier.build(case.pk)["steps"] if e["sheets"])
    assert [r["result"].actor for r in rows] == [assessor, assessor2]
    assert [set(r["scores"]) for r in rows] == [{4}, {2}]


def test_it_prints_the_scores_in_a_tagged_pdf_a(doubted):
    data = dossier.build(doubted.pk)
    document = pikepdf.open(io.BytesIO(dossier.render_pdf(data)))
    assert document.Root.MarkInfo.Marked and len(document.Root.StructTreeRoot.K) > 0
    with document.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
    html = render_to_string(dossier.PDF_TEMPLATE, data)
    printed = HTML(string=html, base_url=None).render(
        stylesheets=[pdf.stylesheet(dossier.PDF_STYLESHEET)]
    )
    lines = [
        box.text for page in printed.pages for box in _boxes(page._page_box) if hasattr(box, "text")
    ]
    text = " ".join(" ".join(lines).split())
    first, second = doubted.specification.outcomes.order_by("position")[:2]
    assert f"1. {first.statement}" in text and f"2. {second.statement}" in text
    assert "Not all met: 2 — current, sufficient" in text
    assert "1: Clear evidence of the first outcome." in text


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)
