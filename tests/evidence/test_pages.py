"""Who gets into each candidate page; nobody reaches another candidate's data by guessing ids."""

import pytest
from django.urls import reverse

from evidence.portfolio import services
from evidence.uploads import services as upload_services
from evidence.witnesses import services as witness_services
from tests.factories.evidence import PDF, add_file
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db


def _invite(application):
    request, token = witness_services.invite_witness(
        application,
        actor=application.candidate,
        witness_name="Wanda Witness",
        witness_email="wanda@example.org",
        relationship="my supervisor",
        claim="Alice wrote our scripts.",
    )
    return request, token


def _urls(application, item):
    pk = application.pk
    return [
        reverse("evidence:applications"),
        reverse("evidence:apply", args=[application.specification.slug]),
        reverse("evidence:application", args=[pk]),
        reverse("evidence:self_assessment", args=[pk]),
        reverse("evidence:evidence", args=[pk]),
        reverse("evidence:add_item", args=[pk, "link"]),
        reverse("evidence:add_item", args=[pk, "statement"]),
        reverse("evidence:edit_item", args=[pk, item.pk]),
        reverse("evidence:download", args=[pk, item.pk]),
        reverse("evidence:matrix", args=[pk]),
        reverse("evidence:witnesses", args=[pk]),
        reverse("case_timeline", args=[pk]),
        reverse("application_withdraw", args=[pk]),
        reverse("my_data_export"),
    ]


OWN_ONLY = slice(2, 13)  # the URLs above that name one application


@pytest.fixture
def item(application):
    return add_file(application, "cv.pdf", PDF)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_candidates_in(client, request, persona, application, item):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _urls(application, item):
        response = client.get(url)
        if persona == "candidate":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


def test_it_sends_anonymous_visitors_to_log_in(client, application, item):
    for url in _urls(application, item):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    for url in [
        reverse("application_submit", args=[application.pk]),
        reverse("evidence:upload_start", args=[application.pk]),
    ]:
        assert client.post(url).status_code == 302


def test_it_hides_one_candidates_application_files_and_testimonies_from_another(
    client, candidate2, application, item, other_application
):
    request, token = _invite(application)
    witness_services.record_testimony(
        token,
        full_name="Wanda Witness",
        position="Head of IT, Acme",
        relationship="Two years",
        confirmation="yes",
        statement="She did.",
    )
    testimony_item = request.testimony.item
    upload = upload_services.begin_upload(
        application, actor=application.candidate, name="a.pdf", size=99
    )
    client.force_login(candidate2)
    own = _urls(application, item)[OWN_ONLY]
    extra = [
        reverse("evidence:edit_item", args=[application.pk, testimony_item.pk]),
        reverse("evidence:upload_chunk", args=[application.pk, upload.pk]),
        # their own application id with someone else's item or upload
        reverse("evidence:edit_item", args=[other_application.pk, item.pk]),
        reverse("evidence:download", args=[other_application.pk, item.pk]),
        reverse("evidence:upload_chunk", args=[other_application.pk, upload.pk]),
    ]
    for url in own + extra:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("evidence:delete_item", args=[application.pk, item.pk]),
        reverse("evidence:delete_item", args=[other_application.pk, item.pk]),
        reverse("application_submit", args=[application.pk]),
        reverse("application_withdraw", args=[application.pk]),
        reverse("evidence:upload_start", args=[application.pk]),
        f"{reverse('evidence:upload_chunk', args=[application.pk, upload.pk])}?offset=0",
        reverse("evidence:self_assessment", args=[application.pk]),
        reverse("evidence:witnesses", args=[application.pk]),
    ]:
        assert client.post(url).status_code == 404, url
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.items.count() == 2
    export = b"".join(client.get(reverse("my_data_export")).streaming_content)
    assert b"Wanda" not in export and b"cv.pdf" not in export


def test_it_serves_files_only_as_attachments(client, candidate, application):
    item = add_file(application, 'we"ird<name>.pdf', PDF)
    client.force_login(candidate)
    response = client.get(reverse("evidence:download", args=[application.pk, item.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "we_ird_name_.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_it_keeps_what_was_typed_when_a_form_is_wrong(client, candidate, application):
    client.force_login(candidate)
    response = client.post(
        reverse("evidence:add_item", args=[application.pk, "link"]),
        {"title": "My site", "url": "javascript:alert(1)", "context": "Built it alone"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Built it alone" in text and 'value="My site"' in text
    assert "Enter a valid URL." in text or "https://" in text


def test_it_saves_a_self_assessment_per_outcome(client, candidate, application):
    client.force_login(candidate)
    outcomes = list(application.specification.outcomes.order_by("position"))
    data = {f"confidence_{outcomes[0].pk}": "3", f"narrative_{outcomes[0].pk}": "At work."}
    response = client.post(reverse("evidence:self_assessment", args=[application.pk]), data)
    assert response.status_code == 302
    answer = application.self_assessments.get()
    assert (answer.outcome_id, answer.confidence, answer.narrative) == (
        outcomes[0].pk,
        3,
        "At work.",
    )
    bad = client.post(
        reverse("evidence:self_assessment", args=[application.pk]),
        {f"confidence_{outcomes[0].pk}": "9", f"narrative_{outcomes[0].pk}": "Kept text"},
    )
    assert bad.status_code == 200 and "Kept text" in bad.content.decode()


def test_it_shows_covered_and_missing_outcomes(client, candidate, application):
    outcomes = list(application.specification.outcomes.order_by("position"))
    services.add_item(
        application,
        actor=candidate,
        kind="statement",
        title="How I test",
        statement="I write tests.",
        outcomes=outcomes[:1],
    )
    client.force_login(candidate)
    text = client.get(reverse("evidence:matrix", args=[application.pk])).content.decode()
    assert f"{len(outcomes) - 1} learning outcomes have no evidence yet" in text
    assert outcomes[1].statement in text


def test_it_lists_the_candidates_applications_on_their_home_page(client, candidate, application):
    client.force_login(candidate)
    text = client.get(reverse("role_home", args=["candidate"])).content.decode()
    assert reverse("evidence:application", args=[application.pk]) in text
    assert application.specification.title in text
