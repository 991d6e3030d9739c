"""The award: a "your credential is ready" page for its holder, a badge image per specification,
and link previews of the public page that show the badge."""

import io
import re

import pytest
from PIL import Image

from credentials.issuing import badges
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db


def _ready(issued) -> str:
    return f"/credentials/{issued.public_id}/ready/"


def test_it_shows_the_holder_their_new_credential_with_ways_to_share_it(client, candidate, issued):
    client.force_login(candidate)
    page = client.get(_ready(issued)).content.decode()
    assert "Your credential is ready" in page and "Data analysis" in page
    assert f"/credentials/badges/{issued.specification.slug}.svg" in page
    assert f"/credentials/{issued.public_id}/download/pdf" in page
    assert "https://www.linkedin.com/profile/add?" in page
    assert re.search(r'href="mailto:\?subject=My%20micro-credential%3A%20Data%20analysis', page)
    assert f'value="https://rpl.example.edu/credentials/{issued.public_id}/"' in page
    assert "Learning outcome 1" in page  # what was recognised, from the signed credential


def test_it_does_not_offer_sharing_a_revoked_credential(client, candidate, issued):
    issued.state = issued.State.REVOKED
    issued.save(update_fields=["state"])
    client.force_login(candidate)
    page = client.get(_ready(issued)).content.decode()
    assert "cannot be shared" in page
    assert "linkedin.com" not in page and "mailto:" not in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_holder_in(client, request, issued, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    expected = 200 if persona == "candidate" else (404 if "candidate" in user.roles else 403)
    assert client.get(_ready(issued)).status_code == expected


def test_it_refuses_another_candidate_and_sends_visitors_to_log_in(client, candidate2, issued):
    assert client.get(_ready(issued)).status_code == 302
    client.force_login(candidate2)
    assert client.get(_ready(issued)).status_code == 404


def test_it_draws_the_badge_as_svg_and_png_in_the_language_asked(client, issued):
    slug = issued.specification.slug
    svg = client.get(f"/credentials/badges/{slug}.svg?lang=pl")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "Analiza danych" in svg.content.decode() and "Poziom ERK 4" in svg.content.decode()
    assert "Data analysis" in client.get(f"/credentials/badges/{slug}.svg?lang=en").content.decode()
    png = client.get(f"/credentials/badges/{slug}.png")
    assert png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (badges.SIZE, badges.SIZE)
    assert png.content == client.get(f"/credentials/badges/{slug}.png").content  # deterministic
    assert client.get(f"/credentials/badges/{slug}.gif").status_code == 404
    assert client.get("/credentials/badges/no-such-thing.svg").status_code == 404


def test_it_escapes_the_title_on_the_badge(issued):
    specification = issued.specification
    specification.title_en = 'Tags <script>&"'
    svg = badges.svg(specification)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_it_gives_the_public_page_a_link_preview_with_the_badge(client, issued):
    page = client.get(f"/credentials/{issued.public_id}/").content.decode()
    image = f"https://rpl.example.edu/credentials/badges/{issued.specification.slug}.png?lang=en"
    assert f'<meta property="og:image" content="{image}">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta property="og:title" content="Data analysis">' in page
