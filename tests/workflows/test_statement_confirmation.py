"""Anyone can confirm a statement of recognised outcomes (issue 16): a public page at the case's
unguessable address shows what the institution recorded; the PDF prints that address and its QR
code, and is a tagged PDF/A-3b file on one page."""

import uuid

import pytest
from django.template.loader import render_to_string

from rpl import pdf
from tests.credentials.issuing.test_certificate_pdf import assert_archival, page_texts
from tests.workflows.appeal_helpers import as_user, decided_case, people
from workflows.cases import recognition_statement as statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://rpl.example.org"


@pytest.fixture
def who(candidate, assessor, decision_maker, identity_officer):
    return people(candidate, assessor, decision_maker, identity_officer)


@pytest.fixture
def case(who):
    return decided_case(who, outcome="partial", recognised=(1, 3))


def test_it_confirms_the_statement_to_anyone_at_its_unguessable_address(case, client):
    first, second, third, *_ = case.specification.outcomes.order_by("position")
    address = f"/applications/statements/{case.statement_key}/"
    assert statement.confirmation_url(case) == f"https://rpl.example.org{address}"
    response = client.get(address)
    body = response.content.decode()
    assert response.status_code == 200
    assert case.candidate.get_full_name() in body
    assert case.specification.title in body
    assert f"Confirmed by {case.specification.awarding_body.name}" in body
    assert first.statement in body and third.statement in body
    assert second.statement not in body
    assert client.get(f"/applications/statements/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("outcome", ["none", "full"])
def test_it_confirms_no_statement_for_other_decisions(who, client, outcome):
    case = decided_case(who, outcome=outcome)
    assert client.get(f"/applications/statements/{case.statement_key}/").status_code == 404


def test_it_prints_the_confirmation_address_and_its_qr_code_on_one_archival_page(case, who):
    response = as_user(who.candidate).get(f"/applications/{case.application_id}/case/statement.pdf")
    document = assert_archival(response.content)
    assert len(document.pages) == 1
    html = render_to_string(
        statement.PDF_TEMPLATE, statement.pdf_context(statement.statement_of(case))
    )
    url = statement.confirmation_url(case)
    assert pdf.qr_data_uri(url) in html
    (text,) = page_texts(html)
    assert url in text and case.candidate.get_full_name() in text
