"""What an issue does not repeat: reading the awarding body again, decrypting its key again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.issuing import keys, verification
from credentials.issuing.models import IssuerKey
from tests.factories.credentials import issue

pytestmark = pytest.mark.django_db


def test_it_issues_without_reading_the_awarding_body_again(candidate, specification, issued):
    with CaptureQueriesContext(connection) as queries:
        second = issue(candidate, specification)
    organisation_table = specification.awarding_body._meta.db_table
    assert not [q["sql"] for q in queries if f'FROM "{organisation_table}"' in q["sql"]]
    assert verification.verify_document(second.document).valid
    assert second.document["proof"][0]["verificationMethod"] == keys.verification_method(
        IssuerKey.objects.get()
    )


def test_it_refuses_a_tampered_private_key_it_has_decrypted_before(issued):
    key = IssuerKey.objects.get()
    keys.decrypt_private_key(key)
    blob = key.encrypted_private_key
    key.encrypted_private_key = blob[:-4] + ("AAAA" if blob[-4:] != "AAAA" else "BBBB")
    with pytest.raises(keys.IssuerKeyError):
        keys.decrypt_private_key(key)


def test_it_signs_with_the_new_key_after_a_rotation(candidate, specification, issued):
    new_key = keys.rotate(specification.awarding_body)
    second = issue(candidate, specification)
    assert second.key == new_key
    assert second.document["proof"][0]["verificationMethod"].endswith("#" + new_key.key_id)
    assert verification.verify_document(second.document).valid
