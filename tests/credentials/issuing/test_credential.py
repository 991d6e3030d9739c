"""The issued credential: OB 3.0 schema, every EU element machine-readable, proofs, keys."""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from credentials.catalogue.vocabularies import ECTS, SNB
from credentials.issuing import documents as issuing
from credentials.issuing import keys, verification
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential, IssuerKey
from rpl.lib import vc_jwt
from rpl.lib.jsonld_loader import get_loader, shipped_contexts
from rpl.lib.jsonld_strict import UndefinedTermError, expand_strict

pytestmark = pytest.mark.django_db

OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
ELM = "http://data.europa.eu/snb/model/elm/"
EXT = issuing.EXTENSION_VOCAB
CRED = "https://www.w3.org/2018/credentials#"


def test_it_validates_against_the_official_ob_3_0_schema(issued):
    assert issuing.schema_errors(issued.document) == []
    unsigned = {k: v for k, v in issued.document.items() if k != "proof"}
    assert issuing.schema_errors(unsigned) == []
    broken = copy.deepcopy(issued.document)
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert any("criteria" in error for error in issuing.schema_errors(broken))


def _values(node, iri):
    return node.get(iri, [])


def _one(node, iri):
    (value,) = _values(node, iri)
    return value


def test_it_makes_every_eu_element_machine_readable(issued):
    document = issued.document
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    (credential,) = expand_strict(document, get_loader(issuing.extra_contexts()))
    subject = _one(credential, CRED + "credentialSubject")
    achievement = _one(subject, OB + "achievement")
    issuer = _one(credential, CRED + "issuer")
    address = _one(issuer, OB + "address")

    # 1 learner, 2 title, 3 country/region, 4 awarding body, 5 date of issue
    identifiers = _values(subject, OB + "identifier")
    kinds = {_one(i, OB + "identityType")["@value"] for i in identifiers}
    assert kinds == {"name", "emailAddress"}
    assert _one(achievement, "https://schema.org/name")["@value"] == "Data analysis"
    assert _one(achievement, OB + "achievementType")["@value"] == "MicroCredential"
    assert _one(address, OB + "CountryCode")["@value"] == "PL"
    assert _one(address, EXT + "nutsRegionCode")["@value"] == "PL91"
    assert issuer["@id"] == keys.organisation_did(issued.organisation)
    assert _one(credential, CRED + "validFrom")["@value"] == document["validFrom"]
    # 6 learning outcomes: one ResultDescription each, and a Result per recognised one
    # (+ the grading scale, a fourth ResultDescription)
    assert len(_values(achievement, OB + "resultDescription")) == 4
    assert len(_values(subject, OB + "result")) == 3
    # 7 workload, 8 level
    credit = _one(achievement, ELM + "creditPoint")
    assert _one(credit, ELM + "framework") == {"@id": ECTS.iri}
    assert _one(credit, ELM + "point")["@value"] == "2.5"
    assert OB + "creditsAvailable" not in achievement
    assert _one(achievement, EXT + "workloadHours")["@value"] == 60
    assert _one(achievement, EXT + "eqfLevel") == {"@id": "http://data.europa.eu/snb/eqf/4"}
    eqf = [
        a
        for a in _values(achievement, OB + "alignment")
        if _one(a, OB + "targetType")["@value"] == "ext:EQF"
    ]
    assert _one(eqf[0], "https://schema.org/targetUrl")["@value"] == (
        "http://data.europa.eu/snb/eqf/4"
    )
    # 9 assessment, 10 participation, 11 quality assurance
    assert _one(achievement, EXT + "assessmentType") == {"@id": SNB + "assessment/6e6cb2cc78"}
    assert _one(achievement, EXT + "participationForm") == {
        "@id": SNB + "learning-assessment/920fbb3cbe"
    }
    assert _one(achievement, EXT + "qualityAssurance") == {
        "@id": EXT + "quality-assurance-internal"
    }
    # optional elements
    assert _one(subject, EXT + "supervisionAndIdentityVerification") == {
        "@id": EXT + "supervision-supervised_onsite_with_id"
    }
    prerequisites = {
        v["@language"]: v["@value"] for v in _values(achievement, EXT + "prerequisites")
    }
    assert prerequisites == {"en": "Basic arithmetic.", "pl": "Podstawy arytmetyki."}
    assert _one(achievement, EXT + "stackability")["@value"] == "stackable"
    assert _one(achievement, EXT + "gradingScheme")["@value"] == "pass_fail"
    assert len(_values(achievement, EXT + "furtherInformation")) == 2
    assert _one(credential, CRED + "validUntil")["@value"] == document["validUntil"]
    # one status entry: valid, suspended or revoked in two bits (docs/decisions/0012)
    purposes = {
        _one(entry, "https://www.w3.org/ns/credentials/status#statusPurpose")["@value"]
        for entry in _values(credential, CRED + "credentialStatus")
    }
    assert purposes == {"message"}


