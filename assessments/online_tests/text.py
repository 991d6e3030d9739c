"""Bank texts as HTML: code in a code font, everything else as plain text.

A question bank is written by administrators, but its text is never trusted as HTML: every
character is escaped, and only two marks are read (docs/question-banks.md):

- inline code between backticks, `len(rows)`, becomes ``<code>``; a span may hold a backtick if
  it is opened and closed by two (``a `b` c``), as in Markdown;
- a fenced block, a line of three backticks (optionally followed by a word such as ``python``,
  which is ignored) up to the next line of three backticks, becomes ``<pre><code>``, keeping
  every space and line break; a fence left open runs to the end of the text.

Outside code, a blank line starts a new paragraph and a single line break is kept.
``rich_text`` gives block HTML (question texts, model answers); ``inline_text`` gives phrasing
HTML only (option labels: inline code, no blocks, line breaks as spaces).
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+.#-]*)[ \t]*$")
INLINE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _inline(text: str) -> str:
    """Escaped ``text`` with `code` spans; what is not a closed span stays as typed."""
    parts = []
    position = 0
    for match in INLINE.finditer(text):
        code = match.group(2)
        if code.strip() == "":
            continue
        # As in Markdown, one space just inside the backticks is padding: `` `a` `` shows `a`.
        if len(code) > 2 and code[0] == " " and code[-1] == " ":
            code = code[1:-1]
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<code>{escape(code)}</code>")
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _prose(text: str) -> list[str]:
    paragraphs = []
    for block in PARAGRAPH_BREAK.split(text.strip("\n")):
        if block.strip():
            lines = [_inline(line) for line in block.strip("\n").split("\n")]
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return paragraphs


def _blocks(text: str):
    """``("prose", text)`` and ``("code", text)`` pieces, in order."""
    prose: list[str] = []
    code: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if FENCE.match(line):
            if code is None:
                if prose:
                    yield "prose", "\n".join(prose)
                    prose = []
                code = []
            else:
                yield "code", "\n".join(code)
                code = None
        elif code is not None:
            code.append(line)
        else:
            prose.append(line)
    if code is not None:
        yield "code", "\n".join(code)
    if prose:
        yield "prose", "\n".join(prose)


def rich_text(text: str) -> SafeString:
    """Paragraphs, line breaks, `inline code` and fenced code blocks; everything escaped."""
    html = []
    for kind, piece in _blocks(text or ""):
        if kind == "code":
            # A wide block scrolls inside itself; tabindex lets keyboard users scroll it too.
            html.append(f'<pre class="test-code" tabindex="0"><code>{escape(piece)}</code></pre>')
        else:
            html.extend(_prose(piece))
    return mark_safe("".join(html))  # noqa: S308 - built only from escaped text and fixed tags


def inline_text(text: str) -> SafeString:
    """One line of phrasing content: `inline code`, line breaks and fences read as spaces."""
    flat = " ".join(
        line for line in (text or "").replace("\r", "\n").split("\n") if not FENCE.match(line)
    )
    return mark_safe(_inline(flat))  # noqa: S308 - built only from escaped text and fixed tags
