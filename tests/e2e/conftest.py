"""Browser tests: Playwright (sync API) drives Debian's Chromium against a live Django server.

Fixtures: ``browser`` (one Chromium for the whole folder), ``page`` (desktop), ``phone_page``
(phone) and ``new_page`` (a factory for more pages or other options). Helpers live in
``tests/e2e/helpers.py``. Every test in this folder is marked ``e2e``; when one fails, a full-page
screenshot and the HTML of each page it opened are saved as
``var/e2e-artifacts/<module>.<test name>.png`` and ``.html``. Any Content-Security-Policy
violation in a page fails the test.

The browser is never downloaded: without /usr/bin/chromium (``apt-get install chromium``) these
tests are skipped on a workstation and fail under CI (environment variable ``CI`` set).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, sync_playwright

from rpl.accounts.roles import Role

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts"
HERE = Path(__file__).resolve().parent

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}

PAGES = pytest.StashKey[list]()
CSP_VIOLATIONS = pytest.StashKey[list]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _missing_browser() -> str:
    return f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Mark every test in this folder ``e2e`` and run them last; skip them all if Chromium is
    missing, except under CI, where the ``browser`` fixture fails instead.

    Last, after pytest-django has sorted the items: these tests need a transactional database,
    and emptying it after each test also removes the role groups the migrations created, which
    tests elsewhere that request the database late (``request.getfixturevalue``) rely on.
    """
    skip = None if CHROMIUM.exists() or _in_ci() else pytest.mark.skip(reason=_missing_browser())
    browser_tests, other_tests = [], []
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip:
                item.add_marker(skip)
            browser_tests.append(item)
        else:
            other_tests.append(item)
    items[:] = other_tests + browser_tests


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """Recreate the role groups before each browser test.

    The live server needs a transactional database, which Django empties after every test,
    removing what the data migrations put there. (Serialized rollback cannot restore it: once
    Playwright runs, this thread gets a new database connection object, without the serialized
    copy.) A later data migration whose rows browser tests need belongs here too.
    """
    Group.objects.bulk_create([Group(name=role.value) for role in Role], ignore_conflicts=True)


def launch_browser():
    """Start Chromium for as long as the generator lives (a fixture's body).

    Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
    calls from a thread with a running loop; the tests are synchronous, so allow them while the
    browser is alive. Without Chromium: skipped on a workstation, an error under CI."""
    if not CHROMIUM.exists():
        if _in_ci():
            pytest.fail(f"{_missing_browser()} (CI is set, so a missing browser is an error)")
        pytest.skip(_missing_browser())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One Chromium for all the tests in this folder.

    Package-scoped rather than session-scoped: while Playwright's sync API is running, this
    thread has a running asyncio loop, which would break later tests outside this folder that
    use asyncio or Django's async guards; it is stopped after the last browser test.
    """
    yield from launch_browser()


@pytest.fixture
def new_page(request, browser, live_server):
    """Factory: ``new_page("desktop" | "phone", **context_options) -> Page``.

    Each page gets its own browser context (cookies, storage), ``base_url`` set to the live
    server (so ``page.goto("/accounts/login/")`` works) and English as the browser language.
    """
    contexts = []
    pages = request.node.stash.setdefault(PAGES, [])
    violations = request.node.stash.setdefault(CSP_VIOLATIONS, [])

    def make(viewport: str = "desktop", **options) -> Page:
        settings = {"base_url": live_server.url, "locale": "en-GB", **VIEWPORTS[viewport]}
        context = browser.new_context(**{**settings, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _record_csp_violation(message, page, violations))
        pages.append((viewport, page))
        return page

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail(
            "the Content-Security-Policy blocked something (no inline scripts or styles, "
            "everything from our own origin):\n" + "\n".join(violations)
        )


def _record_csp_violation(message, page, violations):
    if "Content Security Policy" in message.text:
        violations.append(f"{page.url}: {message.text}")


@pytest.fixture
def page(new_page) -> Page:
    """A desktop page (1280x800) on the live server."""
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page) -> Page:
    """A phone page (390x844, touch, mobile meta viewport honoured) on the live server."""
    return new_page("phone")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    pages = item.stash.get(PAGES, [])
    if report.failed and report.when in {"setup", "call"} and pages:
        saved = _save_artifacts(f"{item.path.stem}.{item.name}", pages)
        report.sections.append(("browser artifacts", "\n".join(saved)))
    return report


def _save_artifacts(test_name: str, pages) -> list[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    saved = []
    for number, (viewport, page) in enumerate(pages, start=1):
        name = stem if len(pages) == 1 else f"{stem}-{number}-{viewport}"
        try:
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
            saved.append(f"{ARTIFACTS / name}.png (.html) <- {page.url}")
        except Exception as error:  # a closed or crashed page must not hide the test's failure
            saved.append(f"{name}: could not save ({error})")
    return saved
