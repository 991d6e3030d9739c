"""Staffing: pools per step, what a pipeline needs of its pools, opening for applications only
when every path can be staffed, and stalls that are flagged and resolved by adding a person."""

import io
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from credentials.catalogue import services as catalogue
from credentials.catalogue.vocabularies import AssessmentType, Status
from evidence.portfolio import services as evidence
from rpl.accounts.roles import Role
from tests.api.clients import token_client
from tests.factories import make_user
from tests.factories.catalogue import SpecificationFactory
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, appeal_tasks, decided_case, people
from tests.workflows.engine_helpers import open_tasks, take, take_and_complete
from workflows import notifications
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.cases.applications import case_timeline
from workflows.models import Pipeline
from workflows.pipelines import services as pipelines
from workflows.setup import services as setup
from workflows.staffing import alerts
from workflows.staffing.pools import PoolKey
from workflows.staffing.selectors import opening_refusal, staffing_of
from workflows.staffing.stalls import stalls

pytestmark = pytest.mark.django_db

TWO_REVIEWS = """
key: two-reviews
title: {en: Two reviews, pl: Dwie oceny}
steps:
  - id: technical
    kind: evidence_review
    title: {en: Technical review, pl: Ocena techniczna}
    pool: technical
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: pedagogical
    kind: evidence_review
    title: {en: Pedagogical review, pl: Ocena dydaktyczna}
    pool: pedagogical
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: decision
    kind: decision
    decided_by: decision_maker
"""


