"""Identity checks: method, result and a minimal note; identity documents given by the candidate,
shown only to the identity officer holding the check, deleted once the check is recorded (or the
case ends otherwise) while the record of them stays."""

import io
import re

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from viewflow.workflow.status import PROCESS

from rpl.accounts.roles import Role
from rpl.audit.models import AuditEvent
from tests.factories import make_user
from tests.factories.evidence import ELF, HTML, PDF, PNG
from tests.factories.people import PERSONAS
from tests.workflows.engine_helpers import open_tasks, take
from tests.workflows.meetings_setup import seed, start
from workflows.cases import services as case_services
from workflows.cases.applications import withdraw_application
from workflows.flows.case_flow import CaseFlow
from workflows.models import IdentityDocument
from workflows.work.forms import looks_like_document_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }
    settings.RPL_IDENTITY_DOCUMENT_MAX_MB = 1


@pytest.fixture
def staff(assessor, assessor2, identity_officer, decision_maker):
    return [assessor, assessor2, identity_officer, decision_maker]


@pytest.fixture
def case(candidate, staff):
    return start(candidate, seed(staff, method="document"))


def _upload(client, case, *files):
    return client.post(f"/applications/{case.application_id}/identity-documents/", {"files": files})


def _png(name="front.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _pdf(name="back.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def own(candidate):
    client = Client()
    client.force_login(candidate)
    return client


@pytest.fixture
def documents(own, case):
    assert _upload(own, case, _png(), _pdf()).status_code == 302
    return list(IdentityDocument.objects.filter(case=case))


def _stored(document) -> bool:
    return storages["evidence"].exists(document.storage_name)


def _check_url(case):
    task = open_tasks(case, "identity_check")[0]
    return f"/work/{case.pk}/{task.pk}/"


@pytest.fixture
def officer(client, case, identity_officer):
    client.force_login(identity_officer)
    take(client, _check_url(case))
    return client


def test_it_takes_one_or_two_files_and_tells_the_identity_pool(
    own, case, identity_officer, django_capture_on_commit_callbacks
):
    timeline = own.get(f"/applications/{case.application_id}/case/").content.decode()
    assert "Confirm your identity" in timeline
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(own, case, _png(), _pdf())
    assert response.url == f"/applications/{case.application_id}/case/"
    stored = list(IdentityDocument.objects.filter(case=case))
    assert [(d.display_name, d.content_type) for d in stored] == [
        ("front.png", "image/png"),
        ("back.pdf", "application/pdf"),
    ]
    assert all(_stored(d) for d in stored)
    assert [m.to for m in mail.outbox] == [[identity_officer.email]]
    assert "http://testserver/work/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="case.identity_document_added").count() == 2


def test_it_tells_the_officer_holding_the_check_with_a_link_to_it(
    own, case, officer, identity_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(own, case, _png())
    assert mail.outbox[-1].to == [identity_officer.email]
    assert f"http://testserver{_check_url(case)}" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("content", "name"), [(ELF, "id.png"), (HTML, "id.pdf"), (b"plain words", "id.txt")]
)
def test_it_refuses_files_that_are_not_images_or_pdfs(own, case, content, name, tmp_path):
    response = _upload(own, case, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert "must be a photo (JPEG, PNG or WebP) or a PDF" in response.content.decode()
    assert not IdentityDocument.objects.exists()
    assert not [path for path in tmp_path.joinpath("store").rglob("*") if path.is_file()]


def test_it_refuses_more_than_two_files_and_files_too_large(own, case, documents):
    response = _upload(own, case, _png("third.png"))
    assert response.status_code == 400
    assert "You have already given two files" in response.content.decode()
    own.post(f"/applications/{case.application_id}/identity-documents/{documents[0].pk}/remove/")
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024))
    response = _upload(own, case, big)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert IdentityDocument.objects.filter(deleted_at__isnull=True).count() == 1


def test_it_lets_the_candidate_delete_a_file_before_the_check(
    own, case, documents, django_capture_on_commit_callbacks
):
    name = documents[0].storage_name
    with django_capture_on_commit_callbacks(execute=True):
        response = own.post(
            f"/applications/{case.application_id}/identity-documents/{documents[0].pk}/remove/"
        )
    assert response.status_code == 302
    documents[0].refresh_from_db()
    assert documents[0].deleted_at is not None and documents[0].storage_name == ""
    assert not storages["evidence"].exists(name)
    assert _stored(documents[1])


def test_it_takes_no_documents_for_an_in_person_check(candidate, staff):
    case = start(candidate, seed(staff, method="in_person"))
    client = Client()
    client.force_login(candidate)
    assert _upload(client, case, _png()).status_code == 404
    assert (
        "Confirm your identity"
        not in client.get(f"/applications/{case.application_id}/case/").content.decode()
    )


def test_it_keeps_another_candidates_documents_out_of_reach(case, documents, candidate2):
    other = Client()
    other.force_login(candidate2)
    assert _upload(other, case, _png()).status_code == 404
    remove = f"/applications/{case.application_id}/identity-documents/{documents[0].pk}/remove/"
    assert other.post(remove).status_code == 404
    assert IdentityDocument.objects.filter(deleted_at__isnull=True).count() == 2


