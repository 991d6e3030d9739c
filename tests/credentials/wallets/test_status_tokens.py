"""One status, two publications: the Token Status List served for SD-JWT VCs is the credential's
Bitstring Status List entry, re-encoded (least significant bits first) with its values mapped."""

import jwt
import pytest
from django.urls import reverse

from credentials.issuing import keys, status_lists
from credentials.issuing import services as issuing_services
from credentials.issuing.models import StatusList
from credentials.wallets.status_tokens import token_url
from rpl.lib import token_status_list
from rpl.lib.bitstring_status import MIN_ENTRIES
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.lib.token_status_list import INVALID, SUSPENDED, VALID
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue

pytestmark = pytest.mark.django_db


def test_it_re_encodes_each_value_at_its_index():
    last = MIN_ENTRIES - 1
    bits = Bitstring(MIN_ENTRIES, status_size=2)
    for index, value in {0: 1, 1: 2, 5: 3, last: 1}.items():
        bits.set(index, value)
    statuses = token_status_list.from_bitstring(
        bits.to_bytes(), 2, (VALID, SUSPENDED, INVALID, INVALID)
    )
    published = token_status_list.encode(statuses, 2)
    expected = {0: SUSPENDED, 1: INVALID, 5: INVALID, last: SUSPENDED}
    indexes = [*range(8), last - 1, last]
    assert [token_status_list.status_at(published, i) for i in indexes] == [
        expected.get(i, VALID) for i in indexes
    ]


def test_it_serves_the_state_the_open_badge_list_holds(
    client, settings, candidate, quality_officer
):
    settings.SITE_URL = "http://testserver"
    organisation = make_organisation()
    specification = make_specification(organisation, slug="status-token")
    suspended, revoked, active = (issue(candidate, specification) for _ in range(3))
    issuing_services.suspend(suspended, actor=quality_officer, reason="Under appeal.")
    issuing_services.revoke(revoked, actor=quality_officer, reason="Fraud found.")
    status_list = suspended.status_list
    assert revoked.status_list == active.status_list == status_list

    response = client.get(token_url(status_list))
    assert response["Content-Type"] == token_status_list.MEDIA_TYPE
    public = keys.decrypt_private_key(keys.active_key(organisation)).public_key()
    token = jwt.decode(response.content, public, algorithms=["EdDSA"])
    assert jwt.get_unverified_header(response.content)["typ"] == "statuslist+jwt"
    assert token["sub"] == token_url(status_list)
    read = {
        name: token_status_list.status_at(token["status_list"], credential.status_index)
        for name, credential in (("suspended", suspended), ("revoked", revoked), ("active", active))
    }
    assert read == {"suspended": SUSPENDED, "revoked": INVALID, "active": VALID}
    bits = status_lists.bitstring(StatusList.objects.get(pk=status_list.pk))
    assert [bits.get(c.status_index) for c in (suspended, revoked, active)] == [1, 2, 0]

    assert (
        client.get(reverse("wallets:status_list_token", args=[organisation.pk, 9])).status_code
        == 404
    )
