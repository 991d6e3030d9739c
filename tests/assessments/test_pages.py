import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from assessments.models import Option, Question, QuestionBank, TestSitting
from assessments.online_tests import selectors, services
from tests.assessments.helpers import answers, seed_drawing_a_short_question, seeded
from tests.factories.people import PERSONAS
from tests.workflows.engine_helpers import open_tasks, take
from workflows.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def sitting(case_at_test):
    return TestSitting.objects.get(case=case_at_test)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_test_only_to_its_candidate(client, request, sitting, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/tests/{sitting.pk}/")
    assert response.status_code == (200 if persona == "candidate" else 403)


def test_it_hides_a_test_and_its_attempts_from_other_candidates(client, sitting, candidate2):
    attempt = services.start_attempt(sitting)
    client.force_login(candidate2)
    assert client.get(f"/tests/{sitting.pk}/").status_code == 404
    assert client.post(f"/tests/{sitting.pk}/start/").status_code == 404
    assert client.get(f"/tests/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/tests/attempts/{attempt.pk}/finish/").status_code == 404
    assert client.post(f"/tests/attempts/{attempt.pk}/finish/").status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_summary_only_to_the_candidate_of_the_attempt(
    client, request, sitting, persona
):
    attempt = services.start_attempt(sitting)
    client.force_login(request.getfixturevalue(persona))
    url = f"/tests/attempts/{attempt.pk}/finish/"
    assert client.get(url).status_code == (200 if persona == "candidate" else 403)
    if persona != "candidate":
        assert client.post(url).status_code == 403
        attempt.refresh_from_db()
        assert attempt.is_open


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_manage_banks(client, request, demo, persona):
    bank = QuestionBank.objects.first()
    client.force_login(request.getfixturevalue(persona))
    expected = 200 if persona == "administrator" else 403
    for url in ("/tests/banks/", f"/tests/banks/{bank.pk}/", "/tests/banks/import/"):
        assert client.get(url).status_code == expected


def test_it_sends_anonymous_visitors_to_log_in(client, sitting):
    assert client.get(f"/tests/{sitting.pk}/").url.startswith("/accounts/login/")


def test_it_links_the_case_timeline_to_the_test(client, sitting, candidate):
    from evidence.models import Application

    application = Application.objects.create(
        candidate=candidate, specification=sitting.bank.specification
    )
    Case.objects.filter(pk=sitting.case_id).update(application=application)
    client.force_login(candidate)
    page = client.get(f"/applications/{application.pk}/case/").content.decode()
    assert f'href="/tests/{sitting.pk}/"' in page
    assert "Take the test" in page


def _posted(given: dict) -> dict:
    return {
        f"q{pk}": value if isinstance(value, str) else [str(v) for v in value]
        for pk, value in given.items()
    }


def test_it_walks_the_candidate_through_an_attempt_without_showing_correct_answers(
    client, sitting, candidate
):
    client.force_login(candidate)
    response = client.post(f"/tests/{sitting.pk}/start/")
    attempt = sitting.attempts.get()
    assert response.url == f"/tests/attempts/{attempt.pk}/"
    page = client.get(response.url).content.decode()
    assert "Question 20" in page and "Time left" in page
    secrets = [q.model_answer for q in sitting.bank.questions.filter(kind="short")]
    assert not any(secret in page for secret in secrets)
    assert "Correct" not in page and "badge-success" not in page
    data = _posted(answers(attempt, right=True, short_text=""))
    response = client.post(response.url, {**data, "save": ""})
    assert response.url == f"/tests/attempts/{attempt.pk}/"
    # Finishing saves the answers and shows the summary; nothing is submitted yet.
    response = client.post(response.url, {**data, "finish": ""})
    assert response.url == f"/tests/attempts/{attempt.pk}/finish/"
    attempt.refresh_from_db()
    assert attempt.is_open
    summary = client.get(response.url).content.decode()
    assert "Check your answers before you finish" in summary
    response = client.post(f"/tests/attempts/{attempt.pk}/finish/", follow=True)
    page = response.content.decode()
    assert "Your answers are submitted." in page
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score_percent >= 70
    assert "Correct" not in page
    assert "Passed" in page and f"Your score: {attempt.score_percent:g} %" in page
    assert "The test is over: you passed in attempt 1 of your 2 attempts." in page
    assert client.post(f"/tests/{sitting.pk}/start/", follow=True).status_code == 200
    assert sitting.attempts.count() == 1


def test_it_shows_a_summary_before_finishing_and_keeps_the_answers_on_the_way_back(
    client, sitting, candidate
):
    attempt = services.start_attempt(sitting, rng=seeded(1))
    client.force_login(candidate)
    drawn = selectors.drawn_questions(attempt)
    right = answers(attempt, right=True)
    # Questions 1 and 2 answered, the rest left empty.
    data = _posted({q.pk: right[q.pk] for q, _o in drawn[:2]})
    url = f"/tests/attempts/{attempt.pk}/"
    response = client.post(url, {**data, "finish": ""})
    assert response.url == f"{url}finish/"
    summary = client.get(response.url).content.decode()
    assert "You answered 2 of 20 questions." in summary
    assert "18 questions have no answer yet:" in summary
    assert f'<a href="{url}#question-3">Question 3</a>' in summary
    assert f'href="{url}#question-1"' in summary  # the navigator
    assert f'<a href="{url}#question-1">Question 1</a>' not in summary
    assert 'role="timer"' in summary and "Time left" in summary
    assert "Submit and finish" in summary and f'href="{url}">Back to the questions' in summary
    # Back to the questions: both answers are there, and the navigator says so without JavaScript.
    page = client.get(url).content.decode()
    assert page.count('class="test-nav-link is-answered"') == 2
    assert 'href="#question-1"' in page and 'id="question-1"' in page
    assert "2 of 20 answered" in page
    for question, _options in drawn[:2]:
        value = right[question.pk]
        if isinstance(value, str):
            assert value in page
        else:
            for pk in value:
                assert re.search(rf'value="{pk}"[^>]*checked', page), question.key
    attempt.refresh_from_db()
    assert attempt.is_open


def test_it_announces_the_time_left_at_marks_not_every_second(client, sitting, candidate):
    attempt = services.start_attempt(sitting)
    client.force_login(candidate)
    page = client.get(f"/tests/attempts/{attempt.pk}/").content.decode()
    assert re.search(r'class="test-countdown" role="timer"', page)
    assert 'aria-live="polite"' in page and 'role="alert"' in page
    # A 30-minute test: said at 15, 10, 5, 2 and 1 minutes left.
    marks = re.findall(r'<li data-at="(\d+)">([^<]+)</li>', page)
    assert marks == [
        ("900", "15 minutes left."),
        ("600", "10 minutes left."),
        ("300", "5 minutes left."),
        ("120", "2 minutes left."),
        ("60", "1 minute left."),
    ]
    assert 'src="/static/js/online-test.js"' in page


def test_it_enforces_the_time_limit_on_the_summary(client, sitting, candidate):
    past = timezone.now() - timedelta(minutes=31)
    attempt = services.start_attempt(sitting, now=past)
    services.save_answers(attempt, answers(attempt, right=True), now=past)
    client.force_login(candidate)
    response = client.get(f"/tests/attempts/{attempt.pk}/finish/", follow=True)
    assert "The time limit has passed: the attempt is closed." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.closed_at is not None and attempt.submitted_at is None
    # The answers saved in time count, and they pass: the test is over.
    assert attempt.score_percent >= 70
    assert TestSitting.objects.get(pk=sitting.pk).over_at is not None


def test_it_closes_an_attempt_confirmed_after_the_deadline_as_timed_out(client, sitting, candidate):
    past = timezone.now() - timedelta(minutes=31)
    attempt = services.start_attempt(sitting, now=past)
    client.force_login(candidate)
    response = client.post(f"/tests/attempts/{attempt.pk}/finish/", follow=True)
    page = response.content.decode()
    assert "the attempt was closed with the answers saved in time." in page
    attempt.refresh_from_db()
    assert attempt.closed_at is not None and attempt.submitted_at is None
    assert "(closed at the time limit)" in page


def test_it_says_failed_and_how_many_attempts_are_left(client, sitting, candidate):
    attempt = services.start_attempt(sitting, rng=seeded(2))
    services.save_answers(attempt, answers(attempt, right=False, short_text=""))
    services.submit(attempt)
    client.force_login(candidate)
    page = client.get(f"/tests/{sitting.pk}/").content.decode()
    assert "test-result-failed" in page and ">Failed<" in page
    assert "Your score: 0 %. The pass mark is 70 %." in page
    assert "You have used 1 of your 2 attempts and have not reached the pass mark yet." in page
    assert "1 attempt left. Your best score counts." in page
    assert "Start another attempt" in page
    second = services.start_attempt(sitting, rng=seeded(3))
    services.save_answers(second, answers(second, right=False, short_text=""))
    services.submit(second)
    page = client.get(f"/tests/{sitting.pk}/").content.decode()
    assert "No more attempts: you have used all 2 of your attempts." in page
    assert "None reached the pass mark." in page
    assert "Your best score: 0 %." in page
    assert "Start another attempt" not in page


def test_it_says_waiting_for_marking_and_why_no_attempt_follows(client, sitting, candidate):
    attempt = services.start_attempt(sitting, rng=seeded(seed_drawing_a_short_question(sitting)))
    services.save_answers(attempt, answers(attempt, right=True, short_text="An answer."))
    services.submit(attempt)
    client.force_login(candidate)
    page = " ".join(client.get(f"/tests/{sitting.pk}/").content.decode().split())
    assert "Waiting for marking" in page and "test-result-waiting" in page
    assert "points are marked automatically so far" in page
    assert (
        "No more attempts: attempt 1 may reach the pass mark once an assessor has marked its "
        "short answers" in page
    )
    assert "Passed" not in page and ">Failed<" not in page


def test_it_states_the_attempt_rules_before_the_first_attempt(client, sitting, candidate):
    client.force_login(candidate)
    page = client.get(f"/tests/{sitting.pk}/").content.decode()
    assert "You have 2 attempts. If an attempt does not reach the pass mark" in page
    assert "Your best score counts." in page
    assert "So does an attempt that may reach it once an assessor has marked" in page
    assert "The clock starts when you start the test: you then have 30 minutes." in page
    assert "Your result" not in page


def test_it_shows_code_from_the_bank_in_a_code_font_and_never_as_html(client, sitting, candidate):
    attempt = services.start_attempt(sitting, rng=seeded(1))
    question, options = next((q, o) for q, o in selectors.drawn_questions(attempt) if o)
    Question.objects.filter(pk=question.pk).update(
        text_en="What does `len(x)` give?\n```python\nx = '<b>'\n```\n<script>alert(1)</script>"
    )
    Option.objects.filter(pk=options[0].pk).update(text_en="`None` <i>")
    client.force_login(candidate)
    page = client.get(f"/tests/attempts/{attempt.pk}/").content.decode()
    assert "<code>len(x)</code>" in page
    block = '<pre class="test-code" tabindex="0"><code>x = &#x27;&lt;b&gt;&#x27;</code></pre>'
    assert block in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<code>None</code> &lt;i&gt;" in page


def test_it_explains_a_tampered_answer(client, sitting, candidate):
    attempt = services.start_attempt(sitting)
    # The draw is random: tamper with a question that has options (a short answer takes any text).
    question = next(item["question"] for item in attempt.drawn if item["options"])
    client.force_login(candidate)
    response = client.post(f"/tests/attempts/{attempt.pk}/", {f"q{question}": "999999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_it_imports_a_bank_through_the_page_and_lists_errors_with_lines(
    client, demo, administrator
):
    client.force_login(administrator)
    spec = demo["python-basics"]
    bad = SimpleUploadedFile(
        "b.yaml", b"bank: x\ntitle: X\nquestions:\n  - id: a\n    kind: essay\n"
    )
    response = client.post("/tests/banks/import/", {"specification": spec.pk, "file": bad})
    assert response.status_code == 400
    assert "questions[0].kind (line 5)" in response.content.decode()
    good = SimpleUploadedFile(
        "g.yaml",
        b"bank: extra\ntitle: Extra\nquestions:\n  - id: a\n    kind: short\n    text: Why?\n"
        b"    model_answer: Because.\n",
    )
    response = client.post("/tests/banks/import/", {"specification": spec.pk, "file": good})
    bank = QuestionBank.objects.get(slug="extra")
    assert response.url == f"/tests/banks/{bank.pk}/"
    assert "Because." in client.get(response.url).content.decode()
    binary = SimpleUploadedFile("b.yaml", b"\xff\xfe\x00")
    response = client.post("/tests/banks/import/", {"specification": spec.pk, "file": binary})
    assert "not UTF-8" in response.content.decode()


def test_it_marks_short_answers_on_the_test_task_page(sitting, candidate, assessor):
    seed = seed_drawing_a_short_question(sitting)
    attempt = services.start_attempt(sitting, rng=seeded(seed))
    services.save_answers(attempt, answers(attempt, right=True, short_text="My answer."))
    services.submit(attempt)
    [task] = open_tasks(sitting.case)
    url = f"/work/{sitting.case.pk}/{task.pk}/"
    client = Client()
    client.force_login(assessor)
    take(client, url)
    page = client.get(url).content.decode()
    assert "My answer." in page and "Model answer:" in page
    shorts = [
        q
        for q, o in attempt.sitting.bank.questions.filter(kind="short").values_list("pk", "points")
    ]
    fields = {f"points_{pk}": "9" for pk in shorts if f"points_{pk}" in page}
    response = client.post(url, fields)
    assert response.status_code == 400
    assert "worth at most" in response.content.decode()
    response = client.post(url, dict.fromkeys(fields, "1"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.marked_by == assessor and attempt.short_points == len(fields)
