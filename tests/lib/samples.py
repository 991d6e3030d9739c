"""Shared test data for the credential core: a fixed issuer key, its did:web document and an
Open Badges 3.0 micro-credential that uses every part of the core (status entry, schema, EQF)."""

import copy
import json
from pathlib import Path

from rpl.lib import did_web, multikey
from rpl.lib.bitstring_status import status_list_entry
from rpl.lib.jsonld_loader import CREDENTIALS_V2, OB_V3P0_CONTEXT

DATA = Path(__file__).parent / "data"

# The W3C vc-di-eddsa test-vector key pair (TestVectors/keyPair.json): public knowledge, tests only.
VECTOR_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

ISSUER_DID = did_web.did_for("rpl.example.edu", "issuers/main")
KEY_ID = f"{ISSUER_DID}#key-1"
ISSUER_KEY = multikey.decode_private_key(
    # A fixed test key (seed 0x01 * 32), so that failures are reproducible.
    multikey.multibase_b58_encode(multikey.ED25519_PRIV_HEADER + bytes([1]) * 32)
)
OTHER_KEY = multikey.decode_private_key(
    multikey.multibase_b58_encode(multikey.ED25519_PRIV_HEADER + bytes([2]) * 32)
)
STATUS_LIST_URL = "https://rpl.example.edu/status/revocation/1"
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def examples_context() -> dict:
    return json.loads((DATA / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))


def issuer_did_document() -> dict:
    return did_web.did_document(ISSUER_DID, [("key-1", ISSUER_KEY.public_key())])


def resolve_issuer_key(method_id: str):
    return did_web.key_resolver([issuer_did_document()])(method_id)


_CREDENTIAL = {
    "@context": [CREDENTIALS_V2, OB_V3P0_CONTEXT, OB_EXTENSIONS],
    "id": "urn:uuid:2f1c6f3e-8a4e-4c61-9d0b-6a8f0d4b7c21",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Mikropoświadczenie: Analiza danych w arkuszu kalkulacyjnym",
    "issuer": {
        "id": ISSUER_DID,
        "type": ["Profile"],
        "name": "Uniwersytet Przykładowy",
        "url": "https://rpl.example.edu/",
        "address": {
            "type": ["Address"],
            "addressCountry": "Polska",
            "addressCountryCode": "PL",
            "addressRegion": "mazowieckie",
        },
    },
    "validFrom": "2025-01-15T10:00:00Z",
    "awardedDate": "2025-01-15T10:00:00Z",
    "credentialSubject": {
        "id": "did:example:learner-7f3a",
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": "sha256$" + "ab" * 32,
                "identityType": "emailAddress",
                "salt": "5a1t",
            }
        ],
        "creditsEarned": 2.5,
        "achievement": {
            "id": "https://rpl.example.edu/achievements/spreadsheet-analysis",
            "type": ["Achievement"],
            "achievementType": "MicroCredential",
            "name": "Analiza danych w arkuszu kalkulacyjnym",
            "description": "Potwierdzenie efektów uczenia się zdobytych poza edukacją formalną.",
            "criteria": {"narrative": "Portfolio oceniane przez dwóch asesorów."},
            "creditsAvailable": 2.5,
            "inLanguage": "pl",
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "EQF level 5",
                    "targetUrl": "http://data.europa.eu/snb/eqf/5",
                    "targetFramework": "EQF",
                    "targetCode": "5",
                    "targetType": "ext:EQF",
                }
            ],
        },
    },
    "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    "credentialStatus": status_list_entry(STATUS_LIST_URL, 94567, "revocation"),
}


def ob_credential() -> dict:
    """A fresh copy of the sample OB 3.0 micro-credential, unsigned."""
    return copy.deepcopy(_CREDENTIAL)
