"""A candidate takes an online test in the browser: from the case timeline to the result, on a
desktop and a phone, with axe on every page. Drives pages by role and label, in English."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Question, TestSitting
from evidence.models import Application
from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, login
from tests.factories import make_user
from tests.factories.online_tests import catalogue_banks
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services


@pytest.fixture
def case_at_test(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assessor = make_user(Role.ASSESSOR, email="pool@example.org")
    catalogue = assessed_catalogue(
        [assessor, make_user(Role.DECISION_MAKER, email="dm@example.org")]
    )
    catalogue_banks(catalogue)
    candidate = make_user(Role.CANDIDATE, email="tess@example.org", full_name="Tess Taker")
    spec = catalogue["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.application = Application.objects.create(candidate=candidate, specification=spec)
    case.save(update_fields=["application"])
    sheet = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    take_and_complete(open_tasks(case, "assess_1")[0], assessor, sheet)
    return case, candidate


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_lets_a_candidate_take_a_test_in_the_browser(
    new_page, live_server, case_at_test, viewport
):
    case, candidate = case_at_test
    page = login(new_page(viewport), live_server, candidate)
    page.goto(f"/applications/{case.application_id}/case/")
    page.get_by_role("link", name="Take the test").click()
    expect(page.get_by_role("heading", name="How the test works")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="Start the test").click()
    expect(page.get_by_text("Time left:")).to_be_visible()
    expect(page.locator(".test-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    sitting = TestSitting.objects.get(case=case)
    attempt = sitting.attempts.get()
    for number, item in enumerate(attempt.drawn, start=1):
        question = Question.objects.get(pk=item["question"])
        group = page.get_by_role("group", name=f"Question {number} (")
        if question.kind == "short":
            group.get_by_label("Your answer").fill("A README says how to install and run it.")
            continue
        for option in question.options.filter(correct=True):
            group.get_by_label(option.label, exact=True).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    page.get_by_role("button", name="Submit the test").click()
    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your attempts")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.auto_points == attempt.max_points - attempt.short_max_points