def test_it_ships_a_protected_extension_context():
    for document in (issuing.extension_context(), shipped_contexts()[issuing.EXTENSION_CONTEXT]):
        context = document["@context"]
        assert context["@protected"] is True
        for term, definition in context.items():
            if not term.startswith("@"):
                assert definition["@id"].startswith(("https://", "http://")), term


def test_it_verifies_the_signature_and_tampering_fails(issued):
    report = verification.verify_document(issued.document)
    assert report.valid, report.reasons
    tampered = copy.deepcopy(issued.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    report = verification.verify_document(tampered)
    assert not report.valid
    assert not report.check("signature").ok
    assert "signature does not match" in report.check("signature").message
    smuggled = copy.deepcopy(issued.document)
    smuggled["credentialSubject"]["bonusCredits"] = 10
    assert not verification.verify_document(smuggled).check("signature").ok


def test_it_signs_a_vc_jwt_that_verifies(issued):
    header_kid = keys.verification_method(issued.key)
    credential = vc_jwt.decode(issued.jwt, keys.resolve_method)
    assert credential["id"] == issued.document["id"]
    assert verification.verify_text(issued.jwt).valid
    head, payload, signature = issued.jwt.split(".")
    forged = ".".join(
        [head, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]
    )
    report = verification.verify_text(forged)
    assert not report.valid
    assert header_kid.startswith(issued.document["issuer"]["id"] + "#")


def test_it_refuses_to_issue_a_term_no_context_defines(candidate, specification, monkeypatch):
    original = issuing._achievement

    def with_typo(*args):
        achievement = original(*args)
        achievement["workloadHourz"] = 60
        return achievement

    monkeypatch.setattr(issuing, "_achievement", with_typo)
    with pytest.raises(UndefinedTermError, match="workloadHourz"):
        issuing_services.issue_credential(learner=candidate, specification=specification)
    assert not IssuedCredential.objects.exists()


def test_it_keeps_old_credentials_verifiable_after_rotation(candidate, specification):
    first = issuing_services.issue_credential(learner=candidate, specification=specification)
    new_key = keys.rotate(specification.awarding_body)
    second = issuing_services.issue_credential(learner=candidate, specification=specification)
    assert first.key != second.key == new_key
    document = keys.did_document(specification.awarding_body)
    assert len(document["verificationMethod"]) == 4  # each key as a Multikey and as a JWK
    assert document["assertionMethod"][0].endswith(new_key.key_id)
    assert verification.verify_document(first.document).valid
    assert verification.verify_document(second.document).valid
    keys.withdraw(first.key, reason="compromised")
    assert not verification.verify_document(first.document).check("signature").ok
    assert verification.verify_document(second.document).valid


def test_it_never_stores_a_private_key_in_clear(issued):
    key = IssuerKey.objects.get()
    private = keys.decrypt_private_key(key)
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    assert raw.hex() not in key.encrypted_private_key
    assert "encrypted" not in repr(key) and key.encrypted_private_key not in repr(key)
    with (
        override_settings(CREDENTIAL_KEY_ENCRYPTION_KEY="another secret entirely"),
        pytest.raises(keys.IssuerKeyError),
    ):
        keys.decrypt_private_key(key)


def test_it_reports_expired_credentials(issued):
    later = datetime.now(UTC) + timedelta(days=366 * 3)
    report = verification.verify_document(issued.document, now=later)
    assert report.expired and not report.valid
    assert "expired" in report.check("dates").message
    assert issued.valid_until is not None


def test_it_stores_the_json_exactly_as_signed(issued):
    assert json.loads(issued.document_json) == issued.document
    assert issued.document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
