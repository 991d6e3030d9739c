import pytest

from rpl.accounts.roles import Role
from tests.factories.people import PERSONAS

ROLE_OF_PERSONA = {
    "candidate": Role.CANDIDATE,
    "assessor": Role.ASSESSOR,
    "identity_officer": Role.IDENTITY_OFFICER,
    "decision_maker": Role.DECISION_MAKER,
    "quality_officer": Role.QUALITY_OFFICER,
    "administrator": Role.ADMINISTRATOR,
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_role_into_its_home_page(client, request, role, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(f"/home/{role.value}/")
    expected = 200 if ROLE_OF_PERSONA.get(persona) == role else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", list(Role))
def test_it_sends_anonymous_visitors_to_log_in(client, db, role):
    response = client.get(f"/home/{role.value}/")
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/home/{role.value}/"


def test_it_returns_404_for_an_unknown_role(client, candidate):
    client.force_login(candidate)
    assert client.get("/home/wizard/").status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "outsider"])
def test_it_redirects_home_to_the_first_role(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"/home/{ROLE_OF_PERSONA[persona].value}/"


def test_it_tells_a_user_without_a_role_what_to_do(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 200
    assert "has no role yet" in response.content.decode()


def test_it_shows_the_quality_officer_the_state_of_the_audit_chain(client, quality_officer):
    client.force_login(quality_officer)
    body = client.get("/home/quality_officer/").content.decode()
    assert "The audit chain is intact" in body
    assert "user.created" in body


def test_it_shows_the_administrator_people_per_role(client, administrator, candidate, candidate2):
    client.force_login(administrator)
    response = client.get("/home/administrator/")
    counts = {str(role.label): n for role, n in response.context["role_counts"]}
    assert counts["Candidate"] == 2
    assert counts["Administrator"] == 1


def test_it_lists_the_assessors_assigned_tasks(client, assessor):
    client.force_login(assessor)
    response = client.get("/home/assessor/")
    assert list(response.context["assigned_tasks"]) == []
    assert "Nothing is assigned to you." in response.content.decode()
