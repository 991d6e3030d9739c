"""One status, two publications: each ``message`` Bitstring Status List (W3C, for Open Badges 3.0)
is also served as an IETF Token Status List, re-encoded from the same stored bits when it is
asked for, so that both always say the same. An SD-JWT VC's ``status.status_list.idx`` is its
credential's index in that list; the values map valid → VALID, suspended → SUSPENDED, revoked →
INVALID (:data:`MAPPING`).
"""

from django.urls import reverse
from django.utils import timezone

from credentials.issuing import keys, status_lists
from credentials.issuing.models import StatusList
from credentials.issuing.verification import remember
from rpl.lib import token_status_list
from rpl.lib.token_status_list import INVALID, SUSPENDED, VALID
from rpl.site import absolute

# Indexed by the value of a ``message`` entry (status_lists.MESSAGES).
MAPPING = (VALID, SUSPENDED, INVALID, INVALID)


def token_url(status_list: StatusList) -> str:
    return absolute(
        reverse(
            "wallets:status_list_token",
            kwargs={"org": status_list.organisation_id, "number": status_list.number},
        )
    )


def _sign(status_list: StatusList) -> str:
    key = keys.ensure_key(status_list.organisation)
    statuses = token_status_list.from_bitstring(
        bytes(status_list.bits), status_list.status_size, MAPPING
    )
    return token_status_list.token(
        token_status_list.encode(statuses, status_list.status_size),
        uri=token_url(status_list),
        issued_at=int(timezone.now().timestamp()),
        ttl=status_lists.TTL_SECONDS,
        private_key=keys.decrypt_private_key(key),
        kid=keys.jwt_key_id(key),
    )


def status_token(org: int, number: int) -> str | None:
    """The signed Status List Token of an organisation's ``message`` list ``number``, remembered
    until the list changes (its ``version``); ``None`` if there is no such list."""
    found = (
        StatusList.objects.filter(
            organisation_id=org, purpose=StatusList.Purpose.MESSAGE, number=number
        )
        .values_list("pk", "version")
        .first()
    )
    if found is None:
        return None
    pk, version = found
    return remember(
        ("status-token", pk, version, absolute()),
        lambda: _sign(StatusList.objects.select_related("organisation").get(pk=pk)),
    )
