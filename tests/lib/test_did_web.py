import pytest

from rpl.lib import did_web, jwk, multikey
from rpl.lib.jsonld_loader import get_loader
from rpl.lib.jsonld_strict import canonicalize
from tests.lib import samples


@pytest.mark.parametrize(
    ("domain", "path", "did", "url"),
    [
        ("example.com", None, "did:web:example.com", "https://example.com/.well-known/did.json"),
        (
            "w3c-ccg.github.io",
            "user/alice",
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        (
            "example.com:3000",
            "user/alice",
            "did:web:example.com%3A3000:user:alice",
            "https://example.com:3000/user/alice/did.json",
        ),
        (
            "localhost:8000",
            None,
            "did:web:localhost%3A8000",
            "https://localhost:8000/.well-known/did.json",
        ),
        (
            "RPL.Example.EDU",
            "/issuers/main/",
            "did:web:rpl.example.edu:issuers:main",
            "https://rpl.example.edu/issuers/main/did.json",
        ),
    ],
)
def test_it_maps_domains_to_dids_and_dids_to_urls(domain, path, did, url):
    assert did_web.did_for(domain, path) == did
    assert did_web.did_web_url(did) == url


def test_it_percent_encodes_path_segments():
    did = did_web.did_for("example.com", "a b/ü")
    assert did == "did:web:example.com:a%20b:%C3%BC"
    assert did_web.did_web_url(did) == "https://example.com/a%20b/%C3%BC/did.json"


@pytest.mark.parametrize(
    ("domain", "path"),
    [
        ("exa mple.com", None),
        ("example.com:http", None),
        ("example.com:70000", None),
        ("ünicode.example", None),
        ("example.com", "a//b"),
        ("example.com", "../etc"),
    ],
)
def test_it_refuses_bad_domains_and_paths(domain, path):
    with pytest.raises(did_web.DidWebError):
        did_web.did_for(domain, path)


@pytest.mark.parametrize(
    "did", ["did:key:z6Mk", "did:web:example.com#key-1", "did:web:bad host", "did:web:a.com::b"]
)
def test_it_refuses_to_map_non_did_web_identifiers(did):
    with pytest.raises(did_web.DidWebError):
        did_web.did_web_url(did)


def test_it_builds_a_did_document_with_multikeys():
    old_key = samples.OTHER_KEY.public_key()
    document = did_web.did_document(
        samples.ISSUER_DID, [("key-2", samples.ISSUER_KEY.public_key()), ("key-1", old_key)]
    )
    did = samples.ISSUER_DID
    assert document == {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://www.w3.org/ns/cid/v1",
        ],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-2",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey.encode_public_key(samples.ISSUER_KEY.public_key()),
            },
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey.encode_public_key(old_key),
            },
            {
                "id": f"{did}#key-2-jwk",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk.public_jwk(samples.ISSUER_KEY.public_key()),
            },
            {
                "id": f"{did}#key-1-jwk",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk.public_jwk(old_key),
            },
        ],
        "assertionMethod": [f"{did}#key-2", f"{did}#key-1", f"{did}#key-2-jwk", f"{did}#key-1-jwk"],
        "authentication": [f"{did}#key-2", f"{did}#key-1", f"{did}#key-2-jwk", f"{did}#key-1-jwk"],
    }
    # Every term is defined by the shipped contexts.
    nquads = canonicalize(document, get_loader())
    assert "<https://w3id.org/security#publicKeyMultibase>" in nquads
    assert "<https://w3id.org/security#publicKeyJwk>" in nquads


def test_it_accepts_full_key_ids_and_refuses_duplicates():
    did = samples.ISSUER_DID
    key = samples.ISSUER_KEY.public_key()
    document = did_web.did_document(did, [(f"{did}#k", key)])
    assert document["verificationMethod"][0]["id"] == f"{did}#k"
    with pytest.raises(did_web.DidWebError, match="unique"):
        did_web.did_document(did, [("k", key), ("#k", key)])
    with pytest.raises(did_web.DidWebError):
        did_web.did_document(did, [])


def test_it_resolves_only_authorised_keys_of_the_controller():
    document = samples.issuer_did_document()
    key = did_web.resolve_verification_method(document, samples.KEY_ID)
    assert key == samples.ISSUER_KEY.public_key()
    with pytest.raises(did_web.DidWebError, match="does not belong"):
        did_web.resolve_verification_method(document, "did:web:evil.example#key-1")
    with pytest.raises(did_web.DidWebError, match="not authorised"):
        did_web.resolve_verification_method(document, samples.KEY_ID, "capabilityInvocation")
    document["assertionMethod"] = []
    with pytest.raises(did_web.DidWebError, match="not authorised"):
        did_web.resolve_verification_method(document, samples.KEY_ID)


def test_it_resolves_keys_across_documents():
    resolve = did_web.key_resolver([samples.issuer_did_document()])
    assert resolve(samples.KEY_ID) == samples.ISSUER_KEY.public_key()
    with pytest.raises(did_web.DidWebError, match="no DID document"):
        resolve("did:web:other.example#key-1")
