import pytest
from django.test import Client

from rpl.audit.models import AuditEvent
from tests.factories.catalogue import make_catalogue
from tests.factories.people import PERSONAS
from tests.factories.pipelines import publish_all
from workflows.cases import services as case_services
from workflows.models import Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(db):
    spec = make_catalogue()[0]
    publish_all()
    return spec


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_set_up_assessment(client, request, spec, persona):
    client.force_login(request.getfixturevalue(persona))
    expected = 200 if persona == "administrator" else 403
    assert client.get("/assessment-setup/").status_code == expected
    assert client.get(f"/assessment-setup/{spec.pk}/").status_code == expected
    assert client.post(f"/assessment-setup/{spec.pk}/", {}).status_code in (
        {302} if persona == "administrator" else {403}
    )


def test_it_sends_anonymous_visitors_to_log_in(client, spec):
    assert client.get("/assessment-setup/").status_code == 302


def test_it_sets_the_pipeline_and_the_pools(
    client, spec, administrator, assessor, assessor2, decision_maker, candidate
):
    client.force_login(administrator)
    pipeline = Pipeline.objects.get(key="python-basics")
    response = client.post(
        f"/assessment-setup/{spec.pk}/",
        {
            "pipeline": pipeline.pk,
            "assessors": [assessor.pk],
            "decision_makers": [decision_maker.pk],
        },
    )
    assert response.status_code == 302
    assert case_services.pipeline_for(spec) == pipeline
    assert Client().get("/").status_code == 200  # the landing page, open to visitors
    fresh = type(assessor).objects.get(pk=assessor.pk)
    assert fresh.has_perm("credentials.assess", spec)
    assert not type(assessor2).objects.get(pk=assessor2.pk).has_perm("credentials.assess", spec)
    event = AuditEvent.objects.get(action="specification.pools_changed")
    assert event.changes["assessors"]["added"] == [assessor.email]

    client.post(
        f"/assessment-setup/{spec.pk}/", {"pipeline": pipeline.pk, "assessors": [assessor2.pk]}
    )
    assert not type(assessor).objects.get(pk=assessor.pk).has_perm("credentials.assess", spec)
    assert type(assessor2).objects.get(pk=assessor2.pk).has_perm("credentials.assess", spec)


def test_it_refuses_people_without_the_role(client, spec, administrator, candidate):
    client.force_login(administrator)
    response = client.post(f"/assessment-setup/{spec.pk}/", {"assessors": [candidate.pk]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not type(candidate).objects.get(pk=candidate.pk).has_perm("credentials.assess", spec)
