"""The front door: the landing page for visitors, the way to sign up from the log-in page, the
candidate's home (what to do next, the state of each application, the credentials), "My
credentials" in every candidate's menu and the developer links for staff only."""

import pytest

from credentials.catalogue.vocabularies import Status
from tests.factories.catalogue import make_specification
from tests.factories.credentials import issue
from tests.factories.people import PERSONAS
from tests.workflows import candidate_stages as stages

pytestmark = pytest.mark.django_db

STAFF = ["assessor", "identity_officer", "decision_maker", "quality_officer", "administrator"]


@pytest.fixture
def specs(assessor, decision_maker, identity_officer):
    return stages.catalogue([assessor, decision_maker, identity_officer])


def test_it_shows_visitors_what_recognition_is_and_what_is_open(client, specs):
    unstaffed = make_specification(slug="not-ready", title_en="Not ready yet")
    draft = make_specification(slug="a-draft", title_en="Still a draft", status=Status.DRAFT)

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Get recognition for what you already know" in body
    assert "signed EU micro-credential that anyone can verify" in body
    assert 'href="/accounts/signup/"' in body
    assert 'href="/accounts/login/"' in body
    assert 'href="/catalogue/"' in body
    assert 'href="/catalogue/python-basics/"' in body
    assert "See the whole catalogue: 4 micro-credentials" in body
    assert not unstaffed.is_open and unstaffed.title not in body
    assert draft.title not in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_keeps_the_landing_page_for_visitors(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/", follow=True).content.decode()
    assert "Get recognition for what you already know" not in body


def test_it_offers_to_sign_up_from_the_log_in_page_keeping_where_to_go(client, db):
    body = client.get("/accounts/login/?next=/catalogue/python-basics/").content.decode()
    assert '<a href="/accounts/signup/?next=/catalogue/python-basics/">' in body
    assert "New here? Create an account" in body


@pytest.mark.parametrize("persona", STAFF)
def test_it_shows_the_developer_links_to_staff(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/catalogue/").content.decode()
    assert "API documentation" in body and "Your API tokens" in body


@pytest.mark.parametrize("persona", ["candidate", "outsider", None])
def test_it_hides_the_developer_links_from_candidates_and_visitors(client, request, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    body = client.get("/catalogue/").content.decode()
    assert "API documentation" not in body and "Your API tokens" not in body


@pytest.mark.parametrize("path", ["/home/candidate/", "/catalogue/", "/credentials/wallet/"])
def test_it_puts_my_credentials_in_the_candidates_menu_once(client, candidate, path):
    client.force_login(candidate)
    body = client.get(path).content.decode()
    assert body.count('href="/credentials/wallet/"') == 1


@pytest.mark.parametrize("persona", [*STAFF, "outsider"])
def test_it_leaves_my_credentials_out_of_other_menus(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert 'href="/credentials/wallet/"' not in client.get("/catalogue/").content.decode()


def test_it_shows_the_candidate_what_to_do_and_where_each_application_stands(
    client, candidate, specs, assessor
):
    stages.asked_for_more(stages.submitted(candidate, specs["python-basics"]), assessor)
    stages.draft(candidate, specs["mig-mag-welding"])
    client.force_login(candidate)

    body = client.get("/home/candidate/").content.decode()

    assert "Add the evidence the assessors ask for" in body
    assert stages.REQUEST in body
    assert "Finish and submit your application" in body
    assert ">Action needed</span>" in body and ">Draft</span>" in body
    assert "You have not started an application yet." not in body


def test_it_shelves_the_credentials_of_a_candidate_without_applications(client, candidate, specs):
    credential = issue(candidate, specs["python-basics"])
    client.force_login(candidate)

    body = client.get("/home/candidate/").content.decode()

    assert "Your micro-credential is ready" in body
    assert "Choose a micro-credential to apply for" in body
    assert f'href="/credentials/{credential.public_id}/"' in body
