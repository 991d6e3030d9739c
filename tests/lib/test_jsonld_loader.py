import json
import shutil

import pytest
from pyld import jsonld

from rpl.lib import jsonld_loader
from rpl.lib.jsonld_loader import (
    CONTEXTS_DIR,
    ContextIntegrityError,
    ContextNotAllowedError,
    OfflineDocumentLoader,
    get_loader,
)

REQUIRED = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/cid/v1",
]
EXTENSION_URL = "https://rpl.example.edu/contexts/rpl-v1.json"
EXTENSION = {"@context": {"@protected": True, "ects": "https://rpl.example.edu/vocab#ects"}}


@pytest.mark.parametrize("url", REQUIRED)
def test_it_resolves_every_required_context_offline(url):
    remote = get_loader()(url, {})
    assert remote["documentUrl"] == url
    assert "@context" in remote["document"]


def test_it_refuses_any_other_url_naming_it():
    with pytest.raises(ContextNotAllowedError, match=r"https://evil\.example/ctx\.json"):
        get_loader()("https://evil.example/ctx.json", {})


def test_it_refuses_a_network_context_inside_a_jsonld_operation():
    loader = get_loader()
    document = {"@context": "https://schema.org/", "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(document, loader.options())
    refused = jsonld_loader.find_cause(caught.value, ContextNotAllowedError)
    assert refused is not None
    assert refused.url == "https://schema.org/"


def test_it_adds_extra_contexts_by_exact_url():
    loader = get_loader({EXTENSION_URL: EXTENSION})
    assert loader(EXTENSION_URL, {})["document"] == EXTENSION
    with pytest.raises(ContextNotAllowedError):
        loader(EXTENSION_URL + "?v=2", {})
    with pytest.raises(ContextNotAllowedError):
        get_loader()(EXTENSION_URL, {})


def test_it_refuses_an_extra_context_that_replaces_a_shipped_one():
    with pytest.raises(ValueError, match="replace the shipped copy"):
        OfflineDocumentLoader({"https://www.w3.org/ns/credentials/v2": EXTENSION})


def test_it_refuses_an_extra_context_that_is_not_a_context():
    with pytest.raises(ValueError, match="@context"):
        OfflineDocumentLoader({EXTENSION_URL: {"ects": "x"}})


def test_it_hands_out_copies_that_callers_cannot_corrupt():
    loader = get_loader()
    loader("https://www.w3.org/ns/did/v1", {})["document"]["@context"]["id"] = "evil"
    assert loader("https://www.w3.org/ns/did/v1", {})["document"]["@context"]["id"] == "@id"


def test_it_keeps_resolved_contexts_private_to_each_loader():
    document = {"@context": EXTENSION_URL, "ects": 5}
    first = get_loader({EXTENSION_URL: EXTENSION})
    other = {"@context": {"ects": "https://other.example/vocab#ects"}}
    second = get_loader({EXTENSION_URL: other})
    assert "https://rpl.example.edu/vocab#ects" in jsonld.expand(document, first.options())[0]
    assert "https://other.example/vocab#ects" in jsonld.expand(document, second.options())[0]


def test_it_checks_the_sha256_of_every_shipped_file(tmp_path):
    copy = tmp_path / "contexts"
    shutil.copytree(CONTEXTS_DIR, copy)
    target = copy / "did-v1.jsonld"
    tampered = json.loads(target.read_text())
    tampered["@context"]["controller"] = "https://evil.example/controller"
    target.write_text(json.dumps(tampered))
    with pytest.raises(ContextIntegrityError, match="did-v1.jsonld"):
        OfflineDocumentLoader(contexts_dir=copy)


def test_it_ships_a_manifest_that_lists_every_file():
    manifest = json.loads((CONTEXTS_DIR / "manifest.json").read_text())
    listed = {entry["file"] for entry in manifest["contexts"]}
    on_disk = {path.name for path in CONTEXTS_DIR.iterdir()} - {"manifest.json"}
    assert listed == on_disk
    assert {entry["url"] for entry in manifest["contexts"]} >= set(REQUIRED)
