"""The learner's wallet in a real browser: every format a credential comes in, the wallet DID
form and an EU wallet offer (QR code, link and transaction code), on a desktop and a phone, with
axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login
from tests.factories.catalogue import SpecificationFactory
from tests.factories.credentials import issue

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_offers_every_format_and_an_eu_wallet(new_page, live_server, candidate, viewport):
    specification = SpecificationFactory()
    issue(candidate, specification)
    page = force_login(new_page(viewport), live_server, candidate)

    page.goto("/credentials/wallet/")
    card = page.locator(".card").filter(has=page.get_by_role("heading", name=specification.title))
    for name in (
        "Download JSON-LD",
        "Download VC-JWT",
        "Download PDF certificate",
        "Europass (ELM)",
    ):
        expect(card.get_by_role("link", name=re.compile(f"^{re.escape(name)}"))).to_be_visible()
    expect(page.get_by_role("heading", name="Your wallet DID")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    card.get_by_role("button", name=re.compile("^Add to an EU wallet")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to an EU wallet")
    expect(
        page.get_by_role("img", name="QR code of the credential offer for your wallet")
    ).to_be_visible()
    link = page.get_by_role("link", name="Open in the wallet on this device")
    assert link.get_attribute("href").startswith("openid-credential-offer://?credential_offer")
    expect(page.locator("#wallet-tx-code")).to_have_text(re.compile(r"^\d{6}$"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
