"""Witnesses, submission and freezing, rounds, withdrawal, export, sign-up, the timeline."""

import io
import re
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from evidence.models import EvidenceItem, FrozenError, ItemOutcome, Snapshot, WitnessRequest
from evidence.portfolio import services
from evidence.witnesses import services as witness_services
from rpl.audit.models import AuditEvent
from tests.factories.evidence import PDF, PNG, add_file
from workflows.cases import applications
from workflows.models import Case

pytestmark = pytest.mark.django_db


def _invite(application, outcomes=()):
    return witness_services.invite_witness(
        application,
        actor=application.candidate,
        witness_name="Wanda Witness",
        witness_email="wanda@example.org",
        relationship="my supervisor at Acme",
        claim="Alice automated our reports in Python.",
        outcomes=outcomes,
    )


TESTIMONY = {
    "full_name": "Wanda Witness",
    "position": "Head of IT, Acme",
    "relationship": "I supervised her from 2019 to 2023.",
    "confirmation": "yes",
    "statement": "She wrote and maintained the scripts.",
}


def _link_from_outbox():
    return re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)


def test_it_takes_a_witness_testimony_once_without_an_account(
    client, application, django_capture_on_commit_callbacks
):
    outcome = application.specification.outcomes.order_by("position").first()
    _invite(application, [outcome])
    assert mail.outbox[-1].to == ["wanda@example.org"]
    link = _link_from_outbox()
    page = client.get(link)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Alice automated our reports in Python." in text
    assert outcome.statement in text
    assert "alice@example.org" not in text  # only what they are asked to confirm
    missing = client.post(link, {**TESTIMONY, "confirmation": ""})
    assert "This field is required." in missing.content.decode()
    assert "She wrote and maintained the scripts." in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, {**TESTIMONY, "declaration": "on"})
    assert "your testimony has been received" in done.content.decode()
    request = WitnessRequest.objects.get()
    assert request.status == "answered"
    item = request.testimony.item
    assert item.kind == "testimony" and [m.outcome for m in item.mapping.all()] == [outcome]
    assert mail.outbox[-1].to == ["alice@example.org"]  # the candidate hears it arrived
    again = client.get(link)
    assert again.status_code == 410
    assert "This link works only once." in again.content.decode()
    assert client.post(link, TESTIMONY).status_code == 410
    assert EvidenceItem.objects.filter(kind="testimony").count() == 1
    client.force_login(application.candidate)
    listing = client.get(reverse("evidence:witnesses", args=[application.pk]))
    assert "Testimony received" in listing.content.decode()


