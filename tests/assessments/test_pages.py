import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments.models import QuestionBank, TestSitting
from assessments.online_tests import services
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
    given = answers(attempt, right=True, short_text="")
    data = {}
    for pk, value in given.items():
        data[f"q{pk}"] = value if isinstance(value, str) else [str(v) for v in value]
    response = client.post(response.url, {**data, "save": ""})
    assert response.url == f"/tests/attempts/{attempt.pk}/"
    response = client.post(response.url, {**data, "submit": ""}, follow=True)
    assert "Your answers are submitted." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score_percent >= 70
    assert "Correct" not in response.content.decode()
    assert client.post(f"/tests/{sitting.pk}/start/", follow=True).status_code == 200
    assert sitting.attempts.count() == 1


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
