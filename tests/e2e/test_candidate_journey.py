"""A candidate's whole journey in a real browser, from the front door to the credential: sign-up
with the e-mailed link, apply, self-assess, upload several files (one too large, one disguised by
its extension), a witness's testimony in a second browser, the coverage matrix and submission, the
online test, the choice of an interview time, the decision, the "credential ready" page and the
public page. At each stage the home page's to-do item and the application's state are checked;
every message checked, axe on every page. Staff work (scoring, proposing times, deciding) goes
through the same services as their pages."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Question, TestSitting
from rpl.accounts.models import User
from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll
from tests.factories import make_user
from tests.factories.evidence import ELF, PDF, PNG
from tests.factories.online_tests import catalogue_banks
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.meetings import services as meetings
from workflows.models import Appointment, Case, Pipeline
from workflows.pipelines import services as pipelines
from workflows.work.services import take

PASSWORD = "a-long-passphrase-42"
HOME = "/home/candidate/"
# Python basics assessed with every kind of step a candidate meets: the portfolio, an online
# test, an interview (a time to choose) and a decision.
JOURNEY = """
key: whole-journey
title: {en: Python basics with an interview}
steps:
  - id: portfolio
    kind: evidence_review
    assessors: 1
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: knowledge-test
    kind: test
    title: {en: Knowledge test}
    question_bank: python-basics
    questions: 20
    time_limit_minutes: 30
    pass_mark_percent: 70
    attempts: 2
    supervised: false
  - id: interview
    kind: interview
    title: {en: Interview}
    assessors: 1
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: decision
    kind: decision
    decided_by: decision_maker
    partial_recognition: false
"""


def axe(page):
    assert_accessible(page)


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }
    settings.EVIDENCE_MAX_FILE_MB = 1
    specifications = assessed_catalogue(
        [
            make_user(Role.ASSESSOR, email="pool1@example.org"),
            make_user(Role.ASSESSOR, email="pool2@example.org"),
            make_user(Role.IDENTITY_OFFICER, email="ido@example.org"),
            make_user(Role.DECISION_MAKER, email="dm@example.org"),
            *reserve_staff(),
        ]
    )
    catalogue_banks(specifications)
    pipelines.import_text(actor=None, text=JOURNEY, fmt="yaml")
    pipelines.publish(actor=None, key="whole-journey")
    case_services.assign_pipeline(
        actor=None,
        specification=specifications["python-basics"],
        pipeline=Pipeline.objects.get(key="whole-journey"),
    )


def _link(live_server, to):
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(re.escape(live_server.url) + r"(/\S+)", message.body).group(1)


def _user(email):
    return User.objects.get(email=email)


def _todo(page, title):
    """Go home: the to-do list holds ``title``; the item's first button is followed."""
    page.goto(HOME)
    item = page.locator(".todo-item").filter(has=page.get_by_role("heading", name=title))
    expect(item).to_have_count(1)
    axe(page)
    return item


def _state(page, label):
    expect(page.locator(".portal-list .badge").first).to_have_text(label)


