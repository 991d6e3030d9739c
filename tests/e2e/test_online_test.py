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


def _answer(page, attempt, *, right: bool) -> None:
    """Tick the correct options (or a wrong one) of every choice question; short answers stay
    empty, so that the result is known at once."""
    for number, item in enumerate(attempt.drawn, start=1):
        question = Question.objects.get(pk=item["question"])
        if question.kind == "short":
            continue
        group = page.get_by_role("group", name=f"Question {number} (")
        options = question.options.filter(correct=right)
        for option in options if right else options[:1]:
            group.get_by_label(option.label, exact=True).check()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_lets_a_candidate_take_a_test_in_the_browser(
    new_page, live_server, case_at_test, viewport
):
    case, candidate = case_at_test
    page = login(new_page(viewport), live_server, candidate)
    page.clock.install()  # the page's clock only; the server keeps the real time limit
    page.goto(f"/applications/{case.application_id}/case/")
    page.get_by_role("link", name="Take the test").click()
    expect(page.get_by_role("heading", name="How the test works")).to_be_visible()
    expect(page.get_by_text("You have 2 attempts. If an attempt does not reach")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="Start the test").click()
    sitting = TestSitting.objects.get(case=case)
    attempt = sitting.attempts.get()
    # A question with code, and a line too long for a phone: it scrolls inside its block.
    coded = Question.objects.get(pk=attempt.drawn[1]["question"])
    coded.text_en = (
        "What does this print?\n```python\nprint(sorted({'b': 1, 'a': 2, 'c': 3, 'd': 4, "
        "'e': 5, 'f': 6, 'g': 7}))\n```"
    )
    coded.save(update_fields=["text_en"])
    page.reload()
    clock = page.locator(".test-countdown")
    expect(page.get_by_text("Time left:")).to_be_visible()
    expect(clock).to_have_text(re.compile(r"^\d+:\d\d$"))
    code = page.locator("#question-2 pre.test-code")
    expect(code).to_contain_text("print(sorted({'b': 1")
    assert "monospace" in code.evaluate("element => getComputedStyle(element).fontFamily")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # The clock stays on screen however far down the candidate is.
    page.locator("#question-20").scroll_into_view_if_needed()
    expect(page.locator("#question-20")).to_be_in_viewport()
    expect(clock).to_be_in_viewport()
    # Screen readers hear the time left at marks, not every second.
    announcer = page.locator(".test-announcer")
    page.clock.run_for(5_000)
    expect(announcer).to_have_text("")
    page.clock.fast_forward("15:01")
    expect(announcer).to_have_text("15 minutes left.")

    # The navigator: numbered links to the questions, marked answered as soon as they are.
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_text("0 of 20 answered")).to_be_visible()
    navigator.get_by_role("link", name="Question 5, not answered").click()
    assert page.url.endswith("#question-5")
    legend = page.locator("#question-5 legend")
    expect(legend).to_be_in_viewport()
    panel = page.locator(".test-panel").bounding_box()
    if viewport == "phone":  # the bar is on top: the question lands below it, not under it
        assert legend.bounding_box()["y"] >= panel["y"] + panel["height"]
    _answer(page, attempt, right=viewport == "desktop")
    answered = sum(
        1 for item in attempt.drawn if Question.objects.get(pk=item["question"]).kind != "short"
    )
    expect(navigator.get_by_text(f"{answered} of 20 answered")).to_be_visible()
    expect(navigator.locator(".test-nav-link.is-answered")).to_have_count(answered)

    # Finishing leads to a summary; going back keeps every answer.
    page.locator("#test-form").get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("heading", name="Check your answers before you finish")).to_be_visible()
    expect(page.get_by_text(f"You answered {answered} of 20 questions.")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Back to the questions").click()
    expect(page.locator(".test-nav-link.is-answered")).to_have_count(answered)
    page.locator("#test-form").get_by_role("button", name="Submit all and finish").click()
    page.get_by_role("button", name="Submit and finish").click()

    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()
    result = page.get_by_role("region", name="Your result")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    if viewport == "desktop":
        expect(result.locator(".test-verdict")).to_have_text("Passed")
        expect(result).to_contain_text(f"Your score: {attempt.score_percent:g} %.")
        expect(page.get_by_text("The test is over: you passed in attempt 1")).to_be_visible()
        assert attempt.auto_points == attempt.max_points - attempt.short_max_points
    else:
        expect(result.locator(".test-verdict")).to_have_text("Failed")
        expect(result).to_contain_text("The pass mark is 70 %.")
        expect(page.get_by_text("1 attempt left. Your best score counts.")).to_be_visible()
        expect(page.get_by_role("button", name="Start another attempt")).to_be_visible()
    expect(page.get_by_role("heading", name="Your attempts")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
