import copy
import threading
from unittest import mock

import pytest
from pyld import jsonld
from pyld.jsonld import JsonLdProcessor

from rpl.lib.jsonld_loader import CREDENTIALS_V2, OfflineDocumentLoader, get_loader
from rpl.lib.jsonld_strict import canonicalize
from tests.lib import samples
from tests.lib.test_data_integrity import stored_credential

VOCAB = "https://rpl.example.edu/vocab#"
# Inline terms that reach the parts of RDF conversion the stored credential does not.
INLINE = {
    "steps": {"@id": VOCAB + "steps", "@container": "@list"},
    "payload": {"@id": VOCAB + "payload", "@type": "@json"},
    "titles": {"@id": VOCAB + "titles", "@container": "@language"},
    "weight": {"@id": VOCAB + "weight", "@type": "http://www.w3.org/2001/XMLSchema#decimal"},
    "claims": {"@id": VOCAB + "claims", "@container": "@graph"},
}


def inline_document() -> dict:
    return {
        "@context": [CREDENTIALS_V2, INLINE],
        "id": "urn:uuid:0c6b7a8e-1f0a-4f3e-9a51-6d2f8f9b7e10",
        "type": ["VerifiableCredential"],
        "issuer": samples.ISSUER_DID,
        "validFrom": "2025-01-15T10:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-7f3a",
            "steps": ["plan", {"id": "https://rpl.example.edu/steps/2"}, 3],
            "payload": {"b": [1, 2.5, None], "a": "ż"},
            "titles": {"pl": "Tytuł", "en": "Title"},
            "weight": "2.50",
            "claims": {"id": "https://rpl.example.edu/claims/1", "steps": ["x"]},
        },
    }


def pyld_normalize(document, loader):
    options = {**loader.options(), "base": None, "algorithm": "URDNA2015"}
    return jsonld.normalize(document, {**options, "format": "application/n-quads"})


@pytest.mark.parametrize("name", ["stored credential", "inline terms", "sample"])
def test_it_canonicalises_as_pyld_normalize_does(name):
    if name == "stored credential":
        document, extra = stored_credential()
    elif name == "inline terms":
        document, extra = inline_document(), None
    else:
        document, extra = samples.ob_credential(), None
    loader = get_loader(extra)
    expected = pyld_normalize(document, loader)
    assert canonicalize(document, loader) == expected
    assert canonicalize(document, loader) == expected  # and again, from what it kept


class CountingLoader(OfflineDocumentLoader):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loads = 0

    def __call__(self, url, options=None):
        self.loads += 1
        return super().__call__(url, options)


def test_it_processes_each_context_once_per_loader():
    document, extra = stored_credential()
    loader = CountingLoader(extra)
    processed = []
    original = JsonLdProcessor._process_context

    def counting(self, *args, **kwargs):
        processed.append(args[1])
        return original(self, *args, **kwargs)

    with mock.patch.object(JsonLdProcessor, "_process_context", counting):
        first = canonicalize(document, loader)
        assert loader.loads == 4
        assert processed
        loader.loads, processed[:] = 0, []
        other = {**copy.deepcopy(document), "id": "urn:uuid:5b0e4a4e-39a4-4c38-8d5e-0f3c4b6f1d2a"}
        assert canonicalize(other, loader) != first
        assert (loader.loads, processed) == (0, [])


def test_it_cannot_be_poisoned_through_what_it_hands_out_or_reads():
    loader = get_loader()
    document = inline_document()
    before = canonicalize(document, loader)
    loader(CREDENTIALS_V2)["document"]["@context"]["VerifiableCredential"] = "https://evil.example/"
    document["@context"][1]["weight"]["@id"] = VOCAB + "mass"  # the caller edits its own context
    after = canonicalize(document, loader)
    assert f"<{VOCAB}weight>" in before
    assert f"<{VOCAB}weight>" not in after
    assert f"<{VOCAB}mass>" in after
    assert "evil.example" not in after
    assert "<https://www.w3.org/2018/credentials#VerifiableCredential>" in after


def test_it_canonicalises_from_several_threads_at_once():
    document, extra = stored_credential()
    loader = OfflineDocumentLoader(extra)
    results, errors = [], []

    def work():
        try:
            results.extend(canonicalize(document, loader) for _ in range(2))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8
    assert len(set(results)) == 1
