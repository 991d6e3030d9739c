"""Status lists (W3C Bitstring Status List v1.0) per awarding organisation.

A credential gets one entry of purpose ``message`` and two bits (:data:`MESSAGES`: valid,
suspended, revoked) in its ``credentialStatus``, the only one OB 3.0 allows, so that every
verifier sees a suspension (docs/decisions/0012-one-status-entry.md). Credentials issued before
that keep one-bit ``revocation`` and ``suspension`` entries, still published and updated.

Each list has 131,072 entries; :func:`allocate` gives a uniformly random free one (indexes reveal
neither the order nor the batch of issuing) from the list's ``slots`` bitmap, at the same cost
at any fill, and starts a new list when the current one is full. A list is published as a
``BitstringStatusListCredential`` signed with ``eddsa-rdfc-2022`` by the organisation's key, like
the credentials that point to it; it is signed again on every change (which raises its
``version``) and served with ``Cache-Control: public, max-age=TTL_SECONDS``.
"""

import json

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from credentials.catalogue.models import Organisation
from credentials.issuing import keys
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.lib import data_integrity
from rpl.lib.bitstring_status import (
    MIN_ENTRIES,
    random_free_index,
    status_list_entry,
    status_list_subject,
)
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.lib.jsonld_loader import CREDENTIALS_V2
from rpl.site import absolute

TTL_SECONDS = 300
# The value of each state in a ``message`` entry; 0x3 is never written and reads as revoked, so
# that the high bit alone means revoked.
MESSAGES = ("valid", "suspended", "revoked", "revoked")
VALUES = {
    IssuedCredential.State.ACTIVE: 0,
    IssuedCredential.State.SUSPENDED: 1,
    IssuedCredential.State.REVOKED: 2,
}
STATUS_SIZE = 2
# What allocate reads and writes: never the bitstring or the signed list.
_SLOT_FIELDS = ("organisation", "purpose", "number", "size", "status_size", "used", "slots")


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


def entry(status_list: StatusList, index: int) -> dict:
    """The ``credentialStatus`` of the credential given ``index`` in ``status_list``."""
    return status_list_entry(list_url(status_list), index, status_list.purpose, MESSAGES)


def bitstring(status_list: StatusList) -> Bitstring:
    return Bitstring(status_list.size, bytes(status_list.bits), status_list.status_size)


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
    status_list.version += 1


def _current(organisation_id: int) -> StatusList | None:
    return (
        StatusList.objects.select_for_update()
        .only(*_SLOT_FIELDS)
        .filter(
            organisation_id=organisation_id,
            purpose=StatusList.Purpose.MESSAGE,
            used__lt=F("size"),
        )
        .order_by("number")
        .first()
    )


def _new_list(organisation_id: int) -> StatusList:
    # New lists are numbered under the organisation's row lock, so that two first issues at once
    # wait for each other instead of both taking the same number.
    Organisation.objects.select_for_update().only("pk").get(pk=organisation_id)
    found = _current(organisation_id)
    if found is not None:
        return found
    last = (
        StatusList.objects.filter(
            organisation_id=organisation_id, purpose=StatusList.Purpose.MESSAGE
        )
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    status_list = StatusList(
        organisation_id=organisation_id,
        purpose=StatusList.Purpose.MESSAGE,
        number=(last or 0) + 1,
        size=MIN_ENTRIES,
        status_size=STATUS_SIZE,
        bits=bytes(MIN_ENTRIES * STATUS_SIZE // 8),
        slots=bytes(MIN_ENTRIES // 8),
    )
    _sign(status_list)
    status_list.save()
    return status_list


@transaction.atomic(savepoint=False)
def allocate(organisation) -> tuple[StatusList, int]:
    """A random free entry in the organisation's current list (row-locked until the issuing
    transaction ends): two queries, whatever the fill."""
    status_list = _current(organisation.pk) or _new_list(organisation.pk)
    slots = Bitstring(status_list.size, bytes(status_list.slots))
    index = random_free_index(slots)
    slots.set(index)
    status_list.slots = slots.to_bytes()
    status_list.used += 1
    status_list.save(update_fields=["slots", "used"])
    return status_list, index


@transaction.atomic
def set_status(status_list: StatusList, index: int, value: int) -> None:
    """Set one entry to ``value`` and publish the list again, signed (unless it already was)."""
    locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
    bits = bitstring(locked)
    if bits.get(index) == value:
        return
    bits.set(index, value)
    locked.bits = bits.to_bytes()
    _sign(locked)
    locked.save(update_fields=["bits", "credential_json", "updated_at", "version"])


def show(credential: IssuedCredential, state: str) -> None:
    """Publish ``state`` for ``credential``: in its ``message`` entry, or in the revocation and
    suspension entries of a credential issued before them."""
    if credential.status_list_id is not None:
        set_status(credential.status_list, credential.status_index, VALUES[state])
        return
    revoked = state == IssuedCredential.State.REVOKED
    suspended = state == IssuedCredential.State.SUSPENDED
    set_status(credential.revocation_list, credential.revocation_index, int(revoked))
    set_status(credential.suspension_list, credential.suspension_index, int(suspended))


def resign(status_list: StatusList) -> None:
    """Publish the list again, signed with the organisation's active key (after a rotation)."""
    _sign(status_list)
    status_list.save(update_fields=["credential_json", "updated_at", "version"])


def published(status_list: StatusList) -> dict:
    """The signed list credential (signed now if it never was)."""
    if not status_list.credential_json:
        _sign(status_list)
        status_list.save(update_fields=["credential_json", "updated_at", "version"])
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
