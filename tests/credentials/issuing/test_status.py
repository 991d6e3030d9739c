"""Revocation and suspension: the right bit in the right list, signed lists, the learner told."""

import json

import pytest

from credentials.issuing import keys, status_lists, verification
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.audit.models import AuditEvent
from rpl.lib import data_integrity
from rpl.lib.bitstring_status import MIN_ENTRIES
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.site import absolute

pytestmark = pytest.mark.django_db


def _bits(url):
    status_list = status_lists.find_by_url(url)
    published = status_lists.published(status_list)
    return Bitstring.decode(published["credentialSubject"]["encodedList"])


def test_it_gives_random_indexes_in_separate_lists_of_131072(issued, candidate, specification):
    entry, suspension = issued.document["credentialStatus"], issued.document["suspensionStatus"]
    assert entry["statusPurpose"] == "revocation" and suspension["statusPurpose"] == "suspension"
    assert entry["statusListCredential"] != suspension["statusListCredential"]
    assert int(entry["statusListIndex"]) == issued.revocation_index
    assert _bits(entry["statusListCredential"]).size == MIN_ENTRIES
    more = [
        issuing_services.issue_credential(learner=candidate, specification=specification)
        for _ in range(3)
    ]
    indexes = [c.revocation_index for c in [issued, *more]]
    assert len(set(indexes)) == 4
    assert StatusList.objects.get(pk=issued.revocation_list_id).used == 4


def test_it_revokes_by_flipping_the_revocation_bit(
    issued, quality_officer, mailoutbox, django_capture_on_commit_callbacks, client
):
    entry = issued.document["credentialStatus"]
    assert not _bits(entry["statusListCredential"]).get(issued.revocation_index)
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.revoke(issued, actor=quality_officer, reason="Plagiarised evidence")
    revoked = _bits(entry["statusListCredential"])
    assert revoked.get(issued.revocation_index)
    assert revoked.set_indexes() == [issued.revocation_index]
    suspension = _bits(issued.document["suspensionStatus"]["statusListCredential"])
    assert suspension.set_indexes() == []
    report = verification.verify_document(issued.document)
    assert report.revoked and not report.valid
    assert report.check("signature").ok
    (mail,) = mailoutbox
    assert mail.to == [issued.learner.email] and "Plagiarised evidence" in mail.body
    assert AuditEvent.objects.filter(action="credential.revoked").count() == 1
    page = client.get(f"/credentials/{issued.public_id}/")
    assert "has been revoked" in page.content.decode()
    with pytest.raises(issuing_services.StatusChangeError):
        issuing_services.reinstate(issued, actor=quality_officer, reason="Oops")


def test_it_suspends_and_reinstates_with_the_suspension_bit(
    issued, quality_officer, mailoutbox, django_capture_on_commit_callbacks, client
):
    url = issued.document["suspensionStatus"]["statusListCredential"]
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.suspend(issued, actor=quality_officer, reason="Appeal under way")
    assert _bits(url).get(issued.suspension_index)
    assert not _bits(issued.document["credentialStatus"]["statusListCredential"]).get(
        issued.revocation_index
    )
    assert verification.verify_document(issued.document).suspended
    assert "is suspended" in client.get(f"/credentials/{issued.public_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        issuing_services.reinstate(issued, actor=quality_officer, reason="Appeal dismissed")
    assert not _bits(url).get(issued.suspension_index)
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
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert listed["credentialSubject"]["ttl"] == status_lists.TTL_SECONDS * 1000
    assert data_integrity.verify(listed, keys.resolve_method).ok
    again = client.get(url.removeprefix(absolute()), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/credentials/status/999/revocation/1").status_code == 404
    assert client.get("/credentials/status/1/other/1").status_code == 404
