"""Server-side SVG bar charts (no script, no inline style): role="img" with a title and a
description, bars coloured by CSS classes; pages show the same figures in a table next to them."""

from django.utils.html import format_html, format_html_join

ROW = 28
LABEL_WIDTH = 220
BAR_WIDTH = 300
WIDTH = LABEL_WIDTH + BAR_WIDTH + 90


def bar_chart(*, chart_id: str, title: str, description: str, rows, maximum: float) -> str:
    """Horizontal bars. ``rows``: (label, value, value text, flagged) with 0 <= value <= maximum;
    a flagged bar is drawn in the warning colour."""
    rows = list(rows)
    height = ROW * len(rows) + 8
    bars = format_html_join(
        "",
        '<g class="chart-row{}"><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}">{}</text></g>',
        (
            (
                " chart-row-flagged" if flagged else "",
                LABEL_WIDTH - 8,
                i * ROW + 19,
                label if len(label) <= 30 else label[:29] + "…",
                LABEL_WIDTH,
                i * ROW + 6,
                round(BAR_WIDTH * (max(value, 0) / maximum if maximum else 0), 1),
                ROW - 10,
                LABEL_WIDTH + BAR_WIDTH + 6,
                i * ROW + 19,
                text,
            )
            for i, (label, value, text, flagged) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        bars,
    )
