"""Each demo pipeline walked end to end in a real browser, every step done by its own persona on
its own pages: take the task, declare no conflict of interest, judge, down to the decision. The
candidate sits online tests and picks interview times; axe checks each work page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from viewflow.workflow.status import PROCESS, STATUS

from assessments.models import Question, TestSitting
from credentials.catalogue.models import Specification
from credentials.issuing.models import IssuedCredential
from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, force_login
from tests.factories import make_user
from tests.factories.evidence import PNG, add_file
from tests.factories.online_tests import catalogue_banks
from tests.factories.pipelines import assessed_catalogue
from workflows.cases import applications
from workflows.meetings import services as appointments
from workflows.models import Appointment, Case
from workflows.work.duties import DECISION_NODES

pytestmark = pytest.mark.django_db(transaction=True)

PERSONA_OF_NODE = {
    "identity_check": "officer",
    "assess_1": "assessor",
    "assess_2": "assessor2",
    "assess_3": "assessor3",
    "moderate": "moderator",
    "test": "assessor3",
    "decision": "decider",
    "panel_2": "decider2",
    "panel_3": "decider3",
}


@pytest.fixture
def people(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    people = {
        "candidate": make_user(Role.CANDIDATE, email="walk@example.org", full_name="Wanda Walk"),
        "officer": make_user(Role.IDENTITY_OFFICER, email="officer@example.org"),
        "assessor": make_user(Role.ASSESSOR, email="as1@example.org"),
        "assessor2": make_user(Role.ASSESSOR, email="as2@example.org"),
        "assessor3": make_user(Role.ASSESSOR, email="as3@example.org"),
        "moderator": make_user(Role.ASSESSOR, email="mod@example.org"),
        "decider": make_user(Role.DECISION_MAKER, email="dec@example.org"),
        "decider2": make_user(Role.DECISION_MAKER, email="dec2@example.org"),
        "decider3": make_user(Role.DECISION_MAKER, email="dec3@example.org"),
        # enough for every path of agile-pm: its appeal reviewer and decider handled nothing
        "assessor4": make_user(Role.ASSESSOR, email="as4@example.org"),
        "assessor5": make_user(Role.ASSESSOR, email="as5@example.org"),
        "decider4": make_user(Role.DECISION_MAKER, email="dec4@example.org"),
    }
    catalogue_banks(assessed_catalogue([p for key, p in people.items() if key != "candidate"]))
    return people


def _submitted_case(candidate, slug) -> Case:
    from evidence.portfolio import services

    application = services.start_application(
        candidate=candidate, specification=Specification.objects.get(slug=slug)
    )
    add_file(application, name="work.png", content=PNG)
    applications.submit_application(application, candidate)
    return Case.objects.get(application=application)


def _as(page, live_server, user):
    page.context.clear_cookies()
    force_login(page, live_server, user)
    return page


def _take(page, case):
    page.goto("/work/")
    page.get_by_role("button", name=f"Take case {case.pk}").first.click()
    expect(page.get_by_role("heading", name="Before you look at the case")).to_be_visible()
    page.get_by_label("I have no conflict of interest in this case.").check()
    page.get_by_role("button", name="Record my declaration").click()
    expect(page.get_by_role("heading", name="Your judgement")).to_be_visible()


def _schedule(page, live_server, case, people, holder):
    """The assessor proposes a time, the candidate takes it, and the meeting takes place."""
    page.get_by_role("link", name="Propose times").click()
    soon = timezone.localtime() + timedelta(days=2)
    page.get_by_label("First time").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place or meeting link").fill("Room 12, Main Building")
    page.get_by_role("button", name="Propose these times").click()
    expect(page.get_by_text("The times are proposed")).to_be_visible()
    _as(page, live_server, people["candidate"])
    page.goto(f"/applications/{case.application_id}/case/")
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("The time is agreed.")).to_be_visible()
    assert_accessible(page)
    # The agreed time has come.
    Appointment.objects.filter(case=case).update(starts_at=timezone.now() - timedelta(hours=1))
    _as(page, live_server, holder)


def _judge(page, live_server, case, node, people):
    holder = people[PERSONA_OF_NODE[node]]
    _as(page, live_server, holder)
    _take(page, case)
    case.refresh_from_db()
    step = case.current_step
    if appointments.is_meeting_step(step) and node != "moderate":
        if not Appointment.objects.filter(case=case, step_id=step.id, starts_at__isnull=False):
            _schedule(page, live_server, case, people, holder)
        page.goto(f"/work/{case.pk}/{_open(case, node).pk}/")
    assert_accessible(page)
    form = page.locator("main form").filter(
        has=page.get_by_role("button", name="Record and continue")
    )
    if node == "identity_check":
        form.locator("input[name=verified][value=yes]").check()
    elif node in DECISION_NODES:
        form.locator("input[name=outcome][value=full]").check()
        form.get_by_label("Reasons the candidate will read").fill("Every outcome is shown.")
    elif node == "test":
        for field in form.locator("input[name^=points_]").all():
            field.fill(field.get_attribute("max") or "1")
    else:
        for select in form.locator("select[name^=score_]").all():
            values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            select.select_option(values[-1])
        for box in form.locator("input[type=checkbox]").all():
            box.check()
    form.get_by_role("button", name="Record and continue").click()
    expect(page.get_by_role("status").first).to_contain_text("Recorded")


def _sit_test(page, live_server, case, candidate):
    _as(page, live_server, candidate)
    page.goto(f"/applications/{case.application_id}/case/")
    page.get_by_role("link", name="Take the test").click()
    page.get_by_role("button", name="Start the test").click()
    attempt = TestSitting.objects.filter(case=case).latest("pk").attempts.latest("pk")
    for number, item in enumerate(attempt.drawn, start=1):
        question = Question.objects.get(pk=item["question"])
        group = page.get_by_role("group", name=f"Question {number} (")
        if question.kind == "short":
            group.get_by_label("Your answer").fill(question.model_answer or "An answer.")
            continue
        for option in question.options.filter(correct=True):
            group.get_by_label(option.label, exact=True).check()
    page.locator("#test-form").get_by_role("button", name="Submit all and finish").click()
    page.get_by_role("button", name="Submit and finish").click()
    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()


def _open(case, node=None):
    tasks = case.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).order_by("pk")
    return next(t for t in tasks if node is None or t.flow_task.name == node)


WALKS = {
    "python-basics": {"assess_1", "sit_test", "decision"},
    "agile-project-management": {
        "identity_check",
        "assess_1",
        "assess_2",
        "decision",
        "panel_2",
        "panel_3",
    },
    "mig-mag-welding": {"identity_check", "assess_1", "sit_test", "decision"},
}


@pytest.mark.parametrize("slug", list(WALKS))
def test_it_walks_the_demo_pipeline_to_a_decision_in_the_browser(page, live_server, people, slug):
    case = _submitted_case(people["candidate"], slug)
    walked = []
    for _ in range(15):
        case.refresh_from_db()
        if case.status != PROCESS.NEW:
            break
        tasks = [
            t
            for t in case.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
            if t.flow_task.name in PERSONA_OF_NODE or t.flow_task.name == "sit_test"
        ]
        node = sorted(t.flow_task.name for t in tasks)[0]
        if node == "sit_test":
            _sit_test(page, live_server, case, people["candidate"])
        else:
            _judge(page, live_server, case, node, people)
        walked.append(node)
    case.refresh_from_db()
    assert case.status == PROCESS.DONE, walked
    assert case.outcome == "full"
    assert walked[-1] in DECISION_NODES
    assert WALKS[slug] <= set(walked), walked
    assert IssuedCredential.objects.filter(case=case).count() == 1
