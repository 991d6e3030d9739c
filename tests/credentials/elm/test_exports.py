"""Where the ELM exports are got, the status they report and the sealer seam (no SHACL here)."""

import json

import pytest
from django.urls import reverse

from credentials.elm.mapping import europass_credential
from credentials.issuing import services as issuing_services
from credentials.issuing import status_lists
from rpl.accounts.roles import Role
from rpl.lib.bitstring_status import StatusList as Bitstring
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue
from tests.factories.people import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return make_user(Role.CANDIDATE, full_name="Anna Nowak")


@pytest.fixture
def credential(learner):
    organisation = make_organisation(identifier="PL5252248481")
    return issue(learner, make_specification(organisation, slug="elm-export"))


def sealed(document):
    return {**document, "proof": "sealed by the operator"}


def test_it_lets_the_learner_download_the_europass_document(client, learner, credential):
    client.force_login(learner)
    wallet = client.get(reverse("issued:wallet")).content.decode()
    url = reverse("issued:download", args=[credential.public_id, "elm"])
    assert f'href="{url}"' in wallet

    response = client.get(url)

    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"].endswith('-europass.jsonld"')
    document = json.loads(response.content)
    assert document["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert document["credentialSubject"]["fullName"] == {"en": "Anna Nowak"}
    client.force_login(make_user(Role.CANDIDATE))
    assert client.get(url).status_code == 404


def test_it_hands_the_document_to_the_operators_sealer(client, learner, credential, settings):
    settings.ELM_SEALER = "tests.credentials.elm.test_exports.sealed"
    client.force_login(learner)

    response = client.get(reverse("issued:download", args=[credential.public_id, "elm"]))

    assert json.loads(response.content)["proof"] == "sealed by the operator"


def test_it_reports_the_status_of_the_open_badge_entry(credential):
    status = europass_credential(credential)["credentialStatus"]
    entry = credential.document["credentialStatus"]
    assert status == {"@value": entry["id"], "@type": "xsd:anyURI"}
    list_url, index = status["@value"].split("#")

    issuing_services.revoke(credential, actor=None, reason="Plagiarised evidence")

    published = status_lists.published(status_lists.find_by_url(list_url))
    bits = Bitstring.decode(published["credentialSubject"]["encodedList"], status_size=2)
    assert bits.get(int(index)) == 2  # revoked, in the list the unchanged export points at
    assert europass_credential(credential)["credentialStatus"] == status


def test_it_publishes_only_published_specifications_in_the_catalogue(client):
    organisation = make_organisation()
    make_specification(organisation, slug="elm-published")
    make_specification(organisation, slug="elm-draft", status="draft")

    response = client.get("/catalogue/elm.jsonld")

    assert response["Content-Type"] == "application/ld+json"
    pages = [item["homepage"]["contentURL"] for item in json.loads(response.content)["@graph"]]
    assert [page.rsplit("/", 2)[-2] for page in pages] == ["elm-published"]
