"""Status: one two-bit entry in credentialStatus (valid, suspended, revoked), signed lists, the
learner told; entries given at random in constant time; credentials issued with a revocation entry
and a suspensionStatus keep verifying and being updated."""

import json

import pytest
from django.db import transaction
from django.utils import timezone

from credentials.issuing import documents, keys, status_lists, verification
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.audit.models import AuditEvent
from rpl.lib import data_integrity
from rpl.lib.bitstring_status import MIN_ENTRIES, status_list_entry
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.site import absolute

pytestmark = pytest.mark.django_db


def _value(credential):
    entry = credential.document["credentialStatus"]
    published = status_lists.published(status_lists.find_by_url(entry["statusListCredential"]))
    bits = Bitstring.decode(published["credentialSubject"]["encodedList"], status_size=2)
    return bits.get(int(entry["statusListIndex"]))


def test_it_gives_one_two_bit_entry_that_passes_the_ob_schema(issued, candidate, specification):
    entry = issued.document["credentialStatus"]
    assert "suspensionStatus" not in issued.document
    assert entry["statusPurpose"] == "message" and entry["statusSize"] == 2
    assert entry["statusMessage"] == [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "suspended"},
        {"status": "0x2", "message": "revoked"},
        {"status": "0x3", "message": "revoked"},
    ]
    assert int(entry["statusListIndex"]) == issued.status_index
    assert documents.schema_errors(issued.document) == []
    more = [
        issuing_services.issue_credential(learner=candidate, specification=specification)
        for _ in range(3)
    ]
    assert len({c.status_index for c in [issued, *more]}) == 4
    status_list = StatusList.objects.get(pk=issued.status_list_id)
    assert status_list.used == 4 and status_list.size == MIN_ENTRIES
    assert Bitstring(MIN_ENTRIES, bytes(status_list.slots)).set_indexes() == sorted(
        c.status_index for c in [issued, *more]
    )
    assert _value(issued) == 0 and verification.verify_document(issued.document).valid


def test_it_revokes_for_good(
    issued, quality_officer, mailoutbox, django_capture_on_commit_callbacks, client
):
    issuing_services.suspend(issued, actor=quality_officer, reason="Audit")
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.revoke(issued, actor=quality_officer, reason="Plagiarised evidence")
    assert _value(issued) == 2
    report = verification.verify_document(issued.document)
    assert report.revoked and not report.suspended and not report.valid
    assert report.check("signature").ok
    (mail,) = mailoutbox
    assert mail.to == [issued.learner.email] and "Plagiarised evidence" in mail.body
    assert AuditEvent.objects.filter(action="credential.revoked").count() == 1
    assert "has been revoked" in client.get(f"/credentials/{issued.public_id}/").content.decode()
    for change in (issuing_services.reinstate, issuing_services.suspend):
        with pytest.raises(issuing_services.StatusChangeError):
            change(issued, actor=quality_officer, reason="Oops")
    assert _value(issued) == 2


