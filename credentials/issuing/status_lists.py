"""Revocation and suspension lists (W3C Bitstring Status List v1.0) per awarding organisation.

Each organisation has lists of 131,072 entries per purpose; a credential gets a random free index
in the current list of each purpose (:func:`allocate`), so that indexes reveal neither the order
nor the batch of issuing. A list is published as a ``BitstringStatusListCredential`` signed with
``eddsa-rdfc-2022`` by the organisation's key, like the credentials that point to it; it is signed
again on every change and served with ``Cache-Control: public, max-age=TTL_SECONDS``.
"""

import json

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credentials.issuing import keys
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.lib import data_integrity
from rpl.lib.bitstring_status import MIN_ENTRIES, random_free_index, status_list_subject
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.lib.jsonld_loader import CREDENTIALS_V2
from rpl.site import absolute

TTL_SECONDS = 300
# Start a new list when this share of the current one is used (random draws stay cheap).
FILL_LIMIT = MIN_ENTRIES // 2


def list_url(status_list: StatusList) -> str:
    return absolute(
        reverse(
            "issued:status_list",
            kwargs={
                "org": status_list.organisation_id,
                "purpose": status_list.purpose,
                "number": status_list.number,
            },
        )
    )


def bitstring(status_list: StatusList) -> Bitstring:
    return Bitstring(status_list.size, bytes(status_list.bits))


def _sign(status_list: StatusList) -> None:
    key = keys.ensure_key(status_list.organisation)
    url = list_url(status_list)
    now = timezone.now()
    unsigned = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.organisation_did(status_list.organisation),
        "validFrom": data_integrity.format_datetime(now),
        "credentialSubject": status_list_subject(
            bitstring(status_list), status_list.purpose, f"{url}#list", TTL_SECONDS * 1000
        ),
    }
    signed = data_integrity.sign(
        unsigned, keys.decrypt_private_key(key), keys.verification_method(key), now
    )
    status_list.credential_json = json.dumps(signed, ensure_ascii=False, indent=2)
    status_list.updated_at = now


def _new_list(organisation, purpose: str) -> StatusList:
    last = (
        StatusList.objects.filter(organisation=organisation, purpose=purpose)
        .order_by("-number")
        .first()
    )
    status_list = StatusList(
        organisation=organisation,
        purpose=purpose,
        number=(last.number + 1) if last else 1,
        size=MIN_ENTRIES,
        bits=bytes(MIN_ENTRIES // 8),
    )
    _sign(status_list)
    status_list.save()
    return status_list


@transaction.atomic
def allocate(organisation, purpose: str) -> tuple[StatusList, int]:
    """A random free index in the organisation's current list for ``purpose`` (row-locked)."""
    status_list = (
        StatusList.objects.select_for_update()
        .filter(organisation=organisation, purpose=purpose, used__lt=FILL_LIMIT)
        .order_by("number")
        .first()
    )
    if status_list is None:
        _new_list(organisation, purpose)
        status_list = (
            StatusList.objects.select_for_update()
            .filter(organisation=organisation, purpose=purpose, used__lt=FILL_LIMIT)
            .order_by("number")
            .first()
        )
    field = "revocation" if purpose == StatusList.Purpose.REVOCATION else "suspension"
    used = set(
        IssuedCredential.objects.filter(**{f"{field}_list": status_list}).values_list(
            f"{field}_index", flat=True
        )
    )
    index = random_free_index(used, size=status_list.size)
    status_list.used = len(used) + 1
    status_list.save(update_fields=["used"])
    return status_list, index


@transaction.atomic
def set_status(status_list: StatusList, index: int, value: bool) -> None:
    """Set or clear one entry and publish the list again, signed."""
    locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
    bits = bitstring(locked)
    bits.set(index, value)
    locked.bits = bits.to_bytes()
    _sign(locked)
    locked.save(update_fields=["bits", "credential_json", "updated_at"])


def resign(status_list: StatusList) -> None:
    """Publish the list again, signed with the organisation's active key (after a rotation)."""
    _sign(status_list)
    status_list.save(update_fields=["credential_json", "updated_at"])


def is_set(status_list: StatusList, index: int) -> bool:
    return bitstring(status_list).get(index)


def published(status_list: StatusList) -> dict:
    """The signed list credential (signed now if it never was)."""
    if not status_list.credential_json:
        _sign(status_list)
        status_list.save(update_fields=["credential_json", "updated_at"])
    return json.loads(status_list.credential_json)


def find_by_url(url: str) -> StatusList | None:
    """Our list published at ``url``, or ``None`` for any other URL."""
    from django.urls import Resolver404, resolve

    base = absolute()
    if not isinstance(url, str) or not url.startswith(base + "/"):
        return None
    try:
        match = resolve(url[len(base) :].split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return None
    if match.view_name != "issued:status_list":
        return None
    return StatusList.objects.filter(
        organisation_id=match.kwargs["org"],
        purpose=match.kwargs["purpose"],
        number=match.kwargs["number"],
    ).first()
