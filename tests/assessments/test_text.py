"""Bank texts as HTML: code in a code font, nothing from the bank ever read as HTML."""

from django.template import Context, Template

from assessments.online_tests.text import inline_text, rich_text


def test_it_puts_inline_code_in_a_code_font_and_escapes_it():
    assert rich_text("What does `len(rows)` return?") == (
        "<p>What does <code>len(rows)</code> return?</p>"
    )
    assert rich_text('Is `a < b and "c"` true?') == (
        "<p>Is <code>a &lt; b and &quot;c&quot;</code> true?</p>"
    )


def test_it_reads_double_backticks_around_a_backtick_and_leaves_a_lone_one_alone():
    assert rich_text("Type `` a`b `` here") == "<p>Type <code>a`b</code> here</p>"
    assert rich_text("It costs 5` per unit") == "<p>It costs 5` per unit</p>"
    assert rich_text("``") == "<p>``</p>"


def test_it_keeps_a_fenced_block_with_every_space_and_ignores_the_language_word():
    text = "What does this print?\n\n```python\nfor i in range(2):\n    print(i < 1)\n```\nWhy?"
    assert rich_text(text) == (
        "<p>What does this print?</p>"
        '<pre class="test-code" tabindex="0"><code>for i in range(2):\n'
        "    print(i &lt; 1)</code></pre>"
        "<p>Why?</p>"
    )


def test_it_runs_an_unclosed_fence_to_the_end():
    assert rich_text("Look:\n```\nx = 1\n\ny = 2") == (
        '<p>Look:</p><pre class="test-code" tabindex="0"><code>x = 1\n\ny = 2</code></pre>'
    )


def test_it_shows_html_from_a_bank_as_text_everywhere():
    hostile = "<script>alert(1)</script> `<img src=x onerror=alert(1)>`\n```\n</code></pre><b>\n```"
    html = rich_text(hostile)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in html
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;b&gt;" in html
    assert "<script>" not in inline_text(hostile) and "<pre" not in inline_text(hostile)


def test_it_keeps_paragraphs_and_line_breaks_outside_code():
    assert rich_text("one\ntwo\n\n\nthree") == "<p>one<br>two</p><p>three</p>"
    assert rich_text("") == ""


def test_it_gives_options_one_line_of_inline_code():
    assert inline_text("`None`, or\n`0`") == "<code>None</code>, or <code>0</code>"


def test_its_template_filters_do_not_escape_twice():
    template = Template("{% load test_text %}{{ body|test_text }}|{{ option|test_inline }}")
    html = template.render(Context({"body": "Run `a<b`", "option": "`x & y`"}))
    assert html == "<p>Run <code>a&lt;b</code></p>|<code>x &amp; y</code>"
