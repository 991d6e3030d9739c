"""Server-side SVG bar charts (no script, no inline style): role="img" with a title and a
description, bars coloured by CSS classes; pages show the same figures in a table next to them.

Each row's label stands above its bar, wrapped onto as many lines as it needs, and the value
follows the bar: no label is cut, and the chart scales down to a phone's width."""

import textwrap

from django.utils.html import format_html, format_html_join

# In the viewBox's units; the stylesheet sets the text between 12 (wide) and 17 (phone) units,
# so a line of LABEL_CHARS characters and a value of VALUE_ROOM fit either way.
LINE = 20  # one line of label
BAR_HEIGHT = 16
GAP = 12  # between rows
VALUE_ROOM = 150  # right of the longest bar, for its value
WIDTH = 440
BAR_WIDTH = WIDTH - VALUE_ROOM
LABEL_CHARS = 40  # per line of label


def bar_chart(*, chart_id: str, title: str, description: str, rows, maximum: float) -> str:
    """Horizontal bars. ``rows``: (label, value, value text, flagged) with 0 <= value <= maximum;
    a flagged bar is drawn in the warning colour."""

    def width(value):
        return round(BAR_WIDTH * (max(value, 0) / maximum if maximum else 0), 1)

    drawn, top = [], 0
    for label, value, text, flagged in rows:
        lines = textwrap.wrap(str(label), LABEL_CHARS) or [""]
        label_svg = format_html_join(
            "",
            '<tspan x="0" y="{}">{}</tspan>',
            ((top + LINE * (n + 1) - 5, line) for n, line in enumerate(lines)),
        )
        bar_top = top + LINE * len(lines) + 3
        drawn.append(
            format_html(
                '<g class="chart-row{}"><text class="chart-label">{}</text>'
                '<rect class="chart-bar" x="0" y="{}" width="{}" height="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                " chart-row-flagged" if flagged else "",
                label_svg,
                bar_top,
                width(value),
                BAR_HEIGHT,
                width(value) + 6,
                bar_top + BAR_HEIGHT - 3,
                text,
            )
        )
        top = bar_top + BAR_HEIGHT + GAP
    return format_html(
        '<svg class="chart quality-bars" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        max(top - GAP + 4, 1),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        format_html_join("", "{}", ((d,) for d in drawn)),
    )
