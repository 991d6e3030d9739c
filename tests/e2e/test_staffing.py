"""An institution runs it: an administrator invites an assessor, who accepts, joins a pool and
takes a moderation that nobody could take before; the stall was flagged on the page and by
e-mail. A leaver's task goes back to the pool."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, force_login, login
from tests.factories import make_user
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.work import services as task_work

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a-long-new-password-2026"


def _divergent_blind_marks(candidate, assessor, assessor2, identity_officer, decision_maker):
    spec = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])[
        "agile-project-management"
    ]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    outcomes = [str(o.pk) for o in spec.outcomes.all()]
    one, two = open_tasks(case)
    take_and_complete(one, assessor, {"scores": dict.fromkeys(outcomes, 4)})
    take_and_complete(two, assessor2, {"scores": dict.fromkeys(outcomes, 1)})
    return case


def test_an_invited_assessor_joins_the_pool_and_takes_the_moderation_that_needed_staff(
    new_page,
    live_server,
    administrator,
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
):
    mail.outbox.clear()
    case = _divergent_blind_marks(candidate, assessor, assessor2, identity_officer, decision_maker)
    (moderation,) = open_tasks(case, "moderate")
    assert any(m.subject.startswith("Needs staff") for m in mail.outbox)

    admin = force_login(new_page(), live_server, administrator)
    admin.goto("/home/administrator/")
    needs_staff = admin.locator("section", has=admin.get_by_role("heading", name="Needs staff"))
    expect(needs_staff).to_contain_text("A moderator must not be one of the step's assessors.")
    assert_accessible(admin)

    admin.goto("/people/invite/")
    admin.get_by_label("Full name").fill("Nina Newcomer")
    admin.get_by_label("E-mail address").fill("nina@example.org")
    admin.get_by_label("Assessor").check()
    assert_accessible(admin)
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator("main")).to_contain_text("Nina Newcomer")

    invitation = next(m for m in reversed(mail.outbox) if "nina@example.org" in m.to)
    link = re.search(r"https?://\S+/accounts/invitation/\S+", invitation.body).group(0)
    newcomer_page = new_page()
    newcomer_page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    newcomer_page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    newcomer_page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    newcomer_page.get_by_role("button", name="Save the password").click()
    expect(newcomer_page.locator("main")).to_contain_text("Log in")

    admin.goto(f"/assessment-setup/{case.specification.pk}/")
    expect(admin.locator("main")).to_contain_text("Candidates cannot apply yet.")
    admin.get_by_label("Nina Newcomer (nina@example.org)").first.check()
    admin.get_by_role("button", name="Save").click()
    assert_accessible(admin)
    admin.goto("/home/administrator/")
    expect(admin.locator("main")).to_contain_text("Every open task has someone who may take it.")

    from django.contrib.auth import get_user_model

    newcomer = get_user_model().objects.get(email="nina@example.org")
    nina = login(new_page(), live_server, newcomer, password=NEW_PASSWORD)
    nina.goto("/work/")
    row = nina.locator("tr", has_text="Moderation")
    row.get_by_role("button", name=re.compile("Take")).click()
    moderation.refresh_from_db()
    assert moderation.owner_id == newcomer.pk


def test_a_leaver_s_task_goes_back_to_the_pool(
    new_page, live_server, administrator, candidate, assessor, identity_officer, decision_maker
):
    spec = assessed_catalogue([assessor, identity_officer, decision_maker])["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    (task,) = open_tasks(case)
    assert task_work.take(task, assessor) is None

    admin = force_login(new_page(), live_server, administrator)
    admin.goto(f"/people/{assessor.pk}/deactivate/")
    assert_accessible(admin)
    admin.locator("main form button[type=submit]").last.click()
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"
    assessor.refresh_from_db()
    assert not assessor.is_active
    other = make_user(Role.ASSESSOR, email="next@example.org")
    assert task_work.take(task, other) is not None  # not in the pool yet: the stall shows
    admin.goto("/home/administrator/")
    expect(admin.locator("main")).to_contain_text("Needs staff")
