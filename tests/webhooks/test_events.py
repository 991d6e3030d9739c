"""Which changes become which webhook events, for whom, with what in them."""

import json

import pytest

from credentials.issuing import services as issuing_services
from rpl.audit import services as audit
from tests.factories.catalogue import make_organisation
from tests.factories.credentials import issue
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from webhooks import services
from webhooks.models import Delivery, Event
from webhooks.payloads import Envelope
from workflows.cases import services as case_services

pytestmark = pytest.mark.django_db


def _bodies(event_type=None):
    events = Event.objects.order_by("audit_sequence")
    if event_type:
        events = events.filter(type=event_type)
    return [json.loads(event.body) for event in events]


def test_it_reports_a_case_submitted_and_decided(
    candidate, assessor, identity_officer, decision_maker, administrator, receiver
):
    spec = assessed_catalogue([assessor, identity_officer, decision_maker])["python-basics"]
    subscription, secret = services.create_subscription(
        actor=administrator,
        organisation=spec.awarding_body,
        url=receiver.url,
        events=["case.submitted", "case.decided"],
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(
        open_tasks(case)[0],
        assessor,
        {"scores": {str(o.pk): 2 for o in spec.outcomes.all()}},
    )
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 40.0})
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {"outcome": "none", "recognised_outcomes": [], "reasons": "Not yet shown."},
    )

    submitted, decided = _bodies()
    assert submitted["type"] == "case.submitted" and decided["type"] == "case.decided"
    assert submitted["data"]["id"] == decided["data"]["id"] == case.pk
    assert submitted["data"]["round"] == 1 and submitted["data"]["outcome"] is None
    assert decided["data"]["outcome"] == "none"
    assert decided["data"]["candidate"] == {"id": candidate.pk}
    assert decided["data"]["specification"] == {
        "slug": "python-basics",
        "url": "https://rpl.example.edu/catalogue/python-basics/",
    }
    assert decided["data"]["organisation"] == {"id": spec.awarding_body_id}
    assert services.send_due() == 2
    assert [r.headers["RPL-Event"] for r in receiver.requests] == ["case.submitted", "case.decided"]


def test_resubmitted_evidence_is_a_new_submission_of_the_same_case(
    candidate, administrator, receiver
):
    spec = assessed_catalogue([])["python-basics"]
    services.create_subscription(
        actor=administrator,
        organisation=spec.awarding_body,
        url=receiver.url,
        events=["case.submitted"],
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    audit.record(
        actor=candidate, action="case.evidence_resubmitted", target=case, changes={"round": 2}
    )
    bodies = _bodies("case.submitted")
    assert [body["data"]["round"] for body in bodies] == [1, 2]
    assert {body["data"]["id"] for body in bodies} == {case.pk}


def test_an_overturned_appeal_decides_the_case_again(candidate, administrator, receiver):
    spec = assessed_catalogue([])["python-basics"]
    services.create_subscription(
        actor=administrator,
        organisation=spec.awarding_body,
        url=receiver.url,
        events=["case.decided"],
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    case.outcome = "partial"
    case.save(update_fields=["outcome"])
    audit.record(
        actor=administrator,
        action="case.decision_overturned",
        target=case,
        changes={"from": {"outcome": "none"}, "to": {"outcome": "partial"}},
    )
    [decided] = _bodies("case.decided")
    assert decided["data"]["id"] == case.pk and decided["data"]["outcome"] == "partial"


def test_credential_events_carry_the_state_and_no_names_or_e_mail_addresses(
    candidate, specification, subscribed, quality_officer
):
    credential = issue(candidate, specification)
    issuing_services.suspend(credential, actor=quality_officer, reason="Checking a complaint.")
    issuing_services.revoke(credential, actor=quality_officer, reason="The complaint held.")
    bodies = _bodies()
    assert [body["type"] for body in bodies] == [
        "credential.issued",
        "credential.suspended",
        "credential.revoked",
    ]
    assert [body["data"]["state"] for body in bodies] == ["active", "suspended", "revoked"]
    assert len({body["id"] for body in bodies}) == 3
    for event in Event.objects.all():
        Envelope.model_validate_json(event.body)
        for personal in (candidate.email, "Alice", "Candidate", "complaint"):
            assert personal not in event.body


def test_only_active_subscriptions_of_the_organisation_to_that_event_get_it(
    candidate, specification, organisation, administrator, receiver
):
    wanted, _ = services.create_subscription(
        actor=administrator,
        organisation=organisation,
        url=receiver.url,
        events=["credential.issued"],
    )
    services.create_subscription(
        actor=administrator, organisation=organisation, url=receiver.url, events=["case.decided"]
    )
    disabled, _ = services.create_subscription(
        actor=administrator,
        organisation=organisation,
        url=receiver.url,
        events=["credential.issued"],
    )
    services.set_active(disabled, actor=administrator, active=False)
    services.create_subscription(
        actor=administrator,
        organisation=make_organisation(),
        url=receiver.url,
        events=["credential.issued"],
    )
    issue(candidate, specification)
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [wanted.pk]


def test_nothing_is_stored_when_nobody_subscribes(candidate, specification):
    issue(candidate, specification)
    assert not Event.objects.exists()


def test_a_panel_reports_one_decision_when_its_last_member_has_voted(
    candidate, assessor, assessor2, identity_officer, decision_maker, administrator, receiver
):
    from guardian.shortcuts import assign_perm

    from rpl.accounts.roles import Role
    from tests.factories import make_user

    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["agile-project-management"]
    services.create_subscription(
        actor=administrator,
        organisation=spec.awarding_body,
        url=receiver.url,
        events=["case.decided"],
    )
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    for task, person in zip(open_tasks(case), (assessor, assessor2), strict=True):
        take_and_complete(task, person, scores)
    members = [decision_maker]
    for n in (2, 3):
        members.append(make_user(Role.DECISION_MAKER, email=f"member{n}@example.org"))
        assign_perm("credentials.decide", members[-1], spec)
    for n, (seat, member) in enumerate(zip(open_tasks(case), members, strict=True), start=1):
        take_and_complete(
            seat, member, {"outcome": "none", "recognised_outcomes": [], "reasons": "x"}
        )
        assert len(_bodies("case.decided")) == (1 if n == 3 else 0)

    (decided,) = _bodies("case.decided")
    assert decided["data"]["id"] == case.pk and decided["data"]["outcome"] == "none"
