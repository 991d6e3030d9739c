import base64
import gzip
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpl.lib.bitstring_status import (
    MIN_ENTRIES,
    EntryStatus,
    StatusList,
    StatusListError,
    random_free_index,
    read_entry,
    status_list_entry,
    status_list_subject,
)

# W3C Bitstring Status List v1.0, example encodedList: an all-zero 16 KiB list.
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_it_has_at_least_131072_entries_by_default():
    status_list = StatusList()
    assert status_list.size == MIN_ENTRIES == 131_072
    assert len(status_list.to_bytes()) == 16 * 1024


@pytest.mark.parametrize("size", [8, 131_064, 131_073, 0, -8])
def test_it_refuses_lists_too_small_or_not_whole_bytes(size):
    with pytest.raises(StatusListError):
        StatusList(size)


def test_it_accepts_a_larger_list():
    assert StatusList(MIN_ENTRIES * 2).size == 262_144


def test_it_decodes_the_spec_example():
    status_list = StatusList.decode(SPEC_EMPTY_LIST)
    assert status_list.size == MIN_ENTRIES
    assert status_list.set_indexes() == []


def test_it_puts_index_zero_in_the_leftmost_bit():
    status_list = StatusList()
    status_list.set(0)
    status_list.set(9)
    assert status_list.to_bytes()[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_it_sets_and_clears_bits():
    status_list = StatusList()
    status_list.set(94567)
    assert status_list.get(94567)
    assert not status_list.get(94566)
    status_list.set(94567, False)
    assert not status_list.get(94567)


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "3"])
def test_it_refuses_indexes_out_of_range(index):
    with pytest.raises(StatusListError):
        StatusList().get(index)


def test_it_encodes_as_multibase_base64url_gzip_without_padding():
    status_list = StatusList()
    status_list.set(7)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw == status_list.to_bytes()
    assert status_list.encode() == encoded  # deterministic (no GZIP timestamp)


@settings(max_examples=30, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=200))
def test_it_round_trips_any_set_of_indexes(indexes):
    status_list = StatusList()
    for index in indexes:
        status_list.set(index)
    decoded = StatusList.decode(status_list.encode())
    assert decoded == status_list
    assert decoded.set_indexes() == sorted(indexes)