def test_it_walks_a_candidate_from_the_front_door_to_the_credential(
    page, new_page, live_server, catalogue, settings
):
    settings.SITE_URL = live_server.url
    page.goto("/")
    axe(page)
    page.get_by_role("link", name="Create an account").first.click()
    axe(page)
    page.get_by_label("Full name").fill("Carol Candidate")
    page.get_by_label("E-mail address").fill("carol@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".field-errors")).to_contain_text("The two passwords differ.")
    expect(page.get_by_label("Full name")).to_have_value("Carol Candidate")
    axe(page)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have sent a message to carol@example.org"
    )
    axe(page)

    page.goto(_link(live_server, "carol@example.org"))
    expect(page.locator(".messages")).to_contain_text("Your e-mail address is confirmed.")
    start = _todo(page, "Choose a micro-credential to apply for")
    start.get_by_role("link", name="Browse the catalogue").click()
    page.get_by_role("link", name="Python programming basics").first.click()
    axe(page)
    page.get_by_role("link", name=re.compile("^Apply")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply for")
    axe(page)
    page.get_by_role("button", name="Start my application").click()
    expect(page.locator(".messages")).to_contain_text("Your application has started.")
    axe(page)

    page.get_by_role("link", name="1. Self-assessment").click()
    page.locator("fieldset.portal-choices").first.get_by_label(
        "Confident: I do it on my own"
    ).check()
    page.get_by_label("Where and how did you learn it?").first.fill(
        "Five years of scripts at work."
    )
    axe(page)
    page.get_by_role("button", name="Save my self-assessment").click()
    expect(page.locator(".messages")).to_contain_text("Your self-assessment is saved.")

    page.get_by_role("link", name="2. Evidence").click()
    axe(page)
    page.get_by_label("Choose files").set_input_files(
        [
            {"name": "cv.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "photo.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 1_100_000},
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": ELF},
        ]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    failures = page.locator(".portal-progress [role=alert]")
    expect(failures).to_contain_text("larger than the limit of 1 MB per file")
    expect(failures).to_contain_text(
        "“invoice.pdf” was not accepted: its content is a program or script, "
        "whatever its name says."
    )
    expect(page.locator(".portal-progress-list li")).to_have_count(4)
    expect(page.locator(".portal-progress-status").nth(0)).to_have_text("Uploaded")
    expect(page.locator(".portal-progress-status").nth(1)).to_have_text("Uploaded")
    axe(page)
    page.get_by_role("link", name="Show my evidence").click()
    items = page.locator(".portal-item h3")
    expect(items).to_have_text(["cv", "photo"])
    page.get_by_role("link", name="Describe “cv”").click()
    page.get_by_label("Title").fill("My CV")
    page.locator(".portal-choices input[type=checkbox]").first.check()
    axe(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your evidence is saved.")

    page.get_by_role("link", name="3. Witnesses").click()
    page.get_by_label("Witness's full name").fill("Wanda Witness")
    page.get_by_label("Witness's e-mail address").fill("wanda@example.org")
    page.get_by_label("Manager or supervisor").check()
    page.get_by_label("Their role or organisation").fill("Head of IT, Acme")
    page.get_by_label("What you ask them to confirm").fill("Carol automated our reports.")
    axe(page)
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".messages")).to_contain_text(
        "We have sent Wanda Witness a link by e-mail."
    )
    expect(page.locator("table")).to_contain_text("Waiting for the witness")

    witness = new_page("phone")
    witness.goto(_link(live_server, "wanda@example.org"))
    expect(witness.locator(".portal-claim")).to_have_text("Carol automated our reports.")
    axe(witness)
    assert_no_horizontal_scroll(witness)
    witness.get_by_role("button", name="Send my testimony").click()
    expect(witness.locator(".field-errors").first).to_contain_text("This field is required.")
    witness.get_by_label("Your position and organisation").fill("Head of IT, Acme")
    witness.get_by_label("How and for how long you know the candidate's work").fill("2019-2023")
    witness.get_by_label("Yes, I confirm it").check()
    witness.get_by_label("Your testimony").fill("She wrote and maintained the scripts.")
    witness.get_by_label("I confirm that what I wrote is true").check()
    witness.get_by_role("button", name="Send my testimony").click()
    expect(witness.get_by_role("status")).to_contain_text("your testimony has been received")
    axe(witness)
    witness.reload()
    expect(witness.get_by_role("alert")).to_contain_text("This link works only once.")

    page.reload()
    expect(page.locator("table")).to_contain_text("Testimony received")
    page.get_by_role("link", name="4. Check and submit").click()
    expect(page.locator("#missing")).to_contain_text("learning outcomes have no evidence yet")
    axe(page)
    page.get_by_role("link", name="Review and submit").click()
    expect(page.locator("#gaps")).to_contain_text("learning outcomes have no evidence")
    axe(page)
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".field-errors")).to_contain_text("Tick the declaration to submit")
    page.get_by_label("I declare that this work and evidence are my own and true").check()
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".messages")).to_contain_text("Your application is submitted (round 1).")
    expect(page.locator(".portal-step-current")).to_contain_text("held by: Assessor")
    axe(page)
    page.goto(HOME)
    _state(page, "Submitted")
    axe(page)

    # The portfolio passes: the online test is on the to-do list, with its deadline.
    case = Case.objects.get(application__candidate__email="carol@example.org")
    assessor = _user("pool1@example.org")
    scores = {"scores": {str(o.pk): 4 for o in case.specification.outcomes.all()}}
    take_and_complete(open_tasks(case)[0], assessor, scores)
    test = _todo(page, "Take your test: Knowledge test")
    _state(page, "Action needed")
    test.get_by_role("link", name=re.compile("^Take the test")).click()
    page.get_by_role("button", name="Start the test").click()
    attempt = TestSitting.objects.get(case=case).attempts.get()
    for number, item in enumerate(attempt.drawn, start=1):
        question = Question.objects.get(pk=item["question"])
        if question.kind == "short":
            continue
        group = page.get_by_role("group", name=f"Question {number} (")
        for option in question.options.filter(correct=True):
            group.get_by_label(option.label, exact=True).check()
    axe(page)
    page.locator("#test-form").get_by_role("button", name="Submit all and finish").click()
    page.get_by_role("button", name="Submit and finish").click()
    expect(page.get_by_role("region", name="Your result").locator(".test-verdict")).to_have_text(
        "Passed"
    )
    axe(page)

    # The interview: the assessor proposes times, the candidate chooses one from the to-do list.
    interviewer = _user("pool2@example.org")
    take(open_tasks(case)[0], interviewer)
    case.refresh_from_db()
    first = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    meetings.propose(
        case,
        case.current_step,
        actor=interviewer,
        slots=[first, first + timedelta(days=1)],
        duration_minutes=30,
        place="https://meet.example.org/carol",
    )
    choose = _todo(page, "Choose a time for your interview")
    _state(page, "Action needed")
    choose.get_by_role("link", name=re.compile("^Choose a time")).click()
    page.get_by_label(meetings.when(first)).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("section[aria-labelledby=next-heading]")).to_contain_text(
        f"Be there on {meetings.when(first)}"
    )
    axe(page)
    _todo(page, "Attend your interview")

    # The interview took place, the decision is full recognition: the credential is ready.
    Appointment.objects.filter(case=case).update(starts_at=timezone.now() - timedelta(hours=1))
    take_and_complete(open_tasks(case)[0], interviewer, scores)
    take_and_complete(
        open_tasks(case, "decision")[0],
        _user("dm@example.org"),
        {"outcome": "full", "recognised_outcomes": [], "reasons": "Shown by work and test."},
    )
    ready = _todo(page, "Your micro-credential is ready")
    _state(page, "Recognised")
    ready.get_by_role("link", name=re.compile("^See your credential")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credential is ready")
    expect(page.locator("img[src*='/credentials/badges/']").first).to_be_visible()
    axe(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="View the verification page").click()
    expect(page.locator("main")).to_contain_text("Carol Candidate")
    expect(page.locator("main")).to_contain_text("Python programming basics")
    axe(page)
    page.goto("/applications/")
    _state(page, "Recognised")
