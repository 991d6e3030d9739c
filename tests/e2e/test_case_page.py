"""In a real browser: the case page as the one place of truth (the thread of what the candidate
was told, the steps ahead, what to do next following the state) and the deliberate submission
(the summary, the declaration); axe on every page, no sideways scrolling on a phone."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from evidence.models import Application
from evidence.portfolio import services as evidence_services
from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login
from tests.factories import make_user
from tests.factories.evidence import ApplicationFactory, add_file
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from tests.workflows.meetings_setup import pass_identity, seed, start
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.flows.case_flow import CaseFlow
from workflows.meetings import services as appointments

LONG_PLACE = "https://meet.example.org/rpl-interview-room-with-a-rather-long-address-for-phones"
COMMENT = "The scripts in the report show clean, tested code for this outcome."
REASONS = "Outcome 1 is shown by the report; the rest is not shown by the evidence."


@pytest.fixture
def storage(settings, tmp_path):
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


@pytest.fixture
def people(db):
    return {
        "candidate": make_user(Role.CANDIDATE, email="cara@example.org", full_name="Cara Cand"),
        "assessor": make_user(Role.ASSESSOR, email="asa@example.org", full_name="Asa Marker"),
        "assessor2": make_user(Role.ASSESSOR, email="abe@example.org", full_name="Abe Marker"),
        "officer": make_user(Role.IDENTITY_OFFICER, email="ivo@example.org", full_name="Ivo Id"),
        "decider": make_user(Role.DECISION_MAKER, email="dee@example.org", full_name="Dee Cider"),
    }


def _no_staff_named(page, people):
    text = page.locator("main").inner_text()
    for key, person in people.items():
        if key != "candidate":
            assert person.get_full_name() not in text and person.email not in text


def test_it_follows_the_interview_on_the_case_page(new_page, live_server, storage, people):
    candidate, assessor = people["candidate"], people["assessor"]
    specification = seed([assessor, people["assessor2"], people["officer"], people["decider"]])
    case = pass_identity(start(candidate, specification), people["officer"])
    Application.objects.filter(pk=case.application_id).update(status="submitted")
    task = open_tasks(case, "assess_1")[0]
    with transaction.atomic(), CaseFlow.lock(case.pk):
        task.flow_task.activation_class(task).assign(assessor)
    now = timezone.now().replace(second=0, microsecond=0)
    appointments.propose(
        case,
        case.current_step,
        actor=assessor,
        slots=[now + timedelta(days=2), now + timedelta(days=3)],
        duration_minutes=30,
        place=LONG_PLACE,
    )
    timeline = f"/applications/{case.application_id}/case/"

    for viewport in ("desktop", "phone"):
        page = new_page(viewport)
        force_login(page, live_server, candidate)
        page.goto(timeline)
        next_step = page.locator("section[aria-labelledby=next-heading]")
        expect(next_step).to_contain_text("Times are proposed: choose one below")
        expect(page.get_by_role("heading", name="Messages about your case")).to_be_visible()
        thread = page.locator(".case-thread > li")
        expect(thread.first).to_contain_text("Times proposed for the interview")
        expect(thread.first).to_contain_text("From: Assessor")
        expect(thread.first).to_contain_text(LONG_PLACE)
        assert_accessible(page)
        _no_staff_named(page, people)
        if viewport == "phone":
            assert_no_horizontal_scroll(page)

    page.get_by_label(appointments.when(now + timedelta(days=2))).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("section[aria-labelledby=next-heading]")).to_contain_text(
        f"Be there on {appointments.when(now + timedelta(days=2))}"
    )
    expect(page.locator(".case-thread > li").first).to_contain_text(
        "You chose a time for the interview"
    )
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_it_shows_the_decision_its_comments_and_the_appeal(
    phone_page, live_server, storage, people
):
    page = phone_page
    staff = [*(p for k, p in people.items() if k != "candidate"), *reserve_staff()]
    spec = assessed_catalogue(staff)["python-basics"]
    candidate, assessor = people["candidate"], people["assessor"]
    application = Application.objects.create(
        candidate=candidate, specification=spec, status=Application.Status.SUBMITTED
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.application = application
    case.save(update_fields=["application"])
    outcomes = list(spec.outcomes.order_by("position"))
    sheet = {"scores": {str(o.pk): 3 for o in outcomes}, "comments": {str(outcomes[0].pk): COMMENT}}
    take_and_complete(open_tasks(case)[0], assessor, sheet)
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 60.0})
    take_and_complete(
        open_tasks(case, "decision")[0],
        people["decider"],
        {"outcome": "partial", "recognised_outcomes": [str(outcomes[0].pk)], "reasons": REASONS},
    )
    case.refresh_from_db()
    appeals.submit_appeal(
        case, candidate=candidate, grounds="My report shows outcome 2 on its fourth page."
    )
    force_login(page, live_server, candidate)
    page.goto(f"/applications/{application.pk}/case/")
    thread = page.locator(".case-thread > li")
    expect(thread).to_have_count(3)
    expect(thread.nth(0)).to_contain_text("You appealed the decision")
    expect(thread.nth(1)).to_contain_text("Decision: Partial recognition")
    expect(thread.nth(1)).to_contain_text(REASONS)
    expect(thread.nth(2)).to_contain_text("The assessors' comments on each learning outcome")
    expect(thread.nth(2)).to_contain_text(COMMENT)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    _no_staff_named(page, people)


def test_it_asks_for_the_declaration_before_submitting(
    new_page, live_server, storage, people, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    more = [make_user(Role.DECISION_MAKER, email=f"panel{n}@example.org") for n in (2, 3)]
    more += [make_user(Role.ASSESSOR, email=f"marker{n}@example.org") for n in (3, 4)]
    staff = [*(p for k, p in people.items() if k != "candidate"), *more, *reserve_staff()]
    spec = assessed_catalogue(staff)["agile-project-management"]
    candidate = people["candidate"]
    application = ApplicationFactory(candidate=candidate, specification=spec)
    item = add_file(application, "sprint-report.pdf")
    outcome = spec.outcomes.order_by("position").first()
    evidence_services.update_item(item, actor=candidate, outcomes=[outcome], title="Sprint report")

    phone = new_page("phone")
    force_login(phone, live_server, candidate)
    phone.goto(f"/applications/{application.pk}/submit/")
    expect(phone.locator("#self-assessment-empty")).to_contain_text(
        "Your self-assessment is empty."
    )
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)

    page = new_page("desktop")
    force_login(page, live_server, candidate)
    page.goto(f"/applications/{application.pk}/matrix/")
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review and submit")
    expect(page.locator("#gaps")).to_contain_text("learning outcomes have no evidence")
    expect(page.locator(".submit-outcomes > li").first).to_contain_text("Sprint report")
    assert_accessible(page)
    page.get_by_role("button", name="Submit now").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".field-errors")).to_contain_text("Tick the declaration to submit")
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == "draft"
    page.get_by_label("I declare that this work and evidence are my own and true").check()
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".messages")).to_contain_text("Your application is submitted (round 1).")
    expect(page.locator(".case-thread > li").first).to_contain_text(
        "You submitted your application"
    )
    expect(page.locator(".portal-step-conditional")).to_contain_text("Only if needed")
    assert_accessible(page)
