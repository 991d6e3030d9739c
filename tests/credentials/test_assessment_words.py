"""The catalogue page says how a micro-credential is assessed, in words, from the published
pipeline that the workflows app describes through the catalogue's ``describing_assessment``."""

import pytest
from django.utils import translation

from credentials.catalogue.models import Specification
from credentials.catalogue.signals import AssessmentStep, describing_assessment
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.catalogue import make_specification
from tests.factories.online_tests import catalogue_banks
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def specs(assessor, assessor2, identity_officer, decision_maker):
    return assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])


def steps_of(specification) -> list[AssessmentStep]:
    replies = describing_assessment.send(sender=Specification, specification=specification)
    return [step for _receiver, steps in replies for step in steps]


def test_it_words_each_step_of_the_published_plan(specs):
    steps = steps_of(specs["python-basics"])
    assert [step.title for step in steps] == ["Portfolio review", "Knowledge test", "Decision"]
    review, test, decision = (step.what for step in steps)
    assert review.startswith("An assessor reviews your portfolio")
    assert "asked for more evidence up to 2 times" in review
    assert test == "A 30-minute test, 20 questions, pass mark 70 %, 2 attempts."
    assert decision.startswith("A decision by a decision maker who did not assess you")
    assert "partial recognition" in decision
    assert "you may appeal within 30 days" in decision
    assert all(step.only_if == "" for step in steps)


def test_it_says_a_test_is_online_once_its_question_bank_is_ready(specs):
    catalogue_banks(specs)
    test = steps_of(specs["python-basics"])[1]
    assert test.what == "A 30-minute online test, 20 questions, pass mark 70 %, 2 attempts."


def test_it_says_which_steps_are_taken_only_if_needed(specs):
    identity, portfolio, interview, panel = steps_of(specs["agile-project-management"])
    assert identity.what.startswith("An identity officer checks your identity in a video call")
    assert "without seeing each other's marks" in portfolio.what
    assert interview.title == "Clarifying interview"
    assert interview.what.startswith("An interview with two assessors.")
    assert interview.only_if == "Only if needed: it depends on the result of “Evidence review”."
    assert panel.what.startswith("A decision by a panel of three decision makers")
    assert panel.only_if == ""


def test_it_titles_the_steps_in_the_active_language(specs):
    with translation.override("pl"):
        titles = [step.title for step in steps_of(specs["mig-mag-welding"])]
    assert titles[1] == "Obserwacja spawania próbnego"


def test_it_shows_how_you_will_be_assessed_on_the_catalogue_page(client, specs):
    body = client.get("/catalogue/agile-project-management/").content.decode()
    assert "How you will be assessed" in body
    assert "An interview with two assessors." in body
    assert "Only if needed: it depends on the result of “Evidence review”." in body


def test_it_says_nothing_of_an_assessment_without_a_published_pipeline(client, db):
    make_specification(slug="no-pipeline")
    body = client.get("/catalogue/no-pipeline/").content.decode()
    assert "How you will be assessed" not in body
    assert steps_of(Specification.objects.get(slug="no-pipeline")) == []


def test_it_describes_a_supervised_test_with_one_attempt(db):
    staff = [
        make_user(Role.IDENTITY_OFFICER, email="ido@example.org"),
        make_user(Role.ASSESSOR, email="a1@example.org"),
        make_user(Role.DECISION_MAKER, email="dm@example.org"),
        *reserve_staff(),
    ]
    theory = steps_of(assessed_catalogue(staff)["mig-mag-welding"])[2]
    assert theory.what == (
        "A 45-minute test, 30 questions, pass mark 75 %, 1 attempt. Someone supervises it."
    )
    assert theory.only_if == "Only if needed: it depends on the result of “Observed test weld”."
