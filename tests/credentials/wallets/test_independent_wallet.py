"""Independent libraries take and verify the credential from the running server
(tests/interop/eu_wallet.mjs): the OpenWallet Foundation's OpenID4VCI client through the
pre-authorized code flow with a key proof, then @sd-jwt/sd-jwt-vc for the signature, the
disclosures, the key binding and the Token Status List; after one revocation both the SD-JWT VC
(its Token Status List) and the Open Badges 3.0 credential (tests/interop/status.mjs, its
Bitstring Status List) read as revoked."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists
from credentials.issuing import services as issuing_services
from credentials.issuing.models import StatusList
from credentials.wallets import offers
from rpl.lib.token_status_list import INVALID, VALID
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue

INTEROP = Path(__file__).parents[2] / "interop"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (INTEROP / "node_modules" / "@openid4vc").is_dir(),
        reason="independent wallet not installed: run `npm ci` in tests/interop",
    ),
]


def _node(*args) -> dict:
    completed = subprocess.run(
        [shutil.which("node"), *map(str, args)],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1] or completed.stderr)


def test_it_issues_to_an_independent_wallet_and_publishes_one_status(
    live_server, settings, tmp_path, candidate, quality_officer
):
    settings.SITE_URL = live_server.url
    organisation = make_organisation()
    credential = issue(candidate, make_specification(organisation, slug="eu-wallet"))
    controllers = tmp_path / "controllers.json"
    controllers.write_text(
        json.dumps({keys.organisation_did(organisation): keys.did_document(organisation)})
    )
    new = offers.make_offer(credential)

    taken = _node("eu_wallet.mjs", "take", new.uri, "--keys", controllers, "--tx-code", new.tx_code)
    assert taken.get("verified") is True, taken
    assert taken["version"] == "V1"
    assert taken["status"] == VALID
    assert taken["claims"]["learner"] == "Alice Candidate"
    assert taken["claims"]["cnf"]["jwk"]["x"] == taken["holderKey"]["x"]
    # A disclosure whose value is changed matches no digest: the claim is not disclosed; the
    # signed payload edited to name it breaks the issuer's signature.
    tampered = taken["tampered"]
    assert tampered["claim"] == "learner"
    assert tampered["disclosureOnly"]["value"] is None, tampered
    assert tampered["payloadEdited"]["value"] is None
    assert "signature" in tampered["payloadEdited"]["error"].lower(), tampered

    issuing_services.revoke(credential, actor=quality_officer, reason="Fraud found.")
    again = _node(
        "eu_wallet.mjs",
        "verify",
        taken["credential"],
        "--keys",
        controllers,
        "--holder-key",
        json.dumps(taken["holderKey"]),
    )
    assert again["verified"] is True and again["status"] == INVALID, again

    lists = tmp_path / "lists.json"
    lists.write_text(
        json.dumps(
            {
                status_lists.list_url(found): status_lists.published(found)
                for found in StatusList.objects.filter(organisation=organisation)
            }
        )
    )
    document = tmp_path / "credential.json"
    document.write_text(credential.document_json, encoding="utf-8")
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps(issuing.extension_context()))
    open_badge = _node(
        "status.mjs",
        document,
        "--keys",
        controllers,
        "--lists",
        lists,
        "--context",
        f"{issuing.extension_context_url()}={context}",
    )
    assert open_badge["revoked"] is True and open_badge["verified"] is False, open_badge
