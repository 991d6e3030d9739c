"""Appeals (issue 5, item 8): the candidate appeals once within the window; an assessor and a
decision maker new to the case handle it; the outcome and reasons are recorded and told; an
overturned decision issues the credential. Separation of duties is held against direct requests."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from credentials.issuing.models import IssuedCredential
from rpl.accounts.roles import Role
from rpl.audit.models import AuditEvent
from tests.factories import make_user
from tests.factories.people import PERSONAS
from tests.workflows.appeal_helpers import (
    GROUNDS,
    People,
    as_user,
    decided_case,
    people,
    task_url,
)
from tests.workflows.engine_helpers import open_tasks
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.models import Appeal, Case, ConflictDeclaration, StepResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://rpl.example.org"


@pytest.fixture
def who(candidate, assessor, decision_maker, identity_officer):
    return people(candidate, assessor, decision_maker, identity_officer)


@pytest.fixture
def case(who):
    return decided_case(who, outcome="none")


def appeal_url(case):
    return f"/applications/{case.application_id}/case/appeal/"


def submit(case, who, capture):
    with capture(execute=True):
        response = as_user(who.candidate).post(appeal_url(case), {"grounds": GROUNDS})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Appeal.objects.get(appealed_case=case)


def take(client, task):
    """Take an appeal task and declare no conflict of interest, as people do first."""
    response = client.post(task_url(task) + "take/", follow=True)
    client.post(task_url(task) + "declare/", {"declaration": "none"})
    return response


def review(appeal, who, capture, recommendation="overturn"):
    (task,) = open_tasks(appeal, "review")
    client = as_user(who.reviewer)
    take(client, task)
    with capture(execute=True):
        response = client.post(
            task_url(task),
            {"recommendation": recommendation, "reasons": "The report covers outcome 3."},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    (decide,) = open_tasks(appeal, "decide")
    return decide


def decide(task, user, data, capture):
    client = as_user(user)
    take(client, task)
    with capture(execute=True):
        return client.post(task_url(task), data)


def audit_actions(target):
    return list(
        AuditEvent.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk)
        ).values_list("action", flat=True)
    )


# The whole appeal ------------------------------------------------------------------------------


def test_it_overturns_a_decision_on_appeal_and_issues_the_credential(
    case, who, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    mail.outbox.clear()
    appeal = submit(case, who, capture)
    assert appeal.candidate == who.candidate and appeal.grounds == GROUNDS
    assert [m.subject for m in mail.outbox if who.candidate.email in m.to] == [
        "We have received your appeal"
    ]
    called = [m for m in mail.outbox if m.subject == "An appeal needs an assessor"]
    assert [m.to for m in called] == [[who.reviewer.email]]  # not the case's own assessor
    assert "https://rpl.example.org/work/" in called[0].body

    mail.outbox.clear()
    decide_task = review(appeal, who, capture)
    appeal.refresh_from_db()
    assert appeal.review == {
        "recommendation": "overturn",
        "reasons": "The report covers outcome 3.",
    }
    assert appeal.reviewed_by == who.reviewer
    called = sorted(m.to[0] for m in mail.outbox if m.subject == "An appeal needs a decision maker")
    assert called == sorted([who.judge.email, who.judge2.email])  # not the original decider

    mail.outbox.clear()
    response = decide(
        decide_task,
        who.judge,
        {"outcome": "overturned", "new_outcome": "full", "reasons": "The report shows it all."},
        capture,
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert (appeal.outcome, appeal.new_outcome, appeal.decided_by) == (
        "overturned",
        "full",
        who.judge,
    )
    assert appeal.status == "DONE" and appeal.decided_at is not None
    assert case.outcome == "full"
    assert case.recognised_outcomes == [str(o.pk) for o in case.specification.outcomes.all()]
    credential = IssuedCredential.objects.get(case=case)
    assert case.data["credential"] == str(credential.public_id)
    # The original decision stays on record.
    original = StepResult.objects.get(case=case, role="decision_maker")
    assert original.data["outcome"] == "none" and original.actor == who.decision_maker
    assert case.data["appeal"]["original_decision"]["outcome"] == "none"
    assert {"case.appealed", "case.decision_overturned", "case.recognised"} <= set(
        audit_actions(case)
    )
    assert audit_actions(appeal) == [
        "appeal.submitted",
        "appeal.task_taken",
        "appeal.reviewed",
        "appeal.task_taken",
        "appeal.decided",
    ]
    (told,) = [m for m in mail.outbox if m.subject.startswith("The outcome of your appeal")]
    assert told.to == [who.candidate.email]
    assert "The report shows it all." in told.body
    # Every appeal goes to the quality officers as an audit task.
    from quality.models import AuditCase

    assert AuditCase.objects.filter(audited_case=case, reason="appeal").count() == 1
    assert f"https://rpl.example.org/applications/{case.application_id}/case/" in told.body


def test_it_upholds_a_decision_and_tells_the_candidate_why(
    case, who, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    appeal = submit(case, who, capture)
    task = review(appeal, who, capture, recommendation="uphold")
    mail.outbox.clear()
    decide(
        task, who.judge, {"outcome": "upheld", "reasons": "Outcome 3 is still not shown."}, capture
    )
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert (appeal.outcome, appeal.new_outcome) == ("upheld", "")
    assert case.outcome == "none" and "appeal" not in case.data
    assert not IssuedCredential.objects.filter(case=case).exists()
    (told,) = mail.outbox
    assert "The decision is upheld" in told.body and "Outcome 3 is still not shown." in told.body
    page = as_user(who.candidate).get(f"/applications/{case.application_id}/case/")
    body = page.content.decode()
    assert "Decision upheld" in body and "Outcome 3 is still not shown." in body
    assert "Appeal this decision" not in body


def test_it_overturns_to_partial_recognition_of_the_chosen_outcomes(
    case, who, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    first, second, *_ = case.specification.outcomes.order_by("position")
    appeal = submit(case, who, capture)
    task = review(appeal, who, capture)
    mail.outbox.clear()
    decide(
        task,
        who.judge,
        {
            "outcome": "overturned",
            "new_outcome": "partial",
            "recognised_outcomes": [str(first.pk), str(second.pk)],
            "reasons": "Two outcomes are shown.",
        },
        capture,
    )
    case.refresh_from_db()
    assert case.outcome == "partial"
    assert case.recognised_outcomes == sorted([str(first.pk), str(second.pk)], key=int)
    assert not IssuedCredential.objects.filter(case=case).exists()
    (told,) = mail.outbox
    assert f"/applications/{case.application_id}/case/statement/" in told.body


def test_it_explains_what_is_wrong_with_an_appeal_decision_and_changes_nothing(
    case, who, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    appeal = submit(case, who, capture)
    task = review(appeal, who, capture)
    outcomes = [str(o.pk) for o in case.specification.outcomes.all()]
    client = as_user(who.judge)
    take(client, task)
    cases = [
        ({"outcome": "overturned", "reasons": "x"}, "Choose the new decision"),
        (
            {"outcome": "overturned", "new_outcome": "partial", "reasons": "x"},
            "Tick at least one outcome",
        ),
        (
            {
                "outcome": "overturned",
                "new_outcome": "partial",
                "recognised_outcomes": outcomes,
                "reasons": "x",
            },
            "choose full recognition instead",
        ),
        ({"outcome": "upheld"}, "Explain the decision"),
        ({"outcome": "maybe", "reasons": "x"}, "Select a valid choice"),
    ]
    for data, message in cases:
        response = client.post(task_url(task), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.outcome == "" and Case.objects.get(pk=case.pk).outcome == "none"


# The candidate's side ---------------------------------------------------------------------------


def test_it_offers_the_appeal_on_the_timeline_within_the_window(case, who):
    body = as_user(who.candidate).get(f"/applications/{case.application_id}/case/").content
    assert b"Appeal this decision" in body
    assert appeal_url(case).encode() in body


def test_it_tells_about_the_appeal_and_how_it_stands_on_the_timeline(
    case, who, django_capture_on_commit_callbacks
):
    submit(case, who, django_capture_on_commit_callbacks)
    response = as_user(who.candidate).get(f"/applications/{case.application_id}/case/")
    body = response.content.decode()
    assert "Being reviewed" in body and "Appeal this decision" not in body
    assert "Your appeal is being considered" in response.context["next_action"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("late", "The time to appeal this decision ended on"),
        ("no_window", "Decisions on this micro-credential cannot be appealed."),
        ("full", "fully recognised: there is nothing to appeal"),
        ("again", "You have already appealed this decision"),
    ],
)
def test_it_refuses_an_appeal_that_is_not_allowed_and_says_why(
    case, who, change, message, django_capture_on_commit_callbacks
):
    if change == "late":
        Case.objects.filter(pk=case.pk).update(finished=timezone.now() - timedelta(days=31))
    elif change == "no_window":
        type(case.specification).objects.filter(pk=case.specification_id).update(
            appeal_window_days=0
        )
    elif change == "full":
        Case.objects.filter(pk=case.pk).update(outcome="full")
    else:
        submit(case, who, django_capture_on_commit_callbacks)
    client = as_user(who.candidate)
    assert message in client.get(appeal_url(case)).content.decode()
    response = client.post(appeal_url(case), {"grounds": GROUNDS})
    assert response.status_code == 403
    assert message in response.content.decode()
    assert Appeal.objects.filter(appealed_case=case).count() == (1 if change == "again" else 0)


def test_it_allows_an_appeal_on_the_last_day_of_the_window(case, who):
    Case.objects.filter(pk=case.pk).update(finished=timezone.now() - timedelta(days=29))
    assert as_user(who.candidate).post(appeal_url(case), {"grounds": GROUNDS}).status_code == 302


def test_it_refuses_an_appeal_before_the_decision(who):
    case = decided_case(who)
    open_case = case_services.start_case(candidate=who.candidate, specification=case.specification)
    assert appeals.appeal_refusal(open_case, who.candidate) == "There is no decision to appeal yet."
    with pytest.raises(appeals.AppealError):
        appeals.submit_appeal(open_case, candidate=who.candidate, grounds=GROUNDS)
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("grounds", "message"),
    [
        ("", "Write your grounds"),
        ("Unfair.", "Write at least 20 characters"),
        ("x" * 5001, "Keep your grounds to 5000 characters"),
    ],
)
def test_it_explains_what_is_wrong_with_the_grounds(case, who, grounds, message):
    response = as_user(who.candidate).post(appeal_url(case), {"grounds": grounds})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_does_not_let_another_candidate_appeal(case, who, candidate2):
    client = as_user(candidate2)
    assert client.get(appeal_url(case)).status_code == 404
    assert client.post(appeal_url(case), {"grounds": GROUNDS}).status_code == 404
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "candidate"])
def test_it_keeps_the_appeal_form_to_candidates(case, request, persona):
    client = as_user(request.getfixturevalue(persona))
    assert client.post(appeal_url(case), {"grounds": GROUNDS}).status_code == 403
    assert not Appeal.objects.exists()


def test_it_holds_one_appeal_per_case_in_the_database(
    case, who, django_capture_on_commit_callbacks
):
    submit(case, who, django_capture_on_commit_callbacks)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(appealed_case=case, candidate=who.candidate, grounds=GROUNDS)


def test_it_refuses_an_overturned_appeal_without_a_new_decision_in_the_database(case, who):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            appealed_case=case,
            candidate=who.candidate,
            grounds=GROUNDS,
            outcome="overturned",
            decided_at=timezone.now(),
        )


def test_it_tells_the_candidate_in_the_decision_e_mail_how_to_appeal(
    who, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = decided_case(who, outcome="none")
    (told,) = [m for m in mail.outbox if m.subject.startswith("A decision on your application")]
    assert "you may appeal with your grounds until" in told.body
    assert f"https://rpl.example.org{appeal_url(case)}" in told.body


# Separation of duties, against direct requests ------------------------------------------------


def _give(user, role, perm, case):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=role.value))
    assign_perm(perm, user, case.specification)
    return type(user).objects.get(pk=user.pk)


def _assert_refused_take(user, task, message):
    response = take(as_user(user), task)
    assert message in response.content.decode()
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"


def test_it_refuses_the_review_to_the_case_s_assessor_and_decision_maker(
    case, who, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    (task,) = open_tasks(appeal, "review")
    _assert_refused_take(who.assessor, task, "an assessor who did not must review the appeal")
    decider = _give(who.decision_maker, Role.ASSESSOR, "credentials.assess", case)
    _assert_refused_take(decider, task, "you may not review the appeal")
    assert as_user(who.candidate).post(task_url(task) + "take/").status_code == 403
    _assert_refused_take(who.judge, task, "This task needs the role: Assessor.")
    stranger = make_user(Role.ASSESSOR, email="stranger@example.org")
    _assert_refused_take(stranger, task, "You are not in the pool")
    assert appeal.review == {}


def test_it_refuses_the_appeal_decision_to_the_original_decider_the_reviewer_and_assessors(
    case, who, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    task = review(appeal, who, django_capture_on_commit_callbacks)
    _assert_refused_take(who.decision_maker, task, "another decision maker must decide it")
    reviewer = _give(who.reviewer, Role.DECISION_MAKER, "credentials.decide", case)
    _assert_refused_take(reviewer, task, "You reviewed this appeal: another person must decide it")
    assessor = _give(who.assessor, Role.DECISION_MAKER, "credentials.decide", case)
    _assert_refused_take(assessor, task, "you may not decide its appeal")
    assert as_user(who.candidate).post(task_url(task) + "take/").status_code == 403


def test_it_refuses_a_decision_posted_by_someone_who_does_not_hold_the_task(
    case, who, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    task = review(appeal, who, django_capture_on_commit_callbacks)
    take(as_user(who.judge), task)
    data = {"outcome": "overturned", "new_outcome": "full", "reasons": "Forged."}
    for user in (who.judge2, who.decision_maker, who.reviewer, who.candidate):
        assert as_user(user).post(task_url(task), data).status_code == 403
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert appeal.outcome == "" and case.outcome == "none"
    assert not IssuedCredential.objects.filter(case=case).exists()


def test_it_checks_separation_of_duties_again_when_the_task_is_done(
    case, who, django_capture_on_commit_callbacks
):
    """A task handed to the original decision maker behind the pages' back is still refused."""
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    task = review(appeal, who, django_capture_on_commit_callbacks)
    type(task).objects.filter(pk=task.pk).update(owner=who.decision_maker, status="ASSIGNED")
    data = {"outcome": "overturned", "new_outcome": "full", "reasons": "Mine after all."}
    assert as_user(who.decision_maker).post(task_url(task), data).status_code == 403
    appeal.refresh_from_db()
    assert appeal.outcome == ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_the_appeal_task_page_to_anyone_but_its_holder(
    case, who, request, persona, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    (task,) = open_tasks(appeal, "review")
    take(as_user(who.reviewer), task)
    client = as_user(request.getfixturevalue(persona))
    assert client.get(task_url(task)).status_code == 403
    assert client.post(task_url(task) + "release/").status_code == 403
    assert as_user(who.reviewer).get(task_url(task)).status_code == 200


def test_it_lets_the_holder_give_an_appeal_task_back(case, who, django_capture_on_commit_callbacks):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    (task,) = open_tasks(appeal, "review")
    client = as_user(who.reviewer)
    take(client, task)
    assert client.post(task_url(task) + "release/").url == "/work/"
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"


# The inbox --------------------------------------------------------------------------------------


def test_it_lists_appeal_tasks_in_the_inbox_for_the_people_who_may_take_them(
    case, who, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    (task,) = open_tasks(appeal, "review")
    reviewer = as_user(who.reviewer)
    assert [t.pk for t in reviewer.get("/work/").context["appeal_claimable_tasks"]] == [task.pk]
    assert as_user(who.assessor).get("/work/").context["appeal_claimable_tasks"] == []
    take(reviewer, task)
    page = reviewer.get("/work/")
    assert [t.pk for t in page.context["appeal_assigned_tasks"]] == [task.pk]
    assert task_url(task) in page.content.decode()


def test_it_shows_the_inbox_with_a_constant_number_of_queries(who):
    def count():
        client = as_user(who.reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/work/").status_code == 200
        return len(queries)

    case = decided_case(who)
    appeals.submit_appeal(case, candidate=who.candidate, grounds=GROUNDS)
    one = count()
    for n in range(3):
        other = make_user(Role.CANDIDATE, email=f"c{n}@example.org")
        extra = decided_case(People(**{**vars(who), "candidate": other}))
        appeals.submit_appeal(extra, candidate=other, grounds=GROUNDS)
    assert len(as_user(who.reviewer).get("/work/").context["appeal_claimable_tasks"]) == 4
    assert count() == one


def test_it_gives_an_appeal_review_back_on_a_conflict_of_interest(
    case, who, django_capture_on_commit_callbacks
):
    appeal = submit(case, who, django_capture_on_commit_callbacks)
    (task,) = open_tasks(appeal, "review")
    client = as_user(who.reviewer)
    client.post(task_url(task) + "take/")
    client.post(
        task_url(task) + "declare/", {"declaration": "conflict", "reason": "My former student."}
    )
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"
    assert ConflictDeclaration.objects.get(case=case, person=who.reviewer).has_conflict
    refused = client.post(task_url(task) + "take/", follow=True).content.decode()
    assert "You declared a conflict of interest in this case." in refused
