"""The public verification page: remembered results never go stale, queries are pinned, and
content that fails verification is never shown."""

import json
import re

from credentials.issuing import keys, services
from rpl.lib import data_integrity

VALID = "Valid: the signature, the status and the dates all check out."
SUSPENDED = "Not valid at the moment: this credential is suspended."
REVOKED = "Not valid: this credential has been revoked."


def _verdict(client, issued) -> str:
    page = client.get(f"/credentials/{issued.public_id}/").content.decode()
    return next(text for text in (VALID, SUSPENDED, REVOKED) if text in page)


def test_it_is_never_stale_after_a_status_change(client, issued, quality_officer):
    assert _verdict(client, issued) == VALID
    assert _verdict(client, issued) == VALID  # now from what was remembered
    services.suspend(issued, actor=quality_officer, reason="Under review.")
    assert _verdict(client, issued) == SUSPENDED
    services.reinstate(issued, actor=quality_officer, reason="Cleared.")
    assert _verdict(client, issued) == VALID
    services.revoke(issued, actor=quality_officer, reason="Fraud.")
    assert _verdict(client, issued) == REVOKED


def test_it_verifies_the_page_in_two_queries_and_no_proof(
    client, issued, django_assert_num_queries, monkeypatch
):
    client.get(f"/credentials/{issued.public_id}/")

    def verify_again(*args, **kwargs):
        raise AssertionError("a remembered proof was verified again")

    monkeypatch.setattr(data_integrity, "verify", verify_again)
    # its issuer's published keys, the versions of its status lists
    with django_assert_num_queries(2):
        response = client.get(f"/credentials/{issued.public_id}/")
    assert VALID in response.content.decode()


def test_it_forgets_what_a_withdrawn_key_signed(client, issued):
    assert _verdict(client, issued) == VALID
    keys.withdraw(issued.key, reason="Compromised.")
    page = client.get(f"/credentials/{issued.public_id}/").content.decode()
    assert "The signature does not check out" in page and VALID not in page


def test_it_never_shows_what_failed_verification(client, issued):
    tampered = issued.document
    tampered["name"] = tampered["name"] + " (with honours)"
    response = client.post("/credentials/verify/", {"credential": json.dumps(tampered)})
    page = re.sub(r"<textarea.*?</textarea>", "", response.content.decode(), flags=re.S)
    assert "Not valid." in page and "What the credential says is not shown" in page
    assert "(with honours)" not in page and "has shown these learning outcomes" not in page
