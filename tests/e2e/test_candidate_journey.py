"""A candidate's journey in a real browser: sign-up with the e-mailed link, apply, self-assess,
upload several files (one too large, one disguised by its extension), a witness's testimony in a
second browser, the coverage matrix and submission; every message checked, axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll
from tests.factories import make_user
from tests.factories.evidence import ELF, PDF, PNG
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue

PASSWORD = "a-long-passphrase-42"


def axe(page):
    assert_accessible(page)


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }
    settings.EVIDENCE_MAX_FILE_MB = 1
    assessed_catalogue(
        [
            make_user(Role.ASSESSOR, email="pool1@example.org"),
            make_user(Role.ASSESSOR, email="pool2@example.org"),
            make_user(Role.IDENTITY_OFFICER, email="ido@example.org"),
            make_user(Role.DECISION_MAKER, email="dm@example.org"),
            *reserve_staff(),
        ]
    )


def _link(live_server, to):
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return re.search(re.escape(live_server.url) + r"(/\S+)", message.body).group(1)


def test_it_walks_a_candidate_from_sign_up_to_submission(
    page, new_page, live_server, catalogue, settings
):
    settings.SITE_URL = live_server.url
    page.goto("/catalogue/python-basics/")
    page.get_by_role("link", name="New here? Create an account").click()
    axe(page)
    page.get_by_label("Full name").fill("Carol Candidate")
    page.get_by_label("E-mail address").fill("carol@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".field-errors")).to_contain_text("The two passwords differ.")
    expect(page.get_by_label("Full name")).to_have_value("Carol Candidate")
    axe(page)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have sent a message to carol@example.org"
    )
    axe(page)

    page.goto(_link(live_server, "carol@example.org"))
    expect(page.locator(".messages")).to_contain_text("Your e-mail address is confirmed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply for")
    axe(page)
    page.get_by_role("button", name="Start my application").click()
    expect(page.locator(".messages")).to_contain_text("Your application has started.")
    axe(page)

    page.get_by_role("link", name="1. Self-assessment").click()
    page.locator("fieldset.portal-choices").first.get_by_label(
        "Confident: I do it on my own"
    ).check()
    page.get_by_label("Where and how did you learn it?").first.fill(
        "Five years of scripts at work."
    )
    axe(page)
    page.get_by_role("button", name="Save my self-assessment").click()
    expect(page.locator(".messages")).to_contain_text("Your self-assessment is saved.")

    page.get_by_role("link", name="2. Evidence").click()
    axe(page)
    page.get_by_label("Choose files").set_input_files(
        [
            {"name": "cv.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "photo.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 1_100_000},
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": ELF},
        ]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    failures = page.locator(".portal-progress [role=alert]")
    expect(failures).to_contain_text("larger than the limit of 1 MB per file")
    expect(failures).to_contain_text(
        "“invoice.pdf” was not accepted: its content is a program or script, "
        "whatever its name says."
    )
    expect(page.locator(".portal-progress-list li")).to_have_count(4)
    expect(page.locator(".portal-progress-status").nth(0)).to_have_text("Uploaded")
    expect(page.locator(".portal-progress-status").nth(1)).to_have_text("Uploaded")
    axe(page)
    page.get_by_role("link", name="Show my evidence").click()
    items = page.locator(".portal-item h3")
    expect(items).to_have_text(["cv", "photo"])
    page.get_by_role("link", name="Describe “cv”").click()
    page.get_by_label("Title").fill("My CV")
    page.locator(".portal-choices input[type=checkbox]").first.check()
    axe(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your evidence is saved.")

    page.get_by_role("link", name="3. Witnesses").click()
    page.get_by_label("Witness's full name").fill("Wanda Witness")
    page.get_by_label("Witness's e-mail address").fill("wanda@example.org")
    page.get_by_label("Manager or supervisor").check()
    page.get_by_label("Their role or organisation").fill("Head of IT, Acme")
    page.get_by_label("What you ask them to confirm").fill("Carol automated our reports.")
    axe(page)
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".messages")).to_contain_text(
        "We have sent Wanda Witness a link by e-mail."
    )
    expect(page.locator("table")).to_contain_text("Waiting for the witness")

    witness = new_page("phone")
    witness.goto(_link(live_server, "wanda@example.org"))
    expect(witness.locator(".portal-claim")).to_have_text("Carol automated our reports.")
    axe(witness)
    assert_no_horizontal_scroll(witness)
    witness.get_by_role("button", name="Send my testimony").click()
    expect(witness.locator(".field-errors").first).to_contain_text("This field is required.")
    witness.get_by_label("Your position and organisation").fill("Head of IT, Acme")
    witness.get_by_label("How and for how long you know the candidate's work").fill("2019-2023")
    witness.get_by_label("Yes, I confirm it").check()
    witness.get_by_label("Your testimony").fill("She wrote and maintained the scripts.")
    witness.get_by_label("I confirm that what I wrote is true").check()
    witness.get_by_role("button", name="Send my testimony").click()
    expect(witness.get_by_role("status")).to_contain_text("your testimony has been received")
    axe(witness)
    witness.reload()
    expect(witness.get_by_role("alert")).to_contain_text("This link works only once.")

    page.reload()
    expect(page.locator("table")).to_contain_text("Testimony received")
    page.get_by_role("link", name="4. Check and submit").click()
    expect(page.locator("#missing")).to_contain_text("learning outcomes have no evidence yet")
    axe(page)
    page.get_by_role("link", name="Review and submit").click()
    expect(page.locator("#gaps")).to_contain_text("learning outcomes have no evidence")
    axe(page)
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".field-errors")).to_contain_text("Tick the declaration to submit")
    page.get_by_label("I declare that this work and evidence are my own and true").check()
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator(".messages")).to_contain_text("Your application is submitted (round 1).")
    expect(page.locator(".portal-step-current")).to_contain_text("held by: Assessor")
    axe(page)
