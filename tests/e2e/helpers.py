"""Helpers for browser tests: log in and out, check accessibility and the phone layout.

Plain functions, imported by the tests (``from tests.e2e.helpers import login``); the fixtures
that give you a browser page live in ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Response, expect

from tests.factories import PASSWORD

# axe-core rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

LOGIN_PATH = "/accounts/login/"


def login(page: Page, live_server, user, password: str = PASSWORD) -> Page:
    """Log ``user`` in through the real log-in form and wait until the browser has left it.

    Uses field names and ids rather than visible labels, so it works in every language.
    Fails with the page's error message if the log-in is refused.
    """
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(user.email)
    form.locator("input[name=password]").fill(password)
    with page.expect_response(_is_login_post) as answer:
        form.locator("button[type=submit]").click()
    if answer.value.status != 302:
        alert = page.locator("main [role=alert]")
        try:
            reason = alert.first.inner_text(timeout=5_000)
        except PlaywrightError:
            reason = f"HTTP {answer.value.status}, no error message shown"
        raise AssertionError(f"log-in as {user.email} was refused: {reason}")
    page.wait_for_url(lambda url: urlsplit(url).path != LOGIN_PATH)
    return page


def force_login(page: Page, live_server, user) -> Page:
    """Log ``user`` in without the form: a session made by Django's test client, handed to the
    browser as a cookie. Use it in tests about other pages; ``login`` tests the form itself."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return page


def _is_login_post(response: Response) -> bool:
    return response.request.method == "POST" and urlsplit(response.url).path == LOGIN_PATH


def logout(page: Page) -> None:
    """Log out through the button in the page header and wait for the log-in page."""
    page.locator("header .logout-form button[type=submit]").click()
    page.wait_for_url(f"**{LOGIN_PATH}")


def assert_accessible(page: Page, context: str | dict | None = None) -> None:
    """Run axe-core in the page and fail listing every WCAG 2.0/2.1 A and AA violation.

    ``context`` narrows the check as axe's ``context`` argument does: a CSS selector, or
    ``{"include": [...], "exclude": [...]}``; by default the whole document is checked.
    axe is injected with ``page.evaluate`` (DevTools protocol evaluation is not subject to the
    page's Content-Security-Policy), so no script has to be allowed for it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    violations = page.evaluate(
        "([context, options]) => axe.run(context ?? document, options)"
        ".then(results => results.violations)",
        [context, options],
    )
    if violations:
        raise AssertionError(_axe_report(page, violations))


def _axe_report(page: Page, violations: list[dict]) -> str:
    lines = [f"{len(violations)} WCAG 2.1 A/AA violation(s) on {page.url} ({page.title()!r}):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_no_horizontal_scroll(page: Page) -> None:
    """Fail if the page is wider than the viewport, naming the elements that stick out."""
    widths = page.evaluate(
        """() => {
            const viewport = window.innerWidth;
            const offenders = [];
            for (const element of document.body.querySelectorAll('*')) {
                const box = element.getBoundingClientRect();
                if (box.width && box.right > viewport + 0.5) {
                    const id = element.id ? '#' + element.id : '';
                    const classes = [...element.classList].map((name) => '.' + name).join('');
                    offenders.push(`${element.tagName.toLowerCase()}${id}${classes}`
                                   + ` (right edge ${Math.round(box.right)}px)`);
                }
            }
            return {
                scroll: document.scrollingElement.scrollWidth,
                viewport: viewport,
                offenders: offenders.slice(0, 10),
            };
        }"""
    )
    assert widths["scroll"] <= widths["viewport"], (
        f"{page.url} scrolls sideways: content is {widths['scroll']}px wide in a "
        f"{widths['viewport']}px viewport; too wide: {', '.join(widths['offenders']) or '?'}"
    )


def assert_reachable(locator: Locator) -> None:
    """Fail unless the element is visible, lies within the viewport's width and can be clicked
    (not covered by anything); does not actually click it."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width = locator.page.evaluate("() => window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
        f"{locator} lies outside the {width}px viewport: {box}"
    )
    locator.click(trial=True)