def test_it_suspends_and_reinstates_in_the_same_entry(
    issued, quality_officer, mailoutbox, django_capture_on_commit_callbacks, client
):
    version = StatusList.objects.get(pk=issued.status_list_id).version
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.suspend(issued, actor=quality_officer, reason="Appeal under way")
    assert _value(issued) == 1
    assert StatusList.objects.get(pk=issued.status_list_id).version == version + 1
    report = verification.verify_document(issued.document)
    assert report.suspended and not report.revoked
    assert "is suspended" in client.get(f"/credentials/{issued.public_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.reinstate(issued, actor=quality_officer, reason="Appeal dismissed")
    assert _value(issued) == 0
    assert verification.verify_document(issued.document).valid
    assert [m.subject for m in mailoutbox] == [
        "Your micro-credential “Data analysis” has been suspended",
        "Your micro-credential “Data analysis” has been reinstated",
    ]
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.State.ACTIVE


def test_it_requires_a_reason(issued, quality_officer):
    with pytest.raises(issuing_services.StatusChangeError):
        issuing_services.suspend(issued, actor=quality_officer, reason="  ")


def test_it_publishes_signed_status_lists_with_caching_headers(issued, client):
    url = issued.document["credentialStatus"]["statusListCredential"]
    response = client.get(url.removeprefix(absolute()))
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={status_lists.TTL_SECONDS}"
    assert response["Content-Type"].startswith("application/vc")
    listed = json.loads(response.content)
    assert listed["id"] == url
    assert "BitstringStatusListCredential" in listed["type"]
    assert listed["credentialSubject"]["statusPurpose"] == "message"
    assert listed["credentialSubject"]["ttl"] == status_lists.TTL_SECONDS * 1000
    assert data_integrity.verify(listed, keys.resolve_method).ok
    again = client.get(url.removeprefix(absolute()), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/credentials/status/999/message/1").status_code == 404
    assert client.get("/credentials/status/1/other/1").status_code == 404


def _fill(status_list, free):
    """Mark every entry of ``status_list`` given except ``free``."""
    slots = Bitstring(MIN_ENTRIES, b"\xff" * (MIN_ENTRIES // 8))
    for index in free:
        slots.set(index, 0)
    StatusList.objects.filter(pk=status_list.pk).update(
        slots=slots.to_bytes(), used=MIN_ENTRIES - len(free)
    )


def test_it_allocates_in_two_queries_when_nearly_full_then_rolls_over(
    issued, django_assert_num_queries
):
    organisation = issued.organisation
    _fill(issued.status_list, free=[5, 77_777])
    with transaction.atomic():
        with django_assert_num_queries(2):
            first, index = status_lists.allocate(organisation)
        assert first.pk == issued.status_list_id and index in (5, 77_777)
        with django_assert_num_queries(2):
            _, last = status_lists.allocate(organisation)
        assert {index, last} == {5, 77_777}
        rolled, _ = status_lists.allocate(organisation)
    assert rolled.number == 2 and rolled.purpose == "message"
    assert StatusList.objects.get(pk=first.pk).used == MIN_ENTRIES


def _as_issued_before_0012(credential):
    """``credential`` as it was issued before one entry: a revocation entry and a
    ``suspensionStatus``, each in a one-bit list."""
    lists = {
        purpose: StatusList.objects.create(
            organisation=credential.organisation,
            purpose=purpose,
            number=1,
            bits=bytes(MIN_ENTRIES // 8),
        )
        for purpose in ("revocation", "suspension")
    }
    document = credential.document
    del document["proof"]
    document["credentialStatus"] = status_list_entry(
        status_lists.list_url(lists["revocation"]), 7, "revocation"
    )
    document["suspensionStatus"] = status_list_entry(
        status_lists.list_url(lists["suspension"]), 9, "suspension"
    )
    key = keys.ensure_key(credential.organisation)
    signed = data_integrity.sign(
        document,
        keys.decrypt_private_key(key),
        keys.verification_method(key),
        timezone.now(),
        extra_contexts=documents.extra_contexts(),
    )
    IssuedCredential.objects.filter(pk=credential.pk).update(
        document_json=json.dumps(signed),
        status_list=None,
        status_index=None,
        revocation_list=lists["revocation"],
        revocation_index=7,
        suspension_list=lists["suspension"],
        suspension_index=9,
    )
    credential.refresh_from_db()
    return credential, lists


def test_it_keeps_credentials_issued_with_two_entries_verifying_and_updated(
    issued, quality_officer
):
    legacy, lists = _as_issued_before_0012(issued)

    def bit(purpose, index):
        published = status_lists.published(StatusList.objects.get(pk=lists[purpose].pk))
        return Bitstring.decode(published["credentialSubject"]["encodedList"]).get(index)

    assert verification.verify_document(legacy.document).valid
    issuing_services.suspend(legacy, actor=quality_officer, reason="Audit")
    assert bit("suspension", 9) == 1 and bit("revocation", 7) == 0
    assert verification.verify_document(legacy.document).suspended
    issuing_services.reinstate(legacy, actor=quality_officer, reason="Audit passed")
    assert verification.verify_document(legacy.document).valid
    issuing_services.suspend(legacy, actor=quality_officer, reason="Audit")
    issuing_services.revoke(legacy, actor=quality_officer, reason="Fraud")
    assert bit("suspension", 9) == 0 and bit("revocation", 7) == 1
    report = verification.verify_document(legacy.document)
    assert report.revoked and not report.suspended
