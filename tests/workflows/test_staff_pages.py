"""The people pages: administrators invite staff, change their roles and deactivate leavers."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from viewflow.workflow.status import STATUS

from rpl.accounts import invitations
from rpl.accounts.changes import people_changed
from rpl.accounts.roles import Role
from rpl.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.factories.people import PERSONAS
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks
from workflows.cases import services as case_services
from workflows.staff import services as staff_services
from workflows.work.services import take

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def _invitation_path(message):
    link = next(line for line in message.body.splitlines() if "/accounts/invitation/" in line)
    return urlsplit(link).path


def _invite(client, **fields):
    data = {
        "full_name": "Nina New",
        "email": "nina@example.org",
        "roles": [Role.ASSESSOR.value],
        "language": "en",
    } | fields
    return client.post("/people/invite/", data)


@pytest.fixture
def case(candidate, assessor, assessor2, identity_officer, decision_maker):
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["python-basics"]
    return case_services.start_case(candidate=candidate, specification=spec)


# Who gets in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_in(client, request, persona, assessor2):
    client.force_login(request.getfixturevalue(persona))
    ok = persona == "administrator"
    for url in ["/people/", "/people/invite/", f"/people/{assessor2.pk}/"]:
        assert client.get(url).status_code == (200 if ok else 403), url
    assert client.get(f"/people/{assessor2.pk}/deactivate/").status_code == (200 if ok else 403)
    for action in ["invitation", "deactivate", "reactivate"]:
        response = client.post(f"/people/{assessor2.pk}/{action}/")
        assert response.status_code == (302 if ok else 403), action
    assert client.post("/people/invite/", {}).status_code == (400 if ok else 403)
    assert client.post(f"/people/{assessor2.pk}/", {}).status_code == (400 if ok else 403)


@pytest.mark.parametrize(
    "url", ["/people/", "/people/invite/", "/people/1/", "/people/1/deactivate/"]
)
def test_it_sends_anonymous_visitors_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("action", ["invitation", "deactivate", "reactivate"])
def test_it_sends_anonymous_posts_to_log_in(client, assessor, action):
    response = client.post(f"/people/{assessor.pk}/{action}/")
    assert response.url.startswith("/accounts/login/")
    assert _fresh(assessor).is_active


def test_it_links_the_administrators_home_to_the_people_page(client, administrator):
    client.force_login(administrator)
    assert 'href="/people/"' in client.get("/home/administrator/").content.decode()


# Inviting ---------------------------------------------------------------------------------------


def test_it_invites_by_e_mail_and_the_link_lets_the_person_log_in(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            client, roles=[Role.ASSESSOR.value, Role.DECISION_MAKER.value], language="pl"
        )

    person = get_user_model().objects.get(email="nina@example.org")
    assert response.url == f"/people/{person.pk}/"
    assert person.roles == [Role.ASSESSOR, Role.DECISION_MAKER]
    assert person.language == "pl" and person.is_active and not person.is_staff
    assert invitations.is_pending(person)
    event = AuditEvent.objects.get(action="user.invited")
    assert event.actor == administrator
    assert event.changes["roles"] == ["assessor", "decision_maker"]
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"]
    assert "Asesor" in message.body  # in the language chosen for the person

    visitor = Client()
    form_url = visitor.get(_invitation_path(message)).url
    visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    login = visitor.post(
        "/accounts/login/", {"username": "nina@example.org", "password": NEW_PASSWORD}
    )
    assert login.url == "/"
    assert not invitations.is_pending(_fresh(person))


def test_it_gives_an_invited_administrator_the_django_admin(client, administrator):
    client.force_login(administrator)
    _invite(client, roles=[Role.ADMINISTRATOR.value])
    person = get_user_model().objects.get(email="nina@example.org")
    assert person.is_staff and person.is_superuser


def test_it_refuses_to_invite_an_address_that_has_an_account(client, administrator, candidate):
    client.force_login(administrator)
    response = _invite(client, email="ALICE@example.org")
    assert response.status_code == 400
    assert "Someone already has an account with this address." in response.content.decode()
    assert _fresh(candidate).roles == [Role.CANDIDATE]
    assert mail.outbox == []


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"roles": []}, "Choose at least one role."),
        ({"roles": [Role.CANDIDATE.value]}, "Select a valid choice."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_it_explains_what_is_wrong_in_an_invitation(client, administrator, fields, error):
    client.force_login(administrator)
    response = _invite(client, **fields)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not get_user_model().objects.filter(full_name="Nina New").exists()


def test_it_sends_an_invitation_again_and_the_first_link_stops_working(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
    person = get_user_model().objects.get(email="nina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/{person.pk}/invitation/", follow=True)

    assert "A new invitation is on its way" in response.content.decode()
    first, second = (_invitation_path(message) for message in mail.outbox)
    visitor = Client()
    assert visitor.get(first).status_code == 400
    assert visitor.get(second).status_code == 302
    assert AuditEvent.objects.filter(action="user.invitation_resent", actor=administrator).exists()


def test_it_does_not_invite_someone_who_has_a_password(client, administrator, assessor):
    client.force_login(administrator)
    response = client.post(f"/people/{assessor.pk}/invitation/", follow=True)
    assert "has already chosen a password" in response.content.decode()
    assert mail.outbox == []


# The list ---------------------------------------------------------------------------------------


def test_it_lists_staff_with_roles_pools_work_and_invitations(
    client, administrator, case, assessor, assessor2, candidate
):
    take(open_tasks(case)[0], assessor)
    pending = make_user(Role.QUALITY_OFFICER, email="quentin@example.org", full_name="Quentin")
    pending.set_unusable_password()
    pending.save()
    client.force_login(administrator)

    response = client.get("/people/")

    rows = {row.person.email: row for row in response.context["rows"]}
    assert candidate.email not in rows
    assert rows[assessor.email].open_tasks == 1
    assert rows[assessor2.email].open_tasks == 0
    pools = rows[assessor.email].pools
    assert "python-basics" in {spec.slug for spec, _roles in pools}
    assert all(roles == [Role.ASSESSOR] for _spec, roles in pools)
    assert rows[administrator.email].pools == []
    assert rows["quentin@example.org"].invitation_pending
    assert not rows[assessor.email].invitation_pending
    page = response.content.decode()
    assert "Invitation pending" in page and "Python" in page


def test_it_loads_a_page_of_people_in_a_few_queries(
    client, administrator, case, django_assert_max_num_queries
):
    for n in range(20):
        make_user(Role.ASSESSOR, Role.DECISION_MAKER, email=f"staff{n}@example.org")
    client.force_login(administrator)
    with django_assert_max_num_queries(14):
        response = client.get("/people/")
    assert len(response.context["rows"]) == 25


def test_it_filters_by_role_and_finds_by_name_or_address(
    client, administrator, assessor, candidate, decision_maker
):
    client.force_login(administrator)

    def listed(query):
        return {row.person.email for row in client.get("/people/" + query).context["rows"]}

    assert listed("?role=candidate") == {candidate.email}
    assert listed("?role=decision_maker") == {decision_maker.email}
    assert listed("?q=ada") == {assessor.email}
    assert listed("?q=DAN%40example") == {decision_maker.email}
    assert listed("?q=nobody") == set()
    assert listed("?role=wizard") == {administrator.email, assessor.email, decision_maker.email}


def test_it_pages_the_list(client, administrator):
    for n in range(30):
        make_user(Role.ASSESSOR, email=f"staff{n:02}@example.org", full_name=f"Staff {n:02}")
    client.force_login(administrator)
    first = client.get("/people/")
    assert len(first.context["rows"]) == 25
    assert 'rel="next"' in first.content.decode()
    second = client.get("/people/?page=2")
    assert len(second.context["rows"]) == 6


# Roles ------------------------------------------------------------------------------------------


def test_it_changes_roles_and_audits_it(client, administrator, assessor):
    client.force_login(administrator)
    response = client.post(
        f"/people/{assessor.pk}/", {"roles": [Role.ASSESSOR.value, Role.ADMINISTRATOR.value]}
    )

    assert response.url == f"/people/{assessor.pk}/"
    person = _fresh(assessor)
    assert person.roles == [Role.ASSESSOR, Role.ADMINISTRATOR]
    assert person.is_staff and person.is_superuser
    event = AuditEvent.objects.filter(action="user.roles_changed").latest("sequence")
    assert event.actor == administrator
    assert event.changes == {"roles": ["administrator", "assessor"]}

    client.post(f"/people/{assessor.pk}/", {"roles": [Role.IDENTITY_OFFICER.value]})
    person = _fresh(assessor)
    assert person.roles == [Role.IDENTITY_OFFICER]
    assert not person.is_staff and not person.is_superuser


def test_it_keeps_a_candidate_a_candidate(client, administrator, candidate):
    client.force_login(administrator)
    client.post(f"/people/{candidate.pk}/", {"roles": [Role.ASSESSOR.value]})
    assert _fresh(candidate).roles == [Role.CANDIDATE, Role.ASSESSOR]
    client.post(f"/people/{candidate.pk}/", {})
    assert _fresh(candidate).roles == [Role.CANDIDATE]


def test_it_asks_for_a_role_for_staff(client, administrator, assessor):
    client.force_login(administrator)
    response = client.post(f"/people/{assessor.pk}/", {})
    assert response.status_code == 400
    assert "Choose at least one role." in response.content.decode()
    assert _fresh(assessor).roles == [Role.ASSESSOR]


def test_it_refuses_administrators_their_own_roles(client, administrator):
    client.force_login(administrator)
    page = client.get(f"/people/{administrator.pk}/").content.decode()
    assert "Nobody changes their own roles" in page
    assert "Nobody deactivates their own account" in page

    response = client.post(
        f"/people/{administrator.pk}/", {"roles": [Role.ADMINISTRATOR.value, Role.ASSESSOR.value]}
    )

    assert response.status_code == 400
    assert _fresh(administrator).roles == [Role.ADMINISTRATOR]
    assert not AuditEvent.objects.filter(action="user.roles_changed", actor=administrator).exists()


def test_it_refuses_administrators_their_own_deactivation(client, administrator):
    client.force_login(administrator)
    response = client.post(f"/people/{administrator.pk}/deactivate/", follow=True)
    assert "Nobody deactivates their own account" in response.content.decode()
    assert _fresh(administrator).is_active


def test_it_keeps_the_last_active_administrator(administrator):
    # The pages cannot get here (nobody changes themselves), but a script could.
    with pytest.raises(staff_services.StaffError, match="last active administrator"):
        staff_services.change_roles(actor=None, person=administrator, roles=[Role.ASSESSOR])
    with pytest.raises(staff_services.StaffError, match="last active administrator"):
        staff_services.deactivate(actor=None, person=administrator)
    other = make_user(Role.ADMINISTRATOR, email="other@example.org")
    other.is_active = False
    other.save()
    assert staff_services.deactivation_refusal(None, administrator)
    assert _fresh(administrator).is_active and _fresh(administrator).roles == [Role.ADMINISTRATOR]


def test_it_lets_one_administrator_remove_another(client, administrator):
    other = make_user(Role.ADMINISTRATOR, email="other@example.org")
    client.force_login(administrator)
    client.post(f"/people/{other.pk}/", {"roles": [Role.QUALITY_OFFICER.value]})
    assert _fresh(other).roles == [Role.QUALITY_OFFICER]


# Leavers ----------------------------------------------------------------------------------------


def test_it_asks_before_deactivating_and_lists_the_tasks_held(
    client, administrator, case, assessor
):
    task = open_tasks(case)[0]
    take(task, assessor)
    client.force_login(administrator)

    response = client.get(f"/people/{assessor.pk}/deactivate/")

    assert response.status_code == 200
    assert list(response.context["tasks"]) == [task]
    assert _fresh(assessor).is_active


def test_it_deactivates_a_leaver_and_gives_their_task_back_to_the_pool(
    client, administrator, case, assessor
):
    task = open_tasks(case)[0]
    assert take(task, assessor) is None
    theirs = Client()
    theirs.force_login(assessor)
    client.force_login(administrator)

    response = client.post(f"/people/{assessor.pk}/deactivate/", follow=True)

    assert "1 task went back to its pool" in response.content.decode()
    task.refresh_from_db()
    assert task.owner_id is None and task.status == STATUS.NEW
    assert not _fresh(assessor).is_active
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.actor == administrator and event.changes == {"tasks_returned": [task.pk]}
    returned = AuditEvent.objects.get(action="task.returned_to_pool")
    assert (returned.target_type, returned.target_id) == ("workflows.case", str(case.pk))
    assert theirs.get("/work/").status_code == 302  # their session no longer counts
    login = Client().post("/accounts/login/", {"username": assessor.email, "password": PASSWORD})
    assert login.status_code == 200
    assert AuditEvent.objects.filter(action="case.task_taken", actor=assessor).exists()


def test_it_tells_the_apps_when_someone_is_deactivated_or_reactivated(
    administrator, assessor, django_capture_on_commit_callbacks
):
    told = []

    def receiver(sender, user, **kwargs):
        told.append((user.pk, user.is_active))

    people_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            staff_services.deactivate(actor=administrator, person=assessor)
        with django_capture_on_commit_callbacks(execute=True):
            staff_services.reactivate(actor=administrator, person=assessor)
    finally:
        people_changed.disconnect(receiver)
    assert told == [(assessor.pk, False), (assessor.pk, True)]


def test_it_reactivates_an_account(client, administrator, assessor):
    client.force_login(administrator)
    client.post(f"/people/{assessor.pk}/deactivate/")
    page = client.get(f"/people/{assessor.pk}/").content.decode()
    assert "Reactivate the account" in page

    client.post(f"/people/{assessor.pk}/reactivate/")

    assert _fresh(assessor).is_active
    assert AuditEvent.objects.filter(action="user.reactivated", actor=administrator).exists()
    login = Client().post("/accounts/login/", {"username": assessor.email, "password": PASSWORD})
    assert login.url == "/"


def test_it_refuses_to_deactivate_twice_or_reactivate_an_active_account(
    client, administrator, assessor
):
    client.force_login(administrator)
    response = client.post(f"/people/{assessor.pk}/reactivate/", follow=True)
    assert "This account is active already." in response.content.decode()
    client.post(f"/people/{assessor.pk}/deactivate/")
    response = client.post(f"/people/{assessor.pk}/deactivate/", follow=True)
    assert "This account is already deactivated." in response.content.decode()
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_it_answers_404_for_someone_unknown(client, administrator):
    client.force_login(administrator)
    assert client.get("/people/999999/").status_code == 404
