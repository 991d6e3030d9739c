"""Agreeing a time for an interview or observation: the assessor proposes, the candidate picks or
asks for others, both download the agreed time; scores only after the meeting has started."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rpl.audit.models import AuditEvent
from tests.factories.people import PERSONAS
from tests.workflows.engine_helpers import open_tasks, score_sheet, take
from tests.workflows.meetings_setup import pass_identity, seed, start
from workflows.meetings import services as appointments
from workflows.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def case(candidate, assessor, assessor2, identity_officer, decision_maker):
    specification = seed([assessor, assessor2, identity_officer, decision_maker])
    return pass_identity(start(candidate, specification), identity_officer)


def _task_url(case, node="assess_1"):
    task = open_tasks(case, node)[0]
    return f"/work/{case.pk}/{task.pk}/"


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _times(*days):
    now = timezone.now().replace(second=0, microsecond=0)
    return [now + timedelta(days=day) for day in days]


def _proposal(*slots, place="https://meet.example.org/abc", duration="45"):
    data = {"duration_minutes": duration, "place": place}
    for number, slot in enumerate(slots, start=1):
        data[f"slot_{number}"] = _local(slot)
    return data


def _propose(client, case, *slots, **kwargs):
    return client.post(_task_url(case) + "meeting/", _proposal(*slots, **kwargs))


@pytest.fixture
def held(client, case, assessor):
    """The first assessor holds assess_1 and has declared no conflict."""
    client.force_login(assessor)
    take(client, _task_url(case))
    return client


def test_it_lets_the_assessor_holding_the_task_propose_times_and_emails_the_candidate(
    held, case, candidate, django_capture_on_commit_callbacks
):
    first, second = _times(2, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = _propose(held, case, second, first)
    assert response.status_code == 302
    assert response.url == _task_url(case)
    appointment = Appointment.objects.get(case=case, step_id="interview")
    assert appointment.status == Appointment.Status.PROPOSED
    assert appointments.slot_times(appointment) == [first, second]
    assert appointment.duration_minutes == 45
    message = mail.outbox[-1]
    assert message.to == [candidate.email]
    assert f"http://testserver/applications/{case.application_id}/case/" in message.body
    assert AuditEvent.objects.filter(action="case.appointment_proposed").count() == 1


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "has already passed"), (400, "more than a year away")],
)
def test_it_refuses_times_in_the_past_or_too_far_ahead(held, case, days, message):
    response = _propose(held, case, *_times(days))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


def test_it_refuses_the_same_time_twice_and_a_missing_place(held, case):
    slot = _times(2)[0]
    response = _propose(held, case, slot, slot, place="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Propose different times." in body
    assert "Say where the meeting takes place" in body
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS + ["assessor2"])
def test_it_lets_only_the_holder_of_the_task_propose(client, request, case, assessor, persona):
    url = _task_url(case)
    holder = Client()
    holder.force_login(assessor)
    take(holder, url)
    client.force_login(request.getfixturevalue(persona))
    expected = 200 if persona == "assessor" else 403
    assert client.get(url + "meeting/").status_code == expected
    response = client.post(url + "meeting/", _proposal(*_times(2)))
    assert response.status_code == (302 if persona == "assessor" else 403)
    assert Appointment.objects.exists() is (persona == "assessor")


def test_it_shares_one_appointment_between_the_two_assessors_of_the_step(held, case, assessor2):
    _propose(held, case, *_times(2))
    other = Client()
    other.force_login(assessor2)
    url = _task_url(case, "assess_2")
    take(other, url)
    page = other.get(url).content.decode()
    assert "Meeting with the candidate" in page
    assert "https://meet.example.org/abc" in page
    response = other.post(url + "meeting/", _proposal(*_times(5), place="Room 12"))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.place == "Room 12"
    assert appointment.proposed_by == assessor2


def _candidate_client(candidate):
    client = Client()
    client.force_login(candidate)
    return client


def test_it_lets_the_candidate_choose_a_time_and_tells_the_assessors(
    held, case, candidate, assessor, django_capture_on_commit_callbacks
):
    first, second = _times(2, 3)
    _propose(held, case, first, second)
    own = _candidate_client(candidate)
    timeline = own.get(f"/applications/{case.application_id}/case/").content.decode()
    assert "Which time suits you?" in timeline
    with django_capture_on_commit_callbacks(execute=True):
        response = own.post(f"/applications/{case.application_id}/meeting/", {"choice": "1"})
    assert response.url == f"/applications/{case.application_id}/case/"
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.starts_at == second
    message = mail.outbox[-1]
    assert message.to == [assessor.email]
    assert f"http://testserver{_task_url(case)}" in message.body
    assert "Add to my calendar" in held.get(_task_url(case)).content.decode()


def test_it_lets_the_candidate_ask_for_other_times_with_a_note(
    held, case, candidate, assessor, django_capture_on_commit_callbacks
):
    _propose(held, case, *_times(2))
    own = _candidate_client(candidate)
    url = f"/applications/{case.application_id}/meeting/"
    response = own.post(url, {"choice": "other"})
    assert response.status_code == 400
    assert "Say which days and times suit you." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        own.post(url, {"choice": "other", "note": "Any weekday after 4 pm."})
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.NEW_TIMES_ASKED
    assert "Any weekday after 4 pm." in mail.outbox[-1].body
    assert mail.outbox[-1].to == [assessor.email]
    assert own.post(url, {"choice": "0"}).status_code == 400

    _propose(held, case, *_times(6))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.PROPOSED
    assert appointment.candidate_note == ""


def test_it_hides_the_appointment_from_another_candidate(held, case, candidate2):
    _propose(held, case, *_times(2))
    other = _candidate_client(candidate2)
    base = f"/applications/{case.application_id}/"
    assert other.get(base + "meeting/").status_code == 404
    assert other.post(base + "meeting/", {"choice": "0"}).status_code == 404
    assert other.get(base + "meeting.ics").status_code == 404
    assert Appointment.objects.get().status == Appointment.Status.PROPOSED


def test_it_refuses_a_score_sheet_until_the_meeting_has_started(held, case, candidate):
    url = _task_url(case)
    sheet = score_sheet(case, rules=())

    response = held.post(url, sheet)
    assert response.status_code == 400
    assert "Agree a time with the candidate first" in response.content.decode()

    _propose(held, case, *_times(2))
    response = held.post(url, sheet)
    assert response.status_code == 400
    assert "The candidate has not confirmed a time yet." in response.content.decode()

    _candidate_client(candidate).post(
        f"/applications/{case.application_id}/meeting/", {"choice": "0"}
    )
    response = held.post(url, sheet)
    assert response.status_code == 400
    assert "Record the scores once it has taken place." in response.content.decode()
    assert not case.step_results.filter(step_id="interview").exists()

    Appointment.objects.update(starts_at=timezone.now() - timedelta(minutes=5))
    response = held.post(url, sheet)
    assert response.status_code == 302
    assert open_tasks(case, "assess_1") == []
    assert case.step_results.filter(step_id="interview").count() == 1


def test_it_serves_the_agreed_time_as_a_calendar_file_to_both_sides(held, case, candidate):
    slot = _times(2)[0]
    _propose(held, case, slot, place="Room 12, Main building; 2nd floor")
    own = _candidate_client(candidate)
    ics_url = f"/applications/{case.application_id}/meeting.ics"
    assert own.get(ics_url).status_code == 404
    own.post(f"/applications/{case.application_id}/meeting/", {"choice": "0"})

    response = own.get(ics_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert f"DTSTART:{slot.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}\r\n" in text
    end = slot + timedelta(minutes=45)
    assert f"DTEND:{end.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}\r\n" in text
    assert "LOCATION:Room 12\\, Main building\\; 2nd floor\r\n" in text
    assert held.get(_task_url(case) + "meeting.ics").content == response.content


def test_it_folds_long_calendar_lines_at_75_octets(held, case, candidate):
    _propose(held, case, *_times(2), place="Sala konferencyjna „Żółta” " * 8)
    _candidate_client(candidate).post(
        f"/applications/{case.application_id}/meeting/", {"choice": "0"}
    )
    content = appointments.ics(Appointment.objects.get()).content
    lines = content.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    unfolded = content.replace("\r\n ", "")
    assert "Sala konferencyjna „Żółta” " * 7 in unfolded


def test_it_refuses_to_choose_a_time_that_has_passed(held, case, candidate):
    _propose(held, case, *_times(2))
    Appointment.objects.update(slots=[(timezone.now() - timedelta(hours=1)).isoformat()])
    response = _candidate_client(candidate).post(
        f"/applications/{case.application_id}/meeting/", {"choice": "0"}
    )
    assert response.status_code == 400
    assert "That time has already passed" in response.content.decode()
    assert Appointment.objects.get().status == Appointment.Status.PROPOSED


def test_it_lets_the_identity_officer_agree_a_time_for_a_video_check(
    client,
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    django_capture_on_commit_callbacks,
):
    specification = seed([assessor, assessor2, identity_officer, decision_maker], method="video")
    case = start(candidate, specification)
    url = _task_url(case, "identity_check")
    client.force_login(identity_officer)
    page = client.get(take(client, url)).content.decode()
    assert "Agree a time for the video call with the candidate" in page
    recorded = {"method": "video", "verified": "yes", "note": "Face matches."}
    refused = client.post(url, recorded).content.decode()
    assert "Agree a time with the candidate first" in refused

    mail.outbox.clear()
    slot = _times(2)[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "meeting/", _proposal(slot)).status_code == 302
    (invitation,) = mail.outbox
    assert invitation.to == [candidate.email]
    assert invitation.subject == "Choose a time for your video identity check"

    as_candidate = Client()
    as_candidate.force_login(candidate)
    timeline = as_candidate.get(reverse("case_timeline", args=[case.application_id]))
    timeline = timeline.content.decode()
    assert "Your video identity check" in timeline
    appointment = Appointment.objects.get(case=case)
    appointments.choose(appointment, actor=candidate, index=0)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    # Recorded only once the call has taken place.
    assert "The meeting starts on" in client.post(url, recorded).content.decode()
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now())
    assert client.post(url, recorded).status_code == 302
    assert case.step_results.get(step_id="identity").data["verified"] is True