def test_it_shows_the_documents_inline_to_the_officer_holding_the_check(officer, case, documents):
    page = officer.get(_check_url(case)).content.decode()
    image, pdf = (f"{_check_url(case)}identity-documents/{d.pk}/" for d in documents)
    assert f'<img class="work-preview" src="{image}?preview"' in page
    assert f'<iframe class="work-preview work-preview-pdf" src="{pdf}?preview"' in page
    response = officer.get(image + "?preview")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content) == PNG
    download = officer.get(pdf)
    assert download["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download["Content-Security-Policy"]


@pytest.mark.parametrize("persona", [*PERSONAS, "assessor2", "second_officer"])
def test_it_refuses_the_documents_to_everyone_but_the_holder(
    client, request, case, documents, identity_officer, persona
):
    holder = Client()
    holder.force_login(identity_officer)
    take(holder, _check_url(case))
    if persona == "second_officer":
        user = make_user(Role.IDENTITY_OFFICER)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(f"{_check_url(case)}identity-documents/{documents[0].pk}/?preview")
    assert response.status_code == (200 if persona == "identity_officer" else 403)


def test_it_refuses_the_documents_before_the_conflict_declaration(
    client, case, documents, identity_officer
):
    client.force_login(identity_officer)
    client.post(_check_url(case) + "take/")
    url = f"{_check_url(case)}identity-documents/{documents[0].pk}/"
    assert client.get(url).status_code == 403


def test_it_offers_the_steps_method_first(officer, case):
    page = officer.get(_check_url(case)).content.decode()
    checked = re.findall(r'<input type="radio" name="method" value="(\w+)"[^>]* checked>', page)
    assert checked == ["document"]


def test_it_records_the_check_and_deletes_the_files_keeping_the_record(
    officer, case, documents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            _check_url(case), {"method": "video", "verified": "yes", "note": "Face matches."}
        )
    assert response.status_code == 302
    for before in documents:
        after = IdentityDocument.objects.get(pk=before.pk)
        assert not storages["evidence"].exists(before.storage_name)
        assert after.storage_name == "" and after.deleted_at is not None
        assert (after.display_name, after.size, after.sha256) == (
            before.display_name,
            before.size,
            before.sha256,
        )
    event = AuditEvent.objects.get(action="case.identity_documents_deleted")
    assert event.changes["reason"] == "identity check recorded"
    assert [d["sha256"] for d in event.changes["documents"]] == [d.sha256 for d in documents]
    result = case.step_results.get(step_id="identity")
    assert result.data | {"round": 1} == {
        "verified": True,
        "note": "Face matches.",
        "method": "video",
        "round": 1,
    }
    case.refresh_from_db()
    assert case.results["identity"]["verified"] is True


@pytest.mark.parametrize(
    "note",
    [
        "PESEL 85010112345",
        "Dowód osobisty ABC123456 okazany",
        "dowód abc 123456",
        "Passport AB1234567",
        "paszport AB-1234567",
    ],
)
def test_it_refuses_a_note_with_a_document_number(officer, case, documents, note):
    response = officer.post(
        _check_url(case), {"method": "document", "verified": "yes", "note": note}
    )
    assert response.status_code == 400
    assert "Remove the number" in response.content.decode()
    assert not case.step_results.exists()
    assert all(_stored(d) for d in documents)


@pytest.mark.parametrize(
    "note", ["Checked on 2024-05-17 at 10:30.", "Photo matches; valid until 2031.", "Room 12"]
)
def test_it_accepts_a_note_without_numbers_of_documents(note):
    assert not looks_like_document_number(note)


def test_it_refuses_electronic_id_when_the_candidate_gave_none(officer, case):
    response = officer.post(_check_url(case), {"method": "electronic_id", "verified": "yes"})
    assert response.status_code == 400
    assert "has not signed in with an electronic ID" in response.content.decode()


def test_it_deletes_the_files_when_the_application_is_withdrawn(
    case, documents, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_application(case.application, candidate, "Changed my mind.")
    assert not any(_stored(d) for d in documents)
    assert IdentityDocument.objects.filter(deleted_at__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="case.identity_documents_deleted")
    assert event.changes["reason"] == "withdrawn by the candidate"


def test_the_sweeper_deletes_what_cases_that_ended_otherwise_left(case, documents, candidate):
    other = start(make_user(Role.CANDIDATE), case.specification)
    kept = IdentityDocument.objects.create(
        case=other,
        storage_name="",
        display_name="x.png",
        content_type="image/png",
        size=1,
        sha256="0",
    )
    CaseFlow.instance.cancel(case)
    case.refresh_from_db()
    assert case.status == PROCESS.CANCELED
    assert all(_stored(d) for d in documents)
    output = io.StringIO()
    call_command("sweep_identity_documents", stdout=output)
    assert output.getvalue() == "2 identity document(s) deleted.\n"
    assert not any(_stored(d) for d in documents)
    assert IdentityDocument.objects.get(pk=kept.pk).deleted_at is None
    assert IdentityDocument.objects.filter(case=case, deleted_at__isnull=True).count() == 0


@pytest.mark.parametrize("method", ["video", "document"])
def test_it_shows_the_officer_the_candidate_s_name_and_e_mail(
    client, candidate, staff, identity_officer, method
):
    specification = seed(staff, method=method)
    checked = case_services.start_case(candidate=candidate, specification=specification)
    client.force_login(identity_officer)
    page = client.get(take(client, _check_url(checked))).content.decode()
    assert "Alice Candidate" in page
    assert 'href="mailto:alice@example.org"' in page
    video_hint = "Agree a time for the video call with the candidate"
    assert (video_hint in page) == (method == "video")