def test_it_refuses_expired_and_forged_witness_links(client, application):
    _invite(application)
    link = _link_from_outbox()
    WitnessRequest.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "This link has expired." in expired.content.decode()
    WitnessRequest.objects.update(expires_at=timezone.now() + timedelta(days=1))
    later = timezone.now() + timedelta(days=witness_services.WITNESS_LINK_DAYS + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(link).status_code == 410
    forged = client.get(link[:-3] + "abc/")
    assert forged.status_code == 404
    assert "This link is not valid." in forged.content.decode()
    # a second request's valid signature with the first request's id does not open it
    other, token = _invite(application)
    assert client.get(reverse("evidence:witness", args=[token])).status_code == 200


def test_it_freezes_a_snapshot_that_cannot_change(client, candidate, application):
    outcomes = list(application.specification.outcomes.order_by("position"))
    item = add_file(application, "cv.pdf", PDF)
    services.update_item(item, actor=candidate, outcomes=outcomes[:2], title="My CV")
    client.force_login(candidate)
    response = client.post(
        reverse("application_submit", args=[application.pk]), {"declaration": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    snapshot = Snapshot.objects.get(application=application)
    assert snapshot.content["items"][0]["sha256"] == item.sha256
    assert snapshot.content["items"][0]["outcomes"] == sorted(o.pk for o in outcomes[:2])
    case = Case.objects.get(application=application)
    assert case.candidate == candidate
    item.refresh_from_db()
    assert item.frozen
    item.title = "Changed"
    with pytest.raises(FrozenError), transaction.atomic():
        item.save()
    with pytest.raises(FrozenError), transaction.atomic():
        item.delete()
    with pytest.raises(FrozenError), transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(title="x")
    with pytest.raises(FrozenError), transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).delete()
    with pytest.raises(FrozenError), transaction.atomic():
        item.outcomes.add(outcomes[3])
    with pytest.raises(FrozenError), transaction.atomic():
        item.outcomes.clear()
    with pytest.raises(FrozenError), transaction.atomic():
        ItemOutcome.objects.filter(item=item).delete()
    with pytest.raises(FrozenError), transaction.atomic():
        snapshot.save()
    with pytest.raises(FrozenError), transaction.atomic():
        Snapshot.objects.filter(pk=snapshot.pk).update(content={})
    with pytest.raises(FrozenError), transaction.atomic():
        Snapshot.objects.all().delete()
    with pytest.raises(services.ApplicationError):
        services.add_item(application, actor=candidate, kind="link", title="x", url="https://x.org")
    edit = client.get(reverse("evidence:edit_item", args=[application.pk, item.pk]))
    assert edit.status_code == 404
    removed = client.post(reverse("evidence:delete_item", args=[application.pk, item.pk]))
    assert removed.status_code == 302
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    again = client.post(reverse("application_submit", args=[application.pk]), follow=True)
    assert "can no longer change" in again.content.decode()


def test_it_adds_a_new_round_and_leaves_earlier_rounds_alone(
    candidate, application, django_capture_on_commit_callbacks
):
    first = add_file(application, "cv.pdf", PDF)
    applications.submit_application(application, candidate)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_new_round(application, actor=None, message="Please add a photo of your work.")
    application.refresh_from_db()
    assert (application.round, application.status) == (2, "more_evidence")
    assert "Please add a photo of your work." in mail.outbox[-1].body
    second = add_file(application, "photo.png", PNG)
    assert second.round == 2
    with pytest.raises(FrozenError), transaction.atomic():
        first.delete()
    applications.submit_application(application, candidate)
    rounds = list(Snapshot.objects.filter(application=application).order_by("round"))
    assert [len(s.content["items"]) for s in rounds] == [1, 2]
    assert rounds[0].content["items"][0]["sha256"] == first.sha256
    assert Case.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(action="case.evidence_resubmitted").count() == 1


def test_it_refuses_to_submit_without_evidence(client, candidate, application):
    client.force_login(candidate)
    response = client.post(reverse("application_submit", args=[application.pk]), follow=True)
    assert "Add at least one piece of evidence." in response.content.decode()
    assert not Snapshot.objects.exists() and not Case.objects.exists()


def test_it_withdraws_and_cancels_the_open_tasks(client, candidate, application):
    add_file(application)
    applications.submit_application(application, candidate)
    case = Case.objects.get(application=application)
    assert case.task_set.filter(flow_task_type="HUMAN", status=STATUS.NEW).exists()
    client.force_login(candidate)
    refused = client.post(reverse("application_withdraw", args=[application.pk]), {"reason": "x"})
    assert "Tick the box to confirm that you want to withdraw." in refused.content.decode()
    response = client.post(
        reverse("application_withdraw", args=[application.pk]),
        {"reason": "I moved abroad", "confirm": "on"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    case.refresh_from_db()
    assert application.status == "withdrawn"
    assert case.status == PROCESS.CANCELED
    assert not case.task_set.filter(finished__isnull=True).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"application.withdrawn", "case.cancelled"} <= actions
    timeline = client.get(reverse("case_timeline", args=[application.pk])).content.decode()
    assert "you withdrew this application" in timeline.lower()


def test_it_exports_everything_held_as_one_archive(client, candidate, application):
    item = add_file(application, "cv.pdf", PDF)
    _invite(application)
    witness_services.record_testimony(
        _link_from_outbox().rstrip("/").rsplit("/", 1)[1], **TESTIMONY
    )
    applications.submit_application(application, candidate)
    client.force_login(candidate)
    response = client.get(reverse("my_data_export"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    base = f"applications/{application.pk}"
    assert {
        "account.json",
        f"{base}/application.json",
        f"{base}/files/{item.pk}-cv.pdf",
        "cases.json",
        "audit_events.json",
    } <= names
    assert archive.read(f"{base}/files/{item.pk}-cv.pdf") == PDF
    data = archive.read(f"{base}/application.json").decode()
    assert item.sha256 in data and "She wrote and maintained the scripts." in data
    assert '"round": 1' in data
    assert b"alice@example.org" in archive.read("account.json")
    assert b"application.submitted" in archive.read("audit_events.json")


def test_it_shows_the_case_timeline_by_role(client, candidate, application, staff):
    add_file(application)
    applications.submit_application(application, candidate)
    client.force_login(candidate)
    text = client.get(reverse("case_timeline", args=[application.pk])).content.decode()
    assert "In progress" in text and "held by: Assessor" in text
    assert "assessors are reviewing your evidence" in text
    for person in staff:
        assert person.get_full_name() not in text


def test_it_signs_up_a_candidate_with_an_emailed_link(client):
    from django.contrib.auth import get_user_model

    form = {
        "full_name": "Carol New",
        "email": "Carol@Example.org",
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-43",
    }
    wrong = client.post(reverse("signup"), form)
    assert "The two passwords differ." in wrong.content.decode()
    assert 'value="Carol New"' in wrong.content.decode()
    form["password2"] = form["password1"]
    sent = client.post(reverse("signup"), form)
    assert "We have sent a message to carol@example.org" in sent.content.decode()
    user = get_user_model().objects.get(email="carol@example.org")
    assert not user.is_active and [r.value for r in user.roles] == ["candidate"]
    assert not user.check_password(form["password1"]) or not user.is_active
    link = _link_from_outbox()
    # signing up again replaces the password and makes the first link useless
    client.post(reverse("signup"), form)
    assert client.get(link).status_code == 400
    link = _link_from_outbox()
    confirmed = client.get(link)
    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("evidence:applications")).status_code == 200
    client.logout()
    assert client.get(link).url == reverse("login")
    later = timezone.now() + timedelta(days=4)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert "has expired" in client.get(link).content.decode()
    client.post(reverse("signup"), form)
    assert "already have an account" in mail.outbox[-1].subject
