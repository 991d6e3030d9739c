"""A badge image per specification, drawn by the application: SVG, and PNG for the places that
do not show SVG (link previews on social networks). Both come from one layout: the title wrapped
on the badge, the EQF level and the awarding body. Deterministic: the same specification and
language give the same bytes."""

import hashlib
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

SIZE = 600
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Accents that keep white text at 4.5:1 or more (WCAG AA), picked by the specification's slug.
ACCENTS = ["#0b4f8a", "#7a2e8e", "#1d6b3a", "#8a3b12", "#005f73", "#6b4e16"]
NAVY = "#0b2545"


@dataclass(frozen=True)
class Layout:
    heading: str
    lines: list[str]
    level: str
    issuer: str
    accent: str


def layout(specification) -> Layout:
    digest = hashlib.sha256(specification.slug.encode()).digest()
    title = str(specification.title)
    lines = textwrap.wrap(title, width=16, max_lines=4, placeholder="…") or [title]
    level = (
        _("EQF level %(level)s") % {"level": specification.eqf_level}
        if specification.eqf_level
        else ""
    )
    issuer = specification.awarding_body.name if specification.awarding_body_id else ""
    return Layout(
        heading=_("MICRO-CREDENTIAL"),
        lines=lines,
        level=level,
        issuer=textwrap.shorten(issuer, width=30, placeholder="…"),
        accent=ACCENTS[digest[0] % len(ACCENTS)],
    )


def _title_top(lines) -> int:
    return 300 - (len(lines) * 52) // 2 + 30


def svg(specification) -> str:
    badge = layout(specification)
    top = _title_top(badge.lines)
    title = "".join(
        f'<text x="300" y="{top + i * 52}" font-size="44" font-weight="700">{escape(line)}</text>'
        for i, line in enumerate(badge.lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{escape(", ".join(badge.lines))}">'
        f'<circle cx="300" cy="300" r="292" fill="{NAVY}"/>'
        f'<circle cx="300" cy="300" r="262" fill="{badge.accent}"/>'
        f'<circle cx="300" cy="300" r="250" fill="none" stroke="#ffffff" stroke-width="3"/>'
        f'<g fill="#ffffff" font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle">'
        f'<text x="300" y="130" font-size="24" letter-spacing="3">{escape(badge.heading)}</text>'
        f"{title}"
        f'<text x="300" y="450" font-size="28" font-weight="700">{escape(badge.level)}</text>'
        f'<text x="300" y="488" font-size="19">{escape(badge.issuer)}</text>'
        f"</g></svg>"
    )


def png(specification) -> bytes:
    badge = layout(specification)
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 592, 592), fill=NAVY)
    draw.ellipse((38, 38, 562, 562), fill=badge.accent)
    draw.ellipse((50, 50, 550, 550), outline="#ffffff", width=3)

    def font(size, bold=False):
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        return ImageFont.truetype(str(FONT_DIR / name), size)

    def centred(text, y, size, bold=False):
        if text:
            draw.text((300, y), text, fill="#ffffff", font=font(size, bold), anchor="ms")

    centred(badge.heading, 130, 24)
    top = _title_top(badge.lines)
    for i, line in enumerate(badge.lines):
        centred(line, top + i * 52, 44, bold=True)
    centred(badge.level, 450, 28, bold=True)
    centred(badge.issuer, 488, 19)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
