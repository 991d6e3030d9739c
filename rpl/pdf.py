"""Pages printed to PDF with WeasyPrint: a template and its context, no outside resources
(``base_url=None``: nothing is fetched while printing)."""

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context), base_url=None).write_pdf()