def _encode_raw(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def test_it_refuses_to_decode_a_list_that_is_too_short():
    with pytest.raises(StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        StatusList.decode(_encode_raw(bytes(1024)))


@pytest.mark.parametrize(
    "bad",
    ["", "zABC", SPEC_EMPTY_LIST + "=", "u!!!!", "u" + base64.urlsafe_b64encode(b"x").decode()],
)
def test_it_refuses_malformed_encodings(bad):
    with pytest.raises(StatusListError):
        StatusList.decode(bad)


def test_it_refuses_a_gzip_bomb():
    with pytest.raises(StatusListError, match="exceeds"):
        StatusList.decode(_encode_raw(bytes(17 * 1024 * 1024)))


def test_it_picks_random_free_indexes():
    rng = random.Random(7)  # noqa: S311 - reproducible test randomness
    slots = StatusList()
    for _ in range(200):
        index = random_free_index(slots, rng=rng)
        assert not slots.get(index)
        slots.set(index)
    used = slots.set_indexes()
    assert len(used) == 200 and used[-1] - used[0] > MIN_ENTRIES // 2  # spread, not sequential


def test_it_draws_every_free_index_of_a_nearly_full_list_and_then_refuses():
    slots = StatusList(bits=b"\xff" * (MIN_ENTRIES // 8))
    for index in (3, 77_777, MIN_ENTRIES - 1):
        slots.set(index, 0)
    rng = random.Random(1)  # noqa: S311 - reproducible test randomness
    assert {random_free_index(slots, rng=rng) for _ in range(60)} == {3, 77_777, MIN_ENTRIES - 1}
    slots.set(3)
    slots.set(77_777)
    assert random_free_index(slots) == MIN_ENTRIES - 1
    slots.set(MIN_ENTRIES - 1)
    with pytest.raises(StatusListError, match="full"):
        random_free_index(slots)


def test_it_keeps_two_bit_entries_side_by_side_and_decodes_them():
    status_list = StatusList(status_size=2)
    assert len(status_list.to_bytes()) == 32 * 1024
    status_list.set(0, 2)
    status_list.set(1, 1)
    status_list.set(5, 3)
    assert status_list.to_bytes()[:2] == bytes([0b1001_0000, 0b0011_0000])
    decoded = StatusList.decode(status_list.encode(), status_size=2)
    assert [decoded.get(i) for i in (0, 1, 2, 5)] == [2, 1, 0, 3]
    assert decoded.set_indexes() == [0, 1, 5]
    with pytest.raises(StatusListError, match="fit"):
        status_list.set(0, 4)
    # 16 KiB hold only 65,536 two-bit entries: too few.
    with pytest.raises(StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        StatusList.decode(StatusList().encode(), status_size=2)


MESSAGES = ("valid", "suspended", "revoked", "revoked")
URL = "https://rpl.example.edu/status/m/1"


def test_it_describes_a_message_entry_and_reads_it_back():
    entry = status_list_entry(URL, 94567, "message", MESSAGES)
    assert entry["statusSize"] == 2
    assert entry["statusMessage"][1] == {"status": "0x1", "message": "suspended"}
    status_list = StatusList(status_size=2)
    status_list.set(94567, 1)
    subject = status_list_subject(status_list, "message")
    assert read_entry(entry, subject) == EntryStatus("message", 1, "suspended")
    status_list.set(94567, 0)
    assert read_entry(entry, status_list_subject(status_list, "message")).message == "valid"
    with pytest.raises(StatusListError, match="2, 4, 8"):
        status_list_entry(URL, 1, "message", MESSAGES[:3])


@pytest.mark.parametrize(
    "change",
    [
        {"statusPurpose": "revocation"},
        {"statusMessage": [{"status": "0x0", "message": "valid"}]},
        {"statusSize": 0},
        {"statusListIndex": "²"},
        {"statusListIndex": str(MIN_ENTRIES)},
    ],
)
def test_it_refuses_an_entry_that_does_not_fit_its_list(change):
    subject = status_list_subject(StatusList(status_size=2), "message")
    with pytest.raises(StatusListError):
        read_entry({**status_list_entry(URL, 1, "message", MESSAGES), **change}, subject)


def test_it_describes_the_status_list_credential_subject():
    status_list = StatusList()
    status_list.set(3)
    subject = status_list_subject(
        status_list, "suspension", subject_id="https://rpl.example.edu/status/s/1#list"
    )
    assert subject == {
        "id": "https://rpl.example.edu/status/s/1#list",
        "type": "BitstringStatusList",
        "statusPurpose": "suspension",
        "encodedList": status_list.encode(),
    }
    with pytest.raises(StatusListError, match="statusPurpose"):
        status_list_subject(status_list, "refresh")


def test_it_describes_a_status_entry_with_an_id_distinct_from_the_list():
    entry = status_list_entry("https://rpl.example.edu/status/r/1", 94567, "revocation")
    assert entry == {
        "id": "https://rpl.example.edu/status/r/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://rpl.example.edu/status/r/1",
    }
    with pytest.raises(StatusListError):
        status_list_entry("https://rpl.example.edu/status/r/1#x", 1, "revocation")
    with pytest.raises(StatusListError):
        status_list_entry("https://rpl.example.edu/status/r/1", -1, "revocation")


def test_it_makes_a_status_list_credential_that_signs_strictly():
    from datetime import UTC, datetime

    from rpl.lib import data_integrity
    from tests.lib import samples

    status_list = StatusList()
    status_list.set(94567)
    url = samples.STATUS_LIST_URL
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": samples.ISSUER_DID,
        "validFrom": "2025-01-15T10:00:00Z",
        "credentialSubject": status_list_subject(
            status_list, "revocation", subject_id=f"{url}#list", ttl_ms=300_000
        ),
    }
    signed = data_integrity.sign(
        credential, samples.ISSUER_KEY, samples.KEY_ID, datetime(2025, 1, 15, tzinfo=UTC)
    )
    assert data_integrity.verify(signed, samples.resolve_issuer_key).ok
    encoded = signed["credentialSubject"]["encodedList"]
    assert StatusList.decode(encoded).get(94567)
