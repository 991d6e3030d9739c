import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from rpl.lib import multikey
from tests.lib.samples import VECTOR_PUBLIC, VECTOR_SECRET


def test_it_reproduces_the_w3c_vc_di_eddsa_key_pair():
    private_key = multikey.decode_private_key(VECTOR_SECRET)
    assert multikey.encode_public_key(private_key.public_key()) == VECTOR_PUBLIC
    assert multikey.encode_private_key(private_key) == VECTOR_SECRET


def test_it_reproduces_the_1edtech_ob_multikey_example():
    # 1EdTech OB 3.0 implementation guide, "Linked Data Proof Test Vector": hex key pair.
    public_hex = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
    seed_hex = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    public_multibase = multikey.encode_public_key(private_key.public_key())
    assert public_multibase == "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    assert multikey.b58decode(public_multibase[1:])[2:].hex() == public_hex


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"\x00", "1"),
        (b"\x00\x00\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    ],
)
def test_it_encodes_base58btc_known_values(raw, encoded):
    assert multikey.b58encode(raw) == encoded
    assert multikey.b58decode(encoded) == raw


@settings(max_examples=50)
@given(st.binary(max_size=80))
def test_it_round_trips_base58btc(raw):
    assert multikey.b58decode(multikey.b58encode(raw)) == raw


@settings(max_examples=25)
@given(st.binary(min_size=32, max_size=32))
def test_it_round_trips_keys(seed):
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    public = multikey.encode_public_key(private_key.public_key())
    assert public.startswith("z6Mk")
    assert multikey.decode_public_key(public) == private_key.public_key()
    secret = multikey.encode_private_key(private_key)
    assert secret.startswith("z3u2")
    restored = multikey.decode_private_key(secret)
    assert restored.sign(b"m") == private_key.sign(b"m")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",  # '0' is not base58
        "z" + multikey.b58encode(b"\xed\x01" + b"\x01" * 31),  # too short
        VECTOR_SECRET,  # a secret key is not a public key
    ],
)
def test_it_refuses_malformed_public_keys(bad):
    with pytest.raises(multikey.MultikeyError):
        multikey.decode_public_key(bad)


def test_it_refuses_a_public_key_as_a_secret_key():
    with pytest.raises(multikey.MultikeyError, match="secret key"):
        multikey.decode_private_key(VECTOR_PUBLIC)


def test_it_describes_a_multikey_verification_method():
    key = multikey.decode_private_key(VECTOR_SECRET).public_key()
    assert multikey.multikey_document("did:web:x.example#k", "did:web:x.example", key) == {
        "id": "did:web:x.example#k",
        "type": "Multikey",
        "controller": "did:web:x.example",
        "publicKeyMultibase": VECTOR_PUBLIC,
    }
