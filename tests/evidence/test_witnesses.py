"""Witnesses: the relation asked as a field and spoken of in the third person, the privacy notice
and the required declaration on the witness's page, and the testimony titled in the candidate's
language."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from evidence import models
from evidence.models import EvidenceItem, WitnessRequest
from evidence.witnesses import services
from rpl.audit.models import AuditEvent
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db

REQUEST = {
    "witness_name": "Wanda Witness",
    "witness_email": "wanda@example.org",
    "relation": "manager",
    "relationship": "Head of IT, Acme Ltd",
    "claim": "Alice automated our reports in Python.",
}
TESTIMONY = {
    "full_name": "Wanda Witness",
    "position": "Head of IT, Acme",
    "relationship": "I managed her team from 2019 to 2023.",
    "confirmation": "yes",
    "statement": "She wrote and maintained the report scripts.",
}


def _ask(client, application, **changes):
    client.force_login(application.candidate)
    url = reverse("evidence:witnesses", args=[application.pk])
    return client.post(url, {**REQUEST, **changes})


def _link():
    return re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)


def _invite(application, **changes):
    data = {**REQUEST, **changes}
    return services.invite_witness(application, actor=application.candidate, **data)


# The request: how the witness knows the work is a field ------------------------------------------


def test_it_asks_how_the_witness_knows_the_work_and_writes_to_them_in_the_third_person(
    client, application
):
    response = _ask(client, application)
    assert response.status_code == 302
    request = WitnessRequest.objects.get()
    assert (request.relation, request.relationship) == ("manager", "Head of IT, Acme Ltd")
    invitation = mail.outbox[-1]
    assert invitation.to == ["wanda@example.org"]
    assert (
        "Alice Candidate is applying for recognition of what they learned at work "
        "(“Python programming basics”) and asks you, as their manager or supervisor "
        "(Head of IT, Acme Ltd), to confirm it." in " ".join(invitation.body.split())
    )
    assert " my " not in invitation.body.lower()
    listing = client.get(reverse("evidence:witnesses", args=[application.pk])).content.decode()
    assert "Manager or supervisor · Head of IT, Acme Ltd" in listing
    event = AuditEvent.objects.get(action="witness.invited")
    assert event.changes["relation"] == "manager"


@pytest.mark.parametrize(
    ("relation", "phrase"),
    [
        ("manager", "as their manager or supervisor (Acme)"),
        ("colleague", "as a colleague (Acme)"),
        ("client", "as a client or customer (Acme)"),
        ("teacher", "as their teacher or trainer (Acme)"),
        ("other", "as someone who knows their work (Acme)"),
    ],
)
def test_it_names_every_relation_in_the_third_person(application, relation, phrase):
    request, _token = _invite(application, relation=relation, relationship="Acme")
    assert services.as_relation(request) == phrase


def test_it_refuses_a_request_without_the_relation_and_keeps_what_was_typed(client, application):
    response = _ask(client, application, relation="", relationship="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose how they know your work." in page
    assert "Give their role or organisation." in page
    assert "Alice automated our reports in Python." in page and "wanda@example.org" in page
    assert not WitnessRequest.objects.exists()
    assert mail.outbox == []
    assert _ask(client, application, relation="boss").status_code == 200
    assert not WitnessRequest.objects.exists()


def test_it_keeps_requests_made_before_the_relation_was_asked_readable(client, application):
    # A row as the previous release stored it: no relation (the migration's default), and the
    # candidate's own words in ``relationship``.
    request, token = services.invite_witness(
        application,
        actor=application.candidate,
        witness_name="Wanda Witness",
        witness_email="wanda@example.org",
        relationship="my supervisor at Acme",
        claim="Alice automated our reports.",
    )
    assert request.relation == WitnessRequest.Relation.OTHER
    page = client.get(reverse("evidence:witness", args=[token])).content.decode()
    assert "as someone who knows their work (my supervisor at Acme)" in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_candidate_ask_a_witness(client, request, application, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("evidence:witnesses", args=[application.pk])
    # the candidate fixture owns the application
    assert client.post(url, REQUEST).status_code == (302 if persona == "candidate" else 403)
    assert WitnessRequest.objects.count() == (1 if persona == "candidate" else 0)


def test_it_hides_the_request_form_of_one_candidate_from_another(client, candidate2, application):
    client.force_login(candidate2)
    url = reverse("evidence:witnesses", args=[application.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, REQUEST).status_code == 404
    assert not WitnessRequest.objects.exists()


# The witness's page: privacy notice and declaration ----------------------------------------------


def test_it_tells_the_witness_what_is_kept_who_reads_it_and_for_how_long(client, application):
    _invite(application)
    page = client.get(_link()).content.decode()
    assert "What happens to what you write" in page
    assert "What we keep" in page and "the e-mail address the candidate gave us" in page
    assert "Who reads it" in page
    assert "the assessors and decision makers who judge it and the quality officers" in page
    assert "For how long" in page and "kept with the case record" in page
    assert (
        "asks you to confirm their work as their manager or supervisor (Head of IT, Acme Ltd)."
        in " ".join(page.split())
    )
    assert "I confirm that what I wrote is true and that I know the candidate" in page


def test_it_refuses_a_testimony_without_the_declaration_and_keeps_every_word(client, application):
    _invite(application)
    link = _link()
    response = client.post(link, TESTIMONY)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tick the declaration to send your testimony" in page
    for value in TESTIMONY.values():
        if value != "yes":
            assert value in page, value
    assert re.search(r'<input type="radio" name="confirmation" value="yes"[^>]*checked', page)
    assert re.search(r'<input type="checkbox" name="declaration"[^>]*aria-invalid="true"', page)
    assert WitnessRequest.objects.get().status == WitnessRequest.Status.SENT
    assert not models.Testimony.objects.exists() and not EvidenceItem.objects.exists()
    assert client.get(link).status_code == 200  # the single-use link still works


def test_it_records_the_declaration_with_the_testimony(
    client, application, django_capture_on_commit_callbacks
):
    _invite(application)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_link(), {**TESTIMONY, "declaration": "on"})
    assert "your testimony has been received" in response.content.decode()
    testimony = models.Testimony.objects.get()
    assert testimony.declared_at is not None
    assert testimony.declared_at == testimony.created_at
    event = AuditEvent.objects.get(action="witness.testimony_received")
    assert event.changes["declared"] is True


# The testimony in the portfolio: titled in the candidate's language ------------------------------


def test_it_titles_the_testimony_in_the_candidates_language_not_the_witnesss(client, application):
    application.candidate.language = "pl"
    application.candidate.save(update_fields=["language"])
    _invite(application)
    response = client.post(_link(), {**TESTIMONY, "declaration": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "your testimony has been received" in response.content.decode()  # in English
    item = models.Testimony.objects.get().item
    with translation.override("pl"):
        expected = translation.gettext("Testimony of %(name)s") % {"name": "Wanda Witness"}
    assert expected != "Testimony of Wanda Witness"  # the Polish catalogue has it
    assert item.title == expected


def test_it_titles_the_testimony_in_english_for_an_english_speaking_candidate(client, application):
    application.candidate.language = "en"
    application.candidate.save(update_fields=["language"])
    _invite(application)
    client.post(_link(), {**TESTIMONY, "declaration": "on"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert models.Testimony.objects.get().item.title == "Testimony of Wanda Witness"