@contextmanager
def patch_now(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(task) -> str:
    return f"/work/{task.process_id}/{task.pk}/"


def _sheet(case, score=4):
    return {"scores": {str(o.pk): score for o in case.specification.outcomes.all()}}


def _two_reviews(decision_makers, **pools):
    pipelines.import_text(actor=None, text=TWO_REVIEWS, fmt="yaml")
    pipelines.publish(actor=None, key="two-reviews")
    spec = SpecificationFactory(appeal_window_days=0, assessment_type=AssessmentType.PORTFOLIO)
    setup.set_up(
        actor=None,
        specification=spec,
        pipeline=Pipeline.objects.get(key="two-reviews"),
        pools={"decision_makers": set(decision_makers)},
        named={PoolKey(Role.ASSESSOR, name): set(people) for name, people in pools.items()},
    )
    return spec


@pytest.fixture
def tech():
    return make_user(Role.ASSESSOR, email="tech@example.org", full_name="Tess Technical")


@pytest.fixture
def teacher():
    return make_user(Role.ASSESSOR, email="teach@example.org", full_name="Ted Teacher")


def test_it_gives_each_review_to_its_own_pool_on_the_pages(
    candidate, tech, teacher, decision_maker
):
    spec = _two_reviews([decision_maker], technical=[tech], pedagogical=[teacher])
    assert spec.assessment_ready
    case = case_services.start_case(candidate=candidate, specification=spec)
    (technical,) = open_tasks(case)
    refused = _as(teacher).post(_url(technical) + "take/", follow=True).content.decode()
    assert "You are not in the pool of people for this step" in refused
    assert _as(teacher).get("/work/").context["claimable_tasks"] == []
    assert [t.pk for t in _as(tech).get("/work/").context["claimable_tasks"]] == [technical.pk]
    take_and_complete(technical, tech, _sheet(case))

    (pedagogical,) = open_tasks(case)
    refused = _as(tech).post(_url(pedagogical) + "take/", follow=True).content.decode()
    assert "You are not in the pool of people for this step" in refused
    pedagogical.refresh_from_db()
    assert pedagogical.owner_id is None
    take(_as(teacher), _url(pedagogical))
    pedagogical.refresh_from_db()
    assert pedagogical.owner_id == teacher.pk


def test_it_gives_each_review_to_its_own_pool_through_the_api(
    candidate, tech, teacher, decision_maker
):
    spec = _two_reviews([decision_maker], technical=[tech], pedagogical=[teacher])
    case = case_services.start_case(candidate=candidate, specification=spec)
    (technical,) = open_tasks(case)
    as_teacher, as_tech = token_client(teacher), token_client(tech)
    assert as_teacher.get("/api/v1/tasks/").json()["results"] == []
    assert [t["id"] for t in as_tech.get("/api/v1/tasks/").json()["results"]] == [technical.pk]
    refused = as_teacher.post(f"/api/v1/tasks/{technical.pk}/take")
    assert refused.status_code == 409
    assert "not in the pool of people for this step" in refused.json()["detail"]
    assert as_tech.post(f"/api/v1/tasks/{technical.pk}/take").status_code == 200


def test_it_says_in_words_what_a_pipeline_needs_and_refuses_too_few(candidate, administrator):
    few = [make_user(Role.ASSESSOR, email=f"a{n}@example.org") for n in range(2)]
    deciders = [make_user(Role.DECISION_MAKER, email=f"d{n}@example.org") for n in range(3)]
    officer = make_user(Role.IDENTITY_OFFICER, email="io@example.org")
    spec = assessed_catalogue([*few, *deciders, officer])["agile-project-management"]
    assert not spec.assessment_ready
    refusal = opening_refusal(spec)
    assert "a moderator for “Evidence review” who is none of its markers" in refusal

    page = _as(administrator).get(f"/assessment-setup/{spec.pk}/").content.decode()
    assert "Candidates cannot apply yet." in page
    assert "marker 2 of 2 for “Evidence review”" in page
    assert "panel seat 3 of 3" in page
    with pytest.raises(evidence.ApplicationError, match="not open for applications yet"):
        evidence.start_application(candidate=candidate, specification=spec)
    refused = _as(candidate).get(reverse("evidence:apply", args=[spec.slug]), follow=True)
    assert refused.redirect_chain[-1][0] == f"/catalogue/{spec.slug}/"
    assert "not open for applications yet" in refused.content.decode()
    catalogue_page = Client().get(f"/catalogue/{spec.slug}/").content.decode()
    assert "Not open for applications yet" in catalogue_page
    assert "Apply for recognition" not in catalogue_page

    more = [make_user(Role.ASSESSOR, email=f"b{n}@example.org") for n in range(4)]
    extra = make_user(Role.DECISION_MAKER, email="d9@example.org")
    response = _as(administrator).post(
        f"/assessment-setup/{spec.pk}/",
        {
            "pipeline": Pipeline.objects.get(key="agile-pm").pk,
            "assessors": [u.pk for u in few + more],
            "identity_officers": [officer.pk],
            "decision_makers": [u.pk for u in deciders + [extra]],
        },
        follow=True,
    )
    assert "Every path of the published pipeline can be staffed" in response.content.decode()
    spec.refresh_from_db()
    assert spec.assessment_ready and opening_refusal(spec) is None
    assert evidence.start_application(candidate=candidate, specification=spec).pk


def test_it_counts_a_test_marker_and_an_appeal_among_the_seats():
    deciders = [make_user(Role.DECISION_MAKER, email=f"d{n}@example.org") for n in range(2)]
    two = [make_user(Role.ASSESSOR, email=f"a{n}@example.org") for n in range(2)]
    spec = assessed_catalogue([*two, *deciders])["python-basics"]
    result = staffing_of(spec)
    assert not result.staffed
    assert "appeal reviewer" in result.shortfalls[0]
    third = make_user(Role.ASSESSOR, email="a3@example.org")
    assign_perm("credentials.assess", third, spec)
    assert staffing_of(spec).staffed


def test_it_refuses_to_publish_a_specification_its_pools_cannot_staff(administrator):
    spec = assessed_catalogue([])["python-basics"]
    catalogue.retire_specification(spec, actor=administrator)
    with pytest.raises(catalogue.NotPublishable) as refused:
        catalogue.publish_specification(spec, actor=administrator)
    assert any(
        "Nobody is in the pool Assessors (default pool)" in p for p in refused.value.problems
    )
    response = _as(administrator).post(f"/catalogue/manage/{spec.pk}/publish/", follow=True)
    assert "Nobody is in the pool" in response.content.decode()
    spec.refresh_from_db()
    assert spec.status == Status.RETIRED


def test_it_publishes_a_specification_without_a_pipeline_as_not_open_yet(administrator):
    spec = SpecificationFactory(status=Status.DRAFT)
    catalogue.publish_specification(spec, actor=administrator)
    spec.refresh_from_db()
    assert spec.is_published and not spec.is_open


def _blind_divergent(candidate, markers, officer, deciders):
    spec = assessed_catalogue([*markers, officer, *deciders])["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], officer, {"verified": True})
    one, two = open_tasks(case)
    take_and_complete(one, markers[0], _sheet(case, 4))
    take_and_complete(two, markers[1], _sheet(case, 1))
    case.refresh_from_db()
    return case


def test_it_flags_a_moderation_nobody_may_take_and_clears_it_when_someone_joins(
    candidate, assessor, assessor2, identity_officer, decision_maker, administrator
):
    case = _blind_divergent(candidate, [assessor, assessor2], identity_officer, [decision_maker])
    (moderation,) = open_tasks(case, "moderate")
    (stall,) = stalls()
    assert stall.task.pk == moderation.pk and stall.nobody_eligible
    assert stall.step == "Evidence review"
    assert "A moderator must not be one of the step's assessors." in stall.reason

    home = _as(administrator).get("/home/administrator/").content.decode()
    assert "Needs staff" in home and "Evidence review" in home
    current = [step for step in case_timeline(case) if step.state == "current"]
    assert [step.title for step in current] == ["Evidence review"]
    assert "Nothing for you to do now" in current[0].todo

    moderator = make_user(Role.ASSESSOR, email="mo@example.org", full_name="Mo Moderator")
    assign_perm("credentials.assess", moderator, case.specification)
    assert stalls() == []
    assert "Every open task has someone who may take it." in (
        _as(administrator).get("/home/administrator/").content.decode()
    )
    take_and_complete(moderation, moderator, _sheet(case, 3))
    case.refresh_from_db()
    assert not case.data.get("moderation") and case.current_step.id != "portfolio"


def test_it_e_mails_administrators_at_once_when_a_new_task_has_nobody(
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    administrator,
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = _blind_divergent(
            candidate, [assessor, assessor2], identity_officer, [decision_maker]
        )
    needs_staff = [m for m in mail.outbox if m.subject.startswith("Needs staff")]
    assert [(m.subject, m.to) for m in needs_staff] == [
        (f"Needs staff: case {case.pk}, “Evidence review”", [administrator.email])
    ]


def test_it_flags_an_appeal_nobody_may_review_until_a_new_assessor_joins(
    candidate,
    assessor,
    decision_maker,
    identity_officer,
    administrator,
    django_capture_on_commit_callbacks,
):
    who = people(candidate, assessor, decision_maker, identity_officer)
    case = decided_case(who, outcome="none")
    # The reviewer leaves the pool: everyone left assessed or decided the case.
    from guardian.shortcuts import remove_perm

    remove_perm("credentials.assess", who.reviewer, case.specification)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeals.submit_appeal(case, candidate=candidate, grounds=GROUNDS)
    (review,) = appeal_tasks(appeal, "review")
    (stall,) = stalls()
    assert stall.task.pk == review.pk and stall.nobody_eligible
    assert "You assessed this case" in stall.reason
    assert any(m.subject.startswith("Needs staff") for m in mail.outbox)
    assert "Needs staff" in _as(administrator).get("/home/administrator/").content.decode()

    assign_perm("credentials.assess", who.reviewer, case.specification)
    assert stalls() == []
    assert appeals.may_take(who.reviewer, review)


def test_it_flags_a_task_nobody_took_in_time(candidate, settings, assessor, quality_officer):
    settings.WORKFLOW_UNTAKEN_HOURS = 0
    spec = assessed_catalogue([assessor])["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    (stall,) = stalls()
    assert stall.case == case and not stall.nobody_eligible
    assert "Nobody has taken it for 0 hours" in stall.reason
    page = _as(quality_officer).get("/home/quality_officer/").content.decode()
    assert "Needs staff" in page and "Nobody has taken it" in page


def test_it_e_mails_a_digest_of_cases_without_progress(
    candidate,
    assessor,
    administrator,
    quality_officer,
    settings,
    django_capture_on_commit_callbacks,
):
    spec = assessed_catalogue([assessor])["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    settings.WORKFLOW_UNTAKEN_HOURS = 10_000
    mail.outbox.clear()
    assert alerts.send_stall_digest() == 0  # a new case has made progress today
    later = case.created + timedelta(days=settings.WORKFLOW_STALL_DAYS + 1)
    assert [c.pk for c in alerts.quiet_cases(later)] == [case.pk]
    with patch_now(later), django_capture_on_commit_callbacks(execute=True):
        call_command("stall_digest", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [administrator.email, quality_officer.email]
    )
    assert f"Case {case.pk}" in mail.outbox[0].body
    assert "no progress since" in mail.outbox[0].body


def test_it_checks_who_may_take_a_task_in_queries_that_do_not_grow_with_the_pool(
    candidate, assessor, identity_officer, decision_maker
):
    spec = assessed_catalogue([assessor, identity_officer, decision_maker])["python-basics"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    (task,) = open_tasks(case)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            notifications.pool_of(task)
        return len(captured)

    queries()  # the content type and the like are cached after the first time
    few = queries()
    for n in range(40):
        assign_perm("credentials.assess", make_user(Role.ASSESSOR, email=f"m{n}@example.org"), spec)
    assert len(notifications.pool_of(task)) == 41
    assert queries() == few
