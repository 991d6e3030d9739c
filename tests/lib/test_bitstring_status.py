import base64
import gzip
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpl.lib.bitstring_status import (
    MIN_ENTRIES,
    StatusList,
    StatusListError,
    random_free_index,
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
    used: set[int] = set()
    for _ in range(200):
        index = random_free_index(used, rng=rng)
        assert 0 <= index < MIN_ENTRIES
        assert index not in used
        used.add(index)
    assert max(used) - min(used) > MIN_ENTRIES // 2  # spread, not sequential


def test_it_finds_the_last_free_index_and_then_refuses():
    size = MIN_ENTRIES
    used = set(range(size)) - {12345}
    assert random_free_index(used, size=size) == 12345
    with pytest.raises(StatusListError, match="full"):
        random_free_index(used | {12345}, size=size)


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
